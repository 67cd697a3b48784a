"""Loading valid configs: defaults, overrides, environment substitution, the shipped config."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.cli.main import cli
from crawler.config import load_config
from crawler.config.durations import parse_duration, parse_size
from crawler.config.envsubst import MissingVariableError, substitute
from crawler.formatting import format_duration

REPO = Path(__file__).resolve().parents[2]


def test_shipped_config_loads_and_checks(tmp_path: Path) -> None:
    config = load_config(REPO / "config", environ={"PRESSWATCH_DATA_DIR": str(tmp_path)})
    assert config.sources, "the shipped config must define sources"
    assert config.rules
    assert config.settings.recipients
    result = CliRunner().invoke(cli, ["--config", str(REPO / "config"), "check-config"])
    assert result.exit_code == 0, result.output
    assert "sources:" in result.output and "rules:" in result.output


def test_empty_directory_gives_defaults(tmp_path: Path) -> None:
    config = load_config(tmp_path, environ={})
    assert config.settings.timezone == "UTC"
    assert config.settings.crawl.concurrency == 8
    assert config.database_url == f"sqlite:///{tmp_path.resolve() / 'data' / 'presswatch.db'}"


def test_user_file_overrides_only_its_keys(tmp_path: Path) -> None:
    (tmp_path / "presswatch.yaml").write_text("crawl:\n  concurrency: 3\n")
    crawl = load_config(tmp_path, environ={}).settings.crawl
    assert crawl.concurrency == 3
    assert crawl.retries == 3
    assert crawl.timeout == timedelta(seconds=30)


def test_environment_substitution_and_database_override(tmp_path: Path) -> None:
    (tmp_path / "presswatch.yaml").write_text(
        "mail:\n  transport: smtp\n  smtp:\n    host: ${SMTP_HOST:-localhost}\n"
        "    password: ${SMTP_PASSWORD}\n    port: ${SMTP_PORT:-2525}\n"
    )
    env = {"SMTP_PASSWORD": "s3cret", "PRESSWATCH_DATABASE_URL": "sqlite:////tmp/x.db"}
    config = load_config(tmp_path, environ=env)
    smtp = config.settings.mail.smtp
    assert smtp is not None
    assert smtp.host == "localhost" and smtp.port == 2525
    assert smtp.password is not None and smtp.password.get_secret_value() == "s3cret"
    assert "s3cret" not in repr(config.settings)
    assert config.database_url == "sqlite:////tmp/x.db"


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90s", 90), ("30m", 1800), ("2h", 7200), ("7d", 604800), ("1h30m", 5400), (45, 45)],
)
def test_durations(text: str | int, seconds: int) -> None:
    assert parse_duration(text).total_seconds() == seconds


def test_duration_round_trip_and_errors() -> None:
    assert format_duration(timedelta(minutes=90)) == "1h30m"
    for bad in ("5 minuts", "", "-3m", "m"):
        with pytest.raises(ValueError, match="invalid duration"):
            parse_duration(bad)
    assert parse_size("10MB") == 10_000_000 and parse_size("1KiB") == 1024


def test_substitute() -> None:
    env = {"A": "1", "EMPTY": ""}
    assert substitute("x${A}y", env) == "x1y"
    assert substitute("${B:-dflt}", env) == "dflt"
    assert substitute("${EMPTY:-dflt}", env) == "dflt"
    assert substitute("$$A", env) == "$A"
    with pytest.raises(MissingVariableError):
        substitute("${B}", env)
