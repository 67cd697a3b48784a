"""Malformed configs: each gives exit 2 and a message naming the file, the key and the line."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.cli.main import cli

GOOD_SOURCE = """\
sources:
  - id: pk-mofa
    name: Pakistan MOFA
    kind: listing
    urls: ["https://mofa.gov.pk/press-releases"]
    schedule: {every: 30m}
"""
GOOD_RULE = """\
rules:
  - id: stability
    name: Strategic stability
    query: '"strategic stability"'
"""

# (name, files, expected fragments of the error output)
CASES: list[tuple[str, dict[str, str], list[str]]] = [
    ("bad yaml", {"presswatch.yaml": "timezone: [UTC\n"}, ["presswatch.yaml:", "invalid YAML"]),
    (
        "tab indentation",
        {"sources/pk.yaml": "sources:\n\t- id: x\n"},
        ["sources/pk.yaml:", "invalid YAML"],
    ),
    (
        "unknown top-level key",
        {"presswatch.yaml": "timezone: UTC\ndatabse: {}\n"},
        ["presswatch.yaml:2:", "databse", 'unknown key "databse"', 'did you mean "database"'],
    ),
    (
        "unknown nested key",
        {"presswatch.yaml": "crawl:\n  concurency: 3\n"},
        ["presswatch.yaml:2: crawl.concurency:", "unknown key"],
    ),
    (
        "wrong type",
        {"presswatch.yaml": "crawl:\n  concurrency: many\n"},
        ["presswatch.yaml:2: crawl.concurrency:", "integer"],
    ),
    (
        "out of range",
        {"presswatch.yaml": "crawl:\n  concurrency: 0\n"},
        ["crawl.concurrency:", "greater than or equal to 1"],
    ),
    (
        "bad duration",
        {"sources/pk.yaml": GOOD_SOURCE.replace("every: 30m", "every: 5 minuts")},
        ["sources/pk.yaml:6: sources[0].schedule.every:", 'invalid duration "5 minuts"'],
    ),
    (
        "bad cron",
        {"sources/pk.yaml": GOOD_SOURCE.replace("{every: 30m}", '{cron: "61 * * * *"}')},
        ["sources/pk.yaml:6: sources[0].schedule", "invalid cron expression"],
    ),
    (
        "both every and cron",
        {"sources/pk.yaml": GOOD_SOURCE.replace("{every: 30m}", '{every: 1h, cron: "0 * * * *"}')},
        ["sources[0].schedule", "exactly one of every: or cron:"],
    ),
    (
        "unknown source kind",
        {"sources/pk.yaml": GOOD_SOURCE.replace("kind: listing", "kind: webpage")},
        ["sources/pk.yaml:4: sources[0].kind:", "unknown kind 'webpage'"],
    ),
    (
        "missing source kind",
        {"sources/pk.yaml": GOOD_SOURCE.replace("    kind: listing\n", "")},
        ["sources/pk.yaml", "sources[0]", "missing kind"],
    ),
    (
        "missing required key",
        {"sources/pk.yaml": GOOD_SOURCE.replace("    name: Pakistan MOFA\n", "")},
        ["sources/pk.yaml", "sources[0].name:", "required key is missing"],
    ),
    (
        "unknown key in a source",
        {"sources/pk.yaml": GOOD_SOURCE + "    selector: {item: li}\n"},
        ["sources/pk.yaml:7: sources[0].selector:", 'did you mean "selectors"'],
    ),
    (
        "non-http url",
        {"sources/pk.yaml": GOOD_SOURCE.replace("https://mofa.gov.pk", "ftp://mofa.gov.pk")},
        ["sources/pk.yaml:5: sources[0].urls[0]:", "http"],
    ),
    (
        "bad source id",
        {"sources/pk.yaml": GOOD_SOURCE.replace("id: pk-mofa", "id: PK MOFA")},
        ["sources[0].id:", 'invalid id "PK MOFA"'],
    ),
    (
        "duplicate source id across files",
        {"sources/pk.yaml": GOOD_SOURCE, "sources/pk2.yaml": GOOD_SOURCE},
        ["sources/pk2.yaml:2: sources[0].id:", 'duplicate source id "pk-mofa"', "sources/pk.yaml"],
    ),
    (
        "duplicate rule id in one file",
        {"rules/r.yaml": GOOD_RULE + GOOD_RULE.removeprefix("rules:\n")},
        ["rules/r.yaml:5: rules[1].id:", 'duplicate rule id "stability"'],
    ),
    (
        "missing environment variable",
        {"presswatch.yaml": "mail:\n  transport: smtp\n  smtp:\n    host: ${PW_TEST_UNSET_HOST}\n"},
        ["presswatch.yaml:4: mail.smtp.host:", "PW_TEST_UNSET_HOST is not set"],
    ),
    (
        "smtp transport without smtp section",
        {"presswatch.yaml": "mail:\n  transport: smtp\n"},
        ["presswatch.yaml", "mail", "no smtp: section"],
    ),
    (
        "bad timezone",
        {"presswatch.yaml": "timezone: Asia/Karachy\n"},
        ["presswatch.yaml:1: timezone:", 'unknown timezone "Asia/Karachy"'],
    ),
    (
        "bad email",
        {"presswatch.yaml": "recipients:\n  - address: not-an-address\n"},
        ["presswatch.yaml:2: recipients[0].address:", "invalid email address"],
    ),
    (
        "bad digest time",
        {"presswatch.yaml": "recipients:\n  - address: a@example.org\n    digest_time: '25:00'\n"},
        ["presswatch.yaml:3: recipients[0].digest_time:"],
    ),
    (
        "rule query syntax error",
        {"rules/r.yaml": GOOD_RULE.replace("'\"strategic stability\"'", "'(arms control'")},
        ["rules/r.yaml", "rule stability: query", "column"],
    ),
    (
        "rule names an unknown source",
        {"rules/r.yaml": GOOD_RULE + "    sources: [nowhere]\n"},
        ["rules/r.yaml", "rule stability: sources", 'unknown source "nowhere"'],
    ),
    (
        "rule names an unknown recipient",
        {"rules/r.yaml": GOOD_RULE + "    recipients: [nobody]\n"},
        ["rules/r.yaml", 'unknown recipient or group "nobody"'],
    ),
    (
        "bad rule mode",
        {"rules/r.yaml": GOOD_RULE + "    mode: instant\n"},
        ["rules/r.yaml:5: rules[0].mode:", "'digest' or 'immediate'"],
    ),
    (
        "top level is a list",
        {"rules/r.yaml": "- id: x\n"},
        ["rules/r.yaml", "expected a mapping"],
    ),
    (
        "duplicate yaml key",
        {"presswatch.yaml": "timezone: UTC\ntimezone: UTC\n"},
        ["presswatch.yaml:", "invalid YAML"],
    ),
    (
        "bad size",
        {"presswatch.yaml": "crawl:\n  max_download_size: 10 potatoes\n"},
        ["crawl.max_download_size:", 'invalid size "10 potatoes"'],
    ),
    (
        "pagination pattern without page slot",
        {
            "sources/pk.yaml": GOOD_SOURCE
            + "    pagination: {url_pattern: 'https://mofa.gov.pk/p', max_pages: 3}\n"
        },
        ["sources[0].pagination.url_pattern:", "{page}"],
    ),
]


def write_files(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.mark.parametrize(("files", "fragments"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_malformed_config_exits_2_naming_file_and_key(
    tmp_path: Path, files: dict[str, str], fragments: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PW_TEST_UNSET_HOST", raising=False)
    write_files(tmp_path, files)
    result = CliRunner().invoke(cli, ["--config", str(tmp_path), "check-config"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.output, f"{fragment!r} not in:\n{result.output}"


def test_all_errors_are_reported_at_once(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "presswatch.yaml": "timezone: Mars/Base\ncrawl:\n  retries: lots\n",
            "sources/a.yaml": GOOD_SOURCE.replace("every: 30m", "every: soon"),
            "rules/r.yaml": GOOD_RULE + "    mode: instant\n",
        },
    )
    result = CliRunner().invoke(cli, ["--config", str(tmp_path), "check-config"])
    assert result.exit_code == 2
    assert "4 configuration errors" in result.output
    for fragment in ("timezone:", "crawl.retries:", "schedule.every:", "rules[0].mode:"):
        assert fragment in result.output


def test_missing_config_dir_is_a_config_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--config", str(tmp_path / "nope"), "check-config"])
    assert result.exit_code == 2
    assert "config directory not found" in result.output
