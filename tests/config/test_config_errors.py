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
        ["sources/pk.yaml:6: source pk-mofa: schedule.every:", 'invalid duration "5 minuts"'],
    ),
    (
        "bad cron",
        {"sources/pk.yaml": GOOD_SOURCE.replace("{every: 30m}", '{cron: "61 * * * *"}')},
        ["sources/pk.yaml:6: source pk-mofa: schedule", "invalid cron expression"],
    ),
    (
        "both every and cron",
        {"sources/pk.yaml": GOOD_SOURCE.replace("{every: 30m}", '{every: 1h, cron: "0 * * * *"}')},
        ["source pk-mofa: schedule", "exactly one of every: or cron:"],
    ),
    (
        "unknown source kind",
        {"sources/pk.yaml": GOOD_SOURCE.replace("kind: listing", "kind: webpage")},
        ["sources/pk.yaml:4: source pk-mofa: kind:", "unknown kind 'webpage'"],
    ),
    (
        "missing source kind",
        {"sources/pk.yaml": GOOD_SOURCE.replace("    kind: listing\n", "")},
        ["sources/pk.yaml", "source pk-mofa", "missing kind"],
    ),
    (
        "missing required key",
        {"sources/pk.yaml": GOOD_SOURCE.replace("    name: Pakistan MOFA\n", "")},
        ["sources/pk.yaml", "source pk-mofa: name:", "required key is missing"],
    ),
    (
        "unknown key in a source",
        {"sources/pk.yaml": GOOD_SOURCE + "    selector: {item: li}\n"},
        ["sources/pk.yaml:7: source pk-mofa: selector:", 'did you mean "selectors"'],
    ),
    (
        "non-http url",
        {"sources/pk.yaml": GOOD_SOURCE.replace("https://mofa.gov.pk", "ftp://mofa.gov.pk")},
        ["sources/pk.yaml:5: source pk-mofa: urls[0]:", "http"],
    ),
    (
        "bad source id",
        {"sources/pk.yaml": GOOD_SOURCE.replace("id: pk-mofa", "id: PK MOFA")},
        ["sources[0].id:", 'invalid id "PK MOFA"'],
    ),
    (
        "duplicate source id across files",
        {"sources/pk.yaml": GOOD_SOURCE, "sources/pk2.yaml": GOOD_SOURCE},
        [
            "sources/pk2.yaml:2: source pk-mofa: id:",
            'duplicate source id "pk-mofa"',
            "sources/pk.yaml",
        ],
    ),
    (
        "duplicate rule id in one file",
        {"rules/r.yaml": GOOD_RULE + GOOD_RULE.removeprefix("rules:\n")},
        ["rules/r.yaml:5: rule stability: id:", 'duplicate rule id "stability"'],
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
        ["presswatch.yaml:2: recipient not-an-address: address:", "invalid email address"],
    ),
    (
        "bad digest time",
        {"presswatch.yaml": "recipients:\n  - address: a@example.org\n    digest_time: '25:00'\n"},
        ["presswatch.yaml:3: recipient a@example.org: digest_time:", "HH:MM"],
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
        ["rules/r.yaml:5: rule stability: mode:", "'digest' or 'immediate'"],
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
        ["source pk-mofa: pagination.url_pattern:", "{page}"],
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
    for fragment in ("timezone:", "crawl.retries:", "schedule.every:", "rule stability: mode:"):
        assert fragment in result.output


def test_missing_config_dir_is_a_config_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--config", str(tmp_path / "nope"), "check-config"])
    assert result.exit_code == 2
    assert "config directory not found" in result.output


def check(tmp_path: Path, files: dict[str, str], *args: str) -> list[str]:
    """The error lines of `check-config` on these files (exit 2 asserted)."""
    write_files(tmp_path, files)
    result = CliRunner().invoke(cli, ["--config", str(tmp_path), *args, "check-config"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    return [line.strip() for line in result.output.splitlines()[1:]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # an unclosed flow list is noticed on the next line; the mistake is on line 5
        (
            GOOD_SOURCE.replace('["https://mofa.gov.pk/press-releases"]', "[https://x.org")
            + "  - id: b\n",
            "sources/pk.yaml:5: invalid YAML: this '[' is never closed",
        ),
        # an unclosed quote is noticed at the end of the file; the quote is on line 6
        (
            GOOD_SOURCE.replace("{every: 30m}", '{every: "30m}'),
            "sources/pk.yaml:6: invalid YAML: this quoted string is never closed",
        ),
        # a key without a colon is noticed on the following line
        (GOOD_SOURCE.replace("kind: listing", "kind listing"), "sources/pk.yaml:4: invalid YAML:"),
    ],
    ids=["unclosed bracket", "unclosed quote", "missing colon"],
)
def test_yaml_syntax_errors_point_at_the_mistake(tmp_path: Path, text: str, expected: str) -> None:
    lines = check(tmp_path, {"sources/pk.yaml": text})
    assert lines[0].startswith(expected), lines


def test_rule_query_error_gives_the_file_line_and_column_of_the_quote(tmp_path: Path) -> None:
    rule = GOOD_RULE.replace("'\"strategic stability\"'", "'arms AND \"strategic stability'")
    lines = check(tmp_path, {"rules/r.yaml": rule})
    # line 4 is `    query: 'arms AND "strategic stability'`: the quote is column 22
    assert lines == ["rules/r.yaml:4: rule stability: query: unterminated phrase at column 22"]


def test_rule_query_error_in_a_folded_query_points_into_the_right_line(tmp_path: Path) -> None:
    rule = GOOD_RULE.replace(
        "query: '\"strategic stability\"'", "query: >-\n      arms AND\n        (control OR test\n"
    )
    lines = check(tmp_path, {"rules/r.yaml": rule})
    assert lines == ["rules/r.yaml:6: rule stability: query: missing ')' at column 9"]


def test_unset_variable_is_one_error_not_two(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PW_TEST_UNSET_PORT", raising=False)
    settings = "mail:\n  transport: smtp\n  smtp:\n    host: x\n    port: ${PW_TEST_UNSET_PORT}\n"
    lines = check(tmp_path, {"presswatch.yaml": settings})
    assert len(lines) == 1, lines
    assert lines[0].startswith("presswatch.yaml:5: mail.smtp.port: environment variable")


def test_unset_password_is_not_given_a_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PW_TEST_UNSET_PASSWORD", raising=False)
    settings = (
        "mail:\n  transport: smtp\n  smtp:\n    host: x\n    password: ${PW_TEST_UNSET_PASSWORD}\n"
    )
    lines = check(tmp_path, {"presswatch.yaml": settings})
    assert len(lines) == 1, lines
    assert "PW_TEST_UNSET_PASSWORD is not set" in lines[0]
    assert ":-" not in lines[0] and "default" not in lines[0]


def test_digest_time_without_leading_zero_is_accepted(tmp_path: Path) -> None:
    from crawler.config import load_config

    write_files(
        tmp_path,
        {"presswatch.yaml": "recipients:\n  - address: a@example.org\n    digest_time: 8:05\n"},
    )
    config = load_config(tmp_path, {})
    assert config.settings.recipients[0].digest_time.isoformat() == "08:05:00"


def test_bare_dollar_variable_is_an_error(tmp_path: Path) -> None:
    lines = check(tmp_path, {"presswatch.yaml": "data_dir: $HOME/presswatch\n"})
    assert lines == [
        "presswatch.yaml:1: data_dir: $HOME is not substituted: write ${HOME} to read the "
        "environment, or $$HOME for a literal $"
    ]


def test_errors_within_a_file_are_sorted_by_line(tmp_path: Path) -> None:
    # pydantic reports model errors in field order (recipients before crawl here)
    settings = "recipients:\n  - address: nobody\ncrawl:\n  concurrency: 0\ntimezone: Mars/Base\n"
    lines = check(tmp_path, {"presswatch.yaml": settings, "rules/r.yaml": "rules: 3\n"})
    numbers = [int(line.split(":")[1]) for line in lines if line.startswith("presswatch.yaml")]
    assert numbers == [2, 4, 5]


def test_missing_default_config_directory_is_named_absolutely(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PRESSWATCH_CONFIG", raising=False)
    result = CliRunner().invoke(cli, ["check-config"])
    assert result.exit_code == 2
    assert f"{tmp_path / 'config'}: config directory not found" in result.output
