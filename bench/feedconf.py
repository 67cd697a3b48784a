"""Conformance check: presswatch's feed and date parsing against feedparser's own test suite.

feedparser's sdist ships ~2,100 small feeds, each with a Python assertion about the parse
result (`Expect: entries[0]['link'] == '...'`). This script:

- picks the *in-scope* tests: those whose assertions only read what presswatch models (feed
  title; entry title, link, id, date, summary, content; entry count), HTML sanitizer tests
  excepted (presswatch stores plain text, not sanitized HTML);
- evaluates each assertion against presswatch's `Feed`, mapped into feedparser's dictionary
  shape (text compared with the HTML of feedparser's value turned into text; dates in UTC),
  and against feedparser itself, side by side;
- parses every file of the suite with a per-file timeout and counts crashes and hangs;
- runs the date strings of feedparser's date tests through presswatch's date parser: valid
  ones must be right to the second in UTC, invalid ones must give no date.

Get the suite with `pip download --no-deps --no-binary :all: feedparser -d /tmp/fp` and
unpack it; then `python -m bench.feedconf /tmp/fp/feedparser-6.0.14/tests` (`--failures`
lists the in-scope tests presswatch fails).
"""

from __future__ import annotations

import argparse
import ast
import io
import re
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from crawler.extract._text import html_to_text, normalize_space
from crawler.extract.dates import parse_date
from crawler.extract.feeds import Feed, FeedParseError, parse_feed

SUITE_HOST = "http://127.0.0.1:8097"
DESCRIPTION = re.compile(rb"Description:\s*(.*?)\s*Expect:\s*(.*)\s*-->")
SKIP_UNLESS = re.compile(rb"SkipUnless:\s*(.*?)\n")
HEADER = re.compile(rb"^Header:\s+([^:]+):(.+)$", re.M)
SUBJECT = re.compile(r"\b(feed|entries\[\d+\])((?:\s*\[\s*(?:'\w+'|\"\w+\"|\d+)\s*\]|\.\w+)*)")
KEY = re.compile(r"\[\s*['\"](\w+)['\"]\s*\]|\.(\w+)")
FEED_KEYS = {"title", "title_detail"}
ENTRY_KEYS = {
    "title",
    "title_detail",
    "link",
    "id",
    "guid",
    "updated_parsed",
    "published_parsed",
    "summary",
    "description",
    "summary_detail",
    "content",
}
# Valid date strings of the suite presswatch leaves undated on purpose, and why.
DELIBERATE_DATES = {
    "03335": "YYDDD (year and day of year) has the shape of '22013', which the suite wants "
    "refused: five bare digits are never a date",
    "Thu, 01 Jan 0100 00:00:01 +0100": "a date before 1990 is implausible for a statement",
}
NAMES_ALLOWED = {"feed", "entries", "bozo", "len", "not", "and", "or", "in", "True", "False"}
BOZO = re.compile(r"^\s*(?:not\s+)?bozo\s+and\s+")
OUT_OF_SCOPE_DIRS = ("wellformed/sanitize",)
# In-scope tests presswatch fails on purpose, and why.
DELIBERATE = {
    "encoding/bozo_linenoise.xml": "the invalid byte is mended alone; feedparser garbles the "
    "whole text as windows-1252 and the test expects that garbage",
    "wellformed/rss/entity_in_doctype.xml": "no DTD, so no entity the DTD declares (no "
    "entity expansion at all)",
    "wellformed/base/http_entry_id_base_content_location.xml": "the HTTP Content-Location "
    "header is not a base: the response URL is (a server cannot move links elsewhere)",
    "wellformed/base/http_item_link_base_content_location.xml": "Content-Location, as above",
    "wellformed/atom10/entry_id_with_attributes.xml": "a relative Atom id is resolved against "
    "the feed URL; the suite runs this file with no URL",
    "wellformed/node_precedence/atom10_id.xml": "relative Atom id resolved, as above",
    "wellformed/atom10/entry_id_no_normalization_4.xml": "ids are resolved like links, which "
    "lower-cases an upper-case scheme (HTTP://)",
    "wellformed/atom10/tag_in_attr.xml": "a title that is only an image has no text; "
    "presswatch keeps text",
    "wellformed/rss/item_description_not_a_doctype.xml": 'markup debris ("<!\' ") is dropped '
    "when HTML is turned into text",
}


@dataclass(frozen=True)
class SuiteTest:
    path: Path
    relative: str
    data: bytes
    expect: str
    headers: dict[str, str]

    @property
    def url(self) -> str:
        return f"{SUITE_HOST}/tests/{self.relative}"

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")


@dataclass
class Tally:
    total: int = 0
    passed: int = 0
    failures: list[str] = field(default_factory=list)


class Text(str):
    """presswatch's plain text, equal to a feedparser value when that value's text matches."""

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, str):
            return False
        mine = normalize_space(str(self))
        # feedparser's values are HTML except for text/plain ones: either reading may match
        return mine in (normalize_space(other), normalize_space(html_to_text(other)))

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__ = str.__hash__


class Node(dict[str, Any]):
    """feedparser's FeedParserDict in miniature: keys readable as attributes too."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError as exc:
            raise AttributeError(name) from exc


# ---------- the suite ----------


def load_suite(root: Path) -> list[SuiteTest]:
    tests = []
    for path in sorted(root.glob("**/*.xml")):
        data = _to_utf8_if_encoding_test(path, path.read_bytes())
        found = DESCRIPTION.search(data)
        skip = SKIP_UNLESS.search(data)
        if not found or skip:  # SkipUnless tests need optional feedparser extras
            continue
        headers = {k.decode().strip().lower(): v.decode().strip() for k, v in HEADER.findall(data)}
        expect = found.group(2).decode("utf-8").strip()
        tests.append(SuiteTest(path, path.relative_to(root).as_posix(), data, expect, headers))
    return tests


def _to_utf8_if_encoding_test(path: Path, data: bytes) -> bytes:
    """The suite's runner re-encodes tests/encoding files from BOM-less UTF-16/32 first."""
    if "encoding" not in path.parts:
        return data
    marks = {
        b"\x00\x00\x00\x3c": "utf-32be",
        b"\x3c\x00\x00\x00": "utf-32le",
        b"\x00\x3c\x00\x3f": "utf-16be",
        b"\x3c\x00\x3f\x00": "utf-16le",
        b"\x4c\x6f\xa7\x94": "cp037",
    }
    codec = marks.get(data[:4])
    return data.decode(codec).encode("utf-8") if codec else data


def in_scope(test: SuiteTest) -> bool:
    """Only assertions about what presswatch models (see the module docstring)."""
    if test.relative.startswith(OUT_OF_SCOPE_DIRS):
        return False
    names = set(re.findall(r"(?<![\w'\".\[])([A-Za-z_]\w*)", _strip_strings(test.expect)))
    if not names <= NAMES_ALLOWED:
        return False
    subjects = SUBJECT.findall(test.expect)
    if not subjects and "len(entries)" not in test.expect:
        return False
    return all(_subject_ok(kind, path) for kind, path in subjects)


def _strip_strings(expression: str) -> str:
    return re.sub(r"'(?:\\.|[^'\\])*'|\"(?:\\.|[^\"\\])*\"|\(\d[\d, ]*\)", "''", expression)


def _subject_ok(kind: str, path: str) -> bool:
    keys = [a or b for a, b in KEY.findall(path)]
    if not keys:
        return kind != "feed"
    allowed = FEED_KEYS if kind == "feed" else ENTRY_KEYS
    if keys[0] not in allowed:
        return False
    if keys[0].endswith("_detail"):
        return keys[1:] == ["value"]
    if keys[0] == "content":
        return keys[1:] == ["value"]
    return len(keys) == 1


# ---------- presswatch's result in feedparser's shape ----------


def presswatch_env(feed: Feed) -> dict[str, Any]:
    entries = []
    for entry in feed.entries:
        node = Node()
        if entry.title is not None:
            node["title"] = Text(entry.title)
            node["title_detail"] = Node(value=Text(entry.title))
        if entry.url:
            node["link"] = entry.url
        if entry.guid:
            node["id"] = node["guid"] = entry.guid
        if entry.published_at is not None:
            stamp = entry.published_at.astimezone(UTC).utctimetuple()
            node["updated_parsed"] = node["published_parsed"] = stamp
        if True:  # FeedEntry.summary is a string, empty when the entry has none
            node["summary"] = node["description"] = Text(entry.summary)
            node["summary_detail"] = Node(value=Text(entry.summary))
        if entry.content:
            node["content"] = [Node(value=Text(entry.content))]
        entries.append(node)
    top = Node()
    if feed.title is not None:
        top["title"] = Text(feed.title)
        top["title_detail"] = Node(value=Text(feed.title))
    return {"feed": top, "entries": entries, "bozo": False}


def presswatch_parse(test: SuiteTest) -> Feed:
    return parse_feed(test.data, test.url, content_type=test.content_type)


def feedparser_parse(test: SuiteTest) -> Any:
    """As the suite's runner does: the file itself, or its bytes with its HTTP headers."""
    import feedparser

    if "http" not in test.relative:  # the runner serves only these over HTTP
        return feedparser.parse(str(test.path))
    headers = dict(test.headers)
    headers.setdefault("content-location", test.url)
    headers.setdefault("content-type", "application/xml")  # what the runner's server sends
    return feedparser.parse(io.BytesIO(test.data), response_headers=headers)


def without_bozo(expect: str) -> str:
    """presswatch has no `bozo` flag (a feed is parsed or refused), so that term is dropped."""
    return BOZO.sub("", expect)


def evaluate(expect: str, env: dict[str, Any]) -> bool:
    try:
        return bool(eval(expect, {"__builtins__": {"len": len}}, env))
    except Exception:
        return False


# ---------- crashes and hangs ----------


class Hang(Exception):
    pass


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    def on_alarm(signum: int, frame: object) -> None:
        raise Hang

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def robustness(root: Path, timeout: float) -> tuple[int, int, int, list[str]]:
    """Parse every file of the suite: (files, crashes, hangs, what went wrong)."""
    files = [p for p in sorted(root.glob("**/*")) if p.is_file() and p.suffix != ".py"]
    crashes = hangs = 0
    problems = []
    for path in files:
        try:
            with time_limit(timeout):
                parse_feed(path.read_bytes(), f"{SUITE_HOST}/tests/{path.relative_to(root)}")
        except FeedParseError:
            continue
        except Hang:
            hangs += 1
            problems.append(f"hang  {path.relative_to(root)}")
        except Exception as exc:
            crashes += 1
            problems.append(f"crash {path.relative_to(root)}: {type(exc).__name__}: {exc}")
    return len(files), crashes, hangs, problems


# ---------- dates ----------


def date_cases(runtests: Path) -> list[tuple[str, tuple[int, ...] | None]]:
    """The (string, expected UTC tuple or None) pairs of runtests.py's `date_tests`."""
    tree = ast.parse(runtests.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "date_tests" for t in node.targets)
            and isinstance(node.value, ast.Dict)
        ):
            cases = []
            for group in node.value.values:
                cases.extend(ast.literal_eval(group))
            return cases
    return []


def check_dates(
    cases: list[tuple[str, tuple[int, ...] | None]], parse: Callable[[str], datetime | None]
) -> tuple[Tally, Tally]:
    valid, invalid = Tally(), Tally()
    for text, expected in cases:
        found = parse(text)
        if expected is None:
            invalid.total += 1
            if found is None:
                invalid.passed += 1
            else:
                invalid.failures.append(f"{text!r} -> {found.isoformat()} (should be no date)")
            continue
        valid.total += 1
        got = found.astimezone(UTC).timetuple()[:6] if found else None
        if got == tuple(expected[:6]):
            valid.passed += 1
        else:
            why = f"  [deliberate: {DELIBERATE_DATES[text]}]" if text in DELIBERATE_DATES else ""
            valid.failures.append(f"{text!r} -> {got} (expected {tuple(expected[:6])}){why}")
    return valid, invalid


# ---------- report ----------


def conformance(tests: list[SuiteTest], with_feedparser: bool) -> tuple[Tally, Tally]:
    ours, theirs = Tally(), Tally()
    for test in tests:
        ours.total += 1
        try:
            env = presswatch_env(presswatch_parse(test))
        except Exception as exc:
            ours.failures.append(f"{test.relative}: {type(exc).__name__}: {exc}")
            env = None
        if env is not None:
            if evaluate(without_bozo(test.expect), env):
                ours.passed += 1
            else:
                ours.failures.append(f"{test.relative}: {test.expect}")
        if with_feedparser:
            theirs.total += 1
            if evaluate(test.expect, dict(feedparser_parse(test))):
                theirs.passed += 1
            else:
                theirs.failures.append(f"{test.relative}: {test.expect}")
    return ours, theirs


def _rate(tally: Tally) -> str:
    share = 100 * tally.passed / tally.total if tally.total else 0.0
    return f"{tally.passed}/{tally.total} ({share:.1f} %)"


@dataclass
class Report:
    suite: int
    ours: Tally
    theirs: Tally
    files: int
    crashes: int
    hangs: int
    problems: list[str]
    valid: Tally
    invalid: Tally
    seconds: float


def run(root: Path, *, timeout: float = 10.0, with_feedparser: bool = True) -> Report:
    """Every measurement of the module docstring, on the suite's tests/ directory `root`."""
    started = time.perf_counter()
    suite = load_suite(root)
    scoped = [t for t in suite if in_scope(t)]
    ours, theirs = conformance(scoped, with_feedparser)
    files, crashes, hangs, problems = robustness(root, timeout)
    valid, invalid = check_dates(date_cases(root / "runtests.py"), parse_date)
    elapsed = time.perf_counter() - started
    return Report(
        len(suite), ours, theirs, files, crashes, hangs, problems, valid, invalid, elapsed
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("tests", type=Path, help="the tests/ directory of feedparser's sdist")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per file")
    parser.add_argument("--failures", action="store_true", help="list what presswatch fails")
    parser.add_argument("--no-feedparser", action="store_true", help="skip feedparser's column")
    args = parser.parse_args(argv)
    root: Path = args.tests
    if not (root / "runtests.py").is_file():
        print(f"{root}: not feedparser's tests/ directory (no runtests.py)", file=sys.stderr)
        return 2
    report = run(root, timeout=args.timeout, with_feedparser=not args.no_feedparser)
    print(f"feedparser suite: {report.suite} tests with assertions, {report.ours.total} in scope")
    print(f"{'':28}{'presswatch':>22}{'feedparser':>22}")
    print(f"{'in-scope tests passed':28}{_rate(report.ours):>22}{_rate(report.theirs):>22}")
    print(
        f"files parsed: {report.files}; crashes: {report.crashes}; "
        f"hangs (> {args.timeout:g} s): {report.hangs}"
    )
    print(f"valid date strings right to the second (UTC): {_rate(report.valid)}")
    print(f"invalid date strings given no date: {_rate(report.invalid)}")
    print(f"({report.seconds:.1f} s)")
    unexplained = [f for f in report.ours.failures if f.split(":", 1)[0] not in DELIBERATE]
    print(f"in-scope failures not listed as deliberate: {len(unexplained)}")
    if args.failures:
        failures = [
            f"{f}  [deliberate: {DELIBERATE[f.split(':', 1)[0]]}]"
            if f.split(":", 1)[0] in DELIBERATE
            else f
            for f in report.ours.failures
        ] + report.problems
        for line in failures + report.valid.failures + report.invalid.failures:
            print("  " + line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
