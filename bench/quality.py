"""Quality benchmark: presswatch's stored result against each library alone, in one run.

For every shared set with ground truth (``article_eval/``: readability_testpages, goose3,
newspaper4k, scrapinghub_aeb; GOV.UK content items rendered as pages) it scores:

* title exact % - whitespace-normalised equality with the expected title;
* date exact % - the calendar day presswatch stores (the source's local day) against the
  day written in the expected date;
* body precision / recall / F1 - Zyte's article-extraction-benchmark method exactly:
  per page tp/fp/fn counts of 4-gram shingles of ``\\w+`` tokens normalised to sum 1,
  precision and recall averaged over the pages where they are defined, F1 from the averages;
* must contain % - the expected body start (its ``\\w+`` tokens) found in the body;
* speed - presswatch's extraction time over trafilatura's default ``extract`` alone.

The libraries run with their defaults: trafilatura ``extract`` (body), trafilatura
``extract_metadata`` (title and date), htmldate ``find_date`` (date).

    python -m bench.quality [--corpus PATH] [--set NAME] [--worst N]
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import re
import statistics
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path

from crawler.extract.article import Article, extract_article, warm_up

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
_TOKEN = re.compile(r"\w+", re.UNICODE)
MUST_TOKENS = 25  # how many leading tokens of an expected body start must be found


@dataclass
class Page:
    """One page and what its set says about it (None: the set does not say)."""

    key: str
    raw: bytes
    url: str
    title: str | None = None
    date: str | None = None  # YYYY-MM-DD as the publisher wrote it
    body: str | None = None  # the complete expected body text
    starts: str | None = None  # the expected beginning of the body


@dataclass
class Result:
    """What one extractor produced for one page."""

    title: str | None = None
    date: str | None = None
    body: str | None = None


@dataclass
class Scores:
    title: list[bool] = field(default_factory=list)
    date: list[bool] = field(default_factory=list)
    shingles: list[tuple[float, float, float]] = field(default_factory=list)
    must: list[bool] = field(default_factory=list)


# --- the sets -----------------------------------------------------------------------------


def _day(value: str | None) -> str | None:
    match = re.match(r"\s*(\d{4}-\d{2}-\d{2})", value or "")
    return match.group(1) if match else None


def _expected(folder: Path) -> dict[str, dict[str, object]]:
    data: dict[str, dict[str, object]] = json.loads(
        (folder / "expected.json").read_text(encoding="utf-8")
    )
    return data


def readability_pages(corpus: Path) -> Iterator[Page]:
    folder = corpus / "article_eval" / "readability_testpages"
    for key, info in sorted(_expected(folder).items()):
        page_dir = (corpus / key).parent
        expected_html = (page_dir / "expected.html").read_text(encoding="utf-8")
        yield Page(
            key=page_dir.name,
            raw=(corpus / key).read_bytes(),
            url=f"http://fakehost/{page_dir.name}/",
            title=_str(info.get("title")),
            date=_day(_str(info.get("publishedTime"))),
            body=_html_text(expected_html),
            starts=_str(info.get("expected_body_start")),
        )


def goose_pages(corpus: Path) -> Iterator[Page]:
    folder = corpus / "article_eval" / "goose3"
    for key, info in sorted(_expected(folder).items()):
        yield Page(
            key=Path(key).stem,
            raw=(corpus / key).read_bytes(),
            url=_str(info.get("url")) or "http://example.com/a",
            title=_str(info.get("title")),
            date=_day(_str(info.get("publish_date"))),
            starts=_str(info.get("cleaned_text_prefix")),
        )


def newspaper_pages(corpus: Path) -> Iterator[Page]:
    folder = corpus / "article_eval" / "newspaper4k"
    for key, info in sorted(_expected(folder).items()):
        path = corpus / key
        text = path.with_suffix(".txt")
        yield Page(
            key=path.stem,
            raw=path.read_bytes(),
            url=_str(info.get("url")) or "http://example.com/a",
            title=_str(info.get("title")),
            date=_day(_str(info.get("publish_date"))),
            body=text.read_text(encoding="utf-8") if text.exists() else None,
            starts=_str(info.get("text_start")),
        )


def zyte_pages(corpus: Path) -> Iterator[Page]:
    folder = corpus / "article_eval" / "scrapinghub_aeb"
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    for key, info in sorted(truth.items()):
        with gzip.open(folder / "html" / f"{key}.html.gz", "rb") as handle:
            raw = handle.read()
        yield Page(key=key[:12], raw=raw, url=info["url"], body=info.get("articleBody") or "")


def govuk_pages(corpus: Path) -> Iterator[Page]:
    """GOV.UK Content API items rendered the way www.gov.uk renders a news page."""
    folder = corpus / "foreign_ministries" / "govuk_content_items"
    for path in sorted(folder.glob("*/*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        body = data.get("details", {}).get("body") or ""
        if isinstance(body, list):
            body = next((b.get("content", "") for b in body if isinstance(b, dict)), "")
        yield Page(
            key=path.stem,
            raw=_govuk_page(data, body).encode("utf-8"),
            url="https://www.gov.uk" + data["base_path"],
            title=data["title"],
            date=_day(data.get("first_published_at")),
            body=_html_text(body),
        )


def _govuk_page(data: dict[str, object], body: str) -> str:
    title = html.escape(str(data["title"]))
    published = str(data.get("first_published_at") or "")
    updated = str(data.get("public_updated_at") or "")
    return (
        f'<!DOCTYPE html><html lang="{data.get("locale", "en")}"><head><meta charset="utf-8">'
        f"<title>{title} - GOV.UK</title>"
        f'<meta property="og:site_name" content="GOV.UK"><meta property="og:title" '
        f'content="{title}"><meta name="govuk:updated-at" content="{updated}">'
        f'<meta name="govuk:first-published-at" content="{published}"></head><body>'
        '<div id="global-cookie-message"><p>Cookies on GOV.UK</p><p>We use some essential '
        "cookies to make this website work.</p></div><header><a href='/'>GOV.UK</a>"
        "<nav><a href='/browse'>Topics</a><a href='/government'>Government activity</a></nav>"
        f"</header><main><div class='gem-c-title'><h1>{title}</h1></div>"
        f"<p class='gem-c-lead-paragraph'>{html.escape(str(data.get('description') or ''))}</p>"
        f"<div class='gem-c-metadata'><dl><dt>From:</dt><dd>Foreign Office</dd><dt>Published"
        f"</dt><dd>{published[:10]}</dd><dt>Last updated</dt><dd>{updated[:10]}</dd></dl></div>"
        f"<div class='govspeak'>{body}</div><div class='gem-c-share-links'><h2>Share this page"
        "</h2><ul><li><a href='#'>Facebook</a></li><li><a href='#'>Twitter</a></li></ul></div>"
        "</main><footer><h2>Topics</h2><ul><li><a href='/a'>Benefits</a></li><li><a href='/b'>"
        "Births, death, marriages and care</a></li></ul><p>All content is available under the "
        "Open Government Licence v3.0, except where otherwise stated</p></footer></body></html>"
    )


SETS: dict[str, Callable[[Path], Iterator[Page]]] = {
    "readability": readability_pages,
    "goose3": goose_pages,
    "newspaper4k": newspaper_pages,
    "zyte_aeb": zyte_pages,
    "govuk": govuk_pages,
}


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _html_text(fragment: str) -> str:
    from crawler.extract._text import html_to_text

    return html_to_text(fragment)


# --- the extractors -----------------------------------------------------------------------


def presswatch(page: Page) -> Result:
    """The stored result: what ValidatePipeline keeps of extract_article's output."""
    article = extract_article(page.raw, page.url)
    title = " ".join((article.title or "").split())
    if not title:
        title = article.body.split("\n", 1)[0][:200]
    return Result(title=title or None, date=stored_day(article), body=article.body)


def stored_day(article: Article) -> str | None:
    """The calendar day the store keeps for the article."""
    published = getattr(article, "published", None)
    if published is not None:
        return str(published.local_date)
    if article.published_at is None:
        return None
    return article.published_at.astimezone(UTC).date().isoformat()


def trafilatura_body(page: Page) -> Result:
    import trafilatura

    return Result(body=trafilatura.extract(_text(page), include_comments=False) or "")


def trafilatura_meta(page: Page) -> Result:
    import trafilatura

    doc = trafilatura.extract_metadata(_text(page), default_url=page.url)
    return Result(title=doc.title if doc else None, date=_day(doc.date) if doc else None)


def htmldate_alone(page: Page) -> Result:
    import htmldate

    try:
        found = htmldate.find_date(_text(page), url=page.url)
    except Exception:
        found = None
    return Result(date=_day(found))


def _text(page: Page) -> str:
    # The Zyte benchmark reads its pages as UTF-8 text; so do the library runs here.
    return page.raw.decode("utf-8", errors="replace")


# name: (extractor, the fields it answers)
EXTRACTORS: dict[str, tuple[Callable[[Page], Result], frozenset[str]]] = {
    "presswatch": (presswatch, frozenset({"title", "date", "body"})),
    "trafilatura": (trafilatura_body, frozenset({"body"})),
    "trafilatura-meta": (trafilatura_meta, frozenset({"title", "date"})),
    "htmldate": (htmldate_alone, frozenset({"date"})),
}


# --- scoring (Zyte's evaluate.py method) ----------------------------------------------------


def _shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text or "")
    return Counter(
        tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i : i + n]
    )


def shingle_match(true: str, pred: str) -> tuple[float, float, float]:
    """Normalised (tp, fp, fn) of one page's 4-gram shingles."""
    truth, found = _shingles(true), _shingles(pred)
    tp = fp = fn = 0.0
    for key in truth.keys() | found.keys():
        t, p = truth.get(key, 0), found.get(key, 0)
        tp += min(t, p)
        fp += max(0, p - t)
        fn += max(0, t - p)
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (tp, fp, fn)


def prf(matches: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    """Precision and recall averaged over pages, F1 from the two averages."""

    def precision(tp: float, fp: float, fn: float) -> float:
        return 1.0 if fp == fn == 0 else (0.0 if tp == fp == 0 else tp / (tp + fp))

    def recall(tp: float, fp: float, fn: float) -> float:
        return 1.0 if fp == fn == 0 else (0.0 if tp == fn == 0 else tp / (tp + fn))

    precisions = [precision(*m) for m in matches if m[0] + m[1] > 0]
    recalls = [recall(*m) for m in matches if m[0] + m[2] > 0]
    p = statistics.mean(precisions) if precisions else 0.0
    r = statistics.mean(recalls) if recalls else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _norm(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


def contains_start(body: str, start: str) -> bool:
    """The first MUST_TOKENS word tokens of `start` appear, in order and adjacent, in `body`."""
    wanted = _TOKEN.findall(start.casefold())[:MUST_TOKENS]
    if not wanted:
        return True
    return " ".join(wanted) in " ".join(_TOKEN.findall(body.casefold()))


def score(page: Page, result: Result, fields: frozenset[str], into: Scores) -> None:
    if page.title is not None and "title" in fields:
        into.title.append(_norm(result.title) == _norm(page.title))
    if page.date is not None and "date" in fields:
        into.date.append(result.date == page.date)
    if result.body is not None and "body" in fields:
        if page.body is not None:
            into.shingles.append(shingle_match(page.body, result.body))
        if page.starts is not None:
            into.must.append(contains_start(result.body, page.starts))


# --- running and printing -----------------------------------------------------------------


@dataclass
class Run:
    scores: dict[str, Scores] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)


def run_set(pages: list[Page], worst: int) -> Run:
    run = Run()
    for name, (extractor, fields) in EXTRACTORS.items():
        scores = run.scores.setdefault(name, Scores())
        start = time.perf_counter()
        results = [extractor(page) for page in pages]
        run.seconds[name] = time.perf_counter() - start
        for page, result in zip(pages, results, strict=True):
            score(page, result, fields, scores)
            if name == "presswatch" and worst:
                run.misses.extend(_misses(page, result))
    return run


def _misses(page: Page, result: Result) -> Iterator[str]:
    if page.title is not None and _norm(result.title) != _norm(page.title):
        yield f"  title {page.key}: {result.title!r} != {page.title!r}"
    if page.date is not None and result.date != page.date:
        yield f"  date  {page.key}: {result.date} != {page.date}"
    if page.body is not None and result.body is not None:
        _tp, fp, fn = shingle_match(page.body, result.body)
        if fp > 0.1 or fn > 0.1:
            yield f"  body  {page.key}: fp {fp:.2f} fn {fn:.2f} ({len(result.body)} chars)"


def _pct(values: list[bool]) -> float | None:
    return 100.0 * sum(values) / len(values) if values else None


def metrics(scores: Scores) -> dict[str, float | None]:
    found: dict[str, float | None] = {"title %": _pct(scores.title), "date %": _pct(scores.date)}
    if scores.shingles:
        p, r, f = prf(scores.shingles)
        found.update({"body P": p, "body R": r, "body F1": f})
    else:
        found.update({"body P": None, "body R": None, "body F1": None})
    found["must %"] = _pct(scores.must)
    return found


def print_run(label: str, count: int, run: Run) -> None:
    table = {name: metrics(scores) for name, scores in run.scores.items()}
    print(f"\n== {label}: {count} pages")
    print(f"  {'metric':<9}{'presswatch':>11}{'library':>11}{'pw/lib':>8}  library")
    ours = table["presswatch"]
    for metric, value in ours.items():
        if value is None:
            continue
        best_name, best = _best_library(table, metric)
        ratio = f"{value / best:7.3f}" if best else "      -"
        lib = f"{best:11.3f}" if best is not None else f"{'-':>11}"
        flag = " <" if best is not None and value < best - 1e-9 else ""
        print(f"  {metric:<9}{value:11.3f}{lib}{ratio}  {best_name}{flag}")
    ratio = run.seconds["presswatch"] / run.seconds["trafilatura"]
    print(f"  speed    presswatch/trafilatura extract = {ratio:.2f}x")
    for line in run.misses:
        print(line)


def _best_library(
    table: dict[str, dict[str, float | None]], metric: str
) -> tuple[str, float | None]:
    candidates = [
        (name, values[metric])
        for name, values in table.items()
        if name != "presswatch" and values.get(metric) is not None
    ]
    if not candidates:
        return "-", None
    name, value = max(candidates, key=lambda c: c[1] or 0.0)
    return name, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="the shared corpus folder")
    parser.add_argument("--set", action="append", choices=sorted(SETS), help="only these sets")
    parser.add_argument("--worst", action="store_true", help="list presswatch's misses")
    args = parser.parse_args()
    if not (args.corpus / "article_eval").is_dir():
        print(f"corpus not found at {args.corpus}")
        raise SystemExit(2)
    warnings.simplefilter("ignore")
    warm_up()
    totals: dict[str, float] = Counter()
    for name in args.set or list(SETS):
        pages = list(SETS[name](args.corpus))
        run = run_set(pages, args.worst)
        print_run(name, len(pages), run)
        for extractor, seconds in run.seconds.items():
            totals[extractor] += seconds
    overall = totals["presswatch"] / totals["trafilatura"]
    print(
        f"\nspeed overall: presswatch {totals['presswatch']:.1f} s, trafilatura extract "
        f"{totals['trafilatura']:.1f} s: {overall:.2f}x"
    )


if __name__ == "__main__":
    main()
