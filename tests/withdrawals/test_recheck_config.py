"""The `rechecks:` settings and a source's override: defaults, the policy built from them,
and clear errors naming the file and the key."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.cli.main import cli
from crawler.config import load_config
from crawler.store.withdrawal import RecheckPolicy
from tests.config.test_config_errors import GOOD_RULE, GOOD_SOURCE, write_files

SETTINGS = """\
rechecks:
  window: 14d
  intervals:
    - {below: 2d, every: 12h}
    - {below: 14d, every: 2d}
  confirm_after: 12h
  budget_per_source_per_day: 20
"""


def _config(tmp_path: Path, settings: str, source_extra: str = "") -> Path:
    return write_files(
        tmp_path,
        {
            "presswatch.yaml": settings,
            "sources/pk.yaml": GOOD_SOURCE + source_extra,
            "rules/r.yaml": GOOD_RULE,
        },
    )


def test_the_policy_comes_from_the_settings_and_the_source(tmp_path: Path) -> None:
    config = load_config(_config(tmp_path, SETTINGS))
    policy = RecheckPolicy.from_config(config, config.source("pk-mofa"))
    assert policy.window == timedelta(days=14) and policy.confirm_after == timedelta(hours=12)
    two_days, two_weeks = timedelta(days=2), timedelta(days=14)
    assert policy.intervals == ((two_days, timedelta(hours=12)), (two_weeks, two_days))
    assert policy.budget_per_source_per_day == 20 and policy.enabled
    assert RecheckPolicy.from_config(load_config(_config(tmp_path / "d", ""))) == RecheckPolicy()


@pytest.mark.parametrize(
    ("extra", "enabled", "budget"),
    [
        ("    rechecks: false\n", False, 20),
        ("    rechecks: {budget_per_day: 5}\n", True, 5),
        ("    rechecks: {budget_per_day: 0}\n", False, 0),
        ("    rechecks: {enabled: false}\n", False, 20),
    ],
)
def test_a_source_overrides_the_budget_or_opts_out(
    tmp_path: Path, extra: str, enabled: bool, budget: int
) -> None:
    config = load_config(_config(tmp_path, SETTINGS, extra))
    policy = RecheckPolicy.from_config(config, config.source("pk-mofa"))
    assert (policy.enabled, policy.budget_per_source_per_day) == (enabled, budget)


@pytest.mark.parametrize(
    ("settings", "source_extra", "expected"),
    [
        ("rechecks:\n  windw: 3d\n", "", ["presswatch.yaml:2: rechecks.windw:", "unknown key"]),
        ("rechecks:\n  budget_per_source_per_day: -1\n", "", ["rechecks.budget_per_source"]),
        (
            "rechecks:\n  intervals:\n    - {below: 7d, every: 1d}\n    - {below: 1d, every: 6h}\n",
            "",
            ["rechecks.intervals", "ascending"],
        ),
        (
            "rechecks:\n  intervals:\n    - {below: 1d, every: 1h}\n",
            "",
            ["rechecks.intervals", "at least 3h"],
        ),
        ("rechecks:\n  confirm_after: soon\n", "", ["rechecks.confirm_after", "invalid duration"]),
        ("", "    rechecks: {budget: 5}\n", ["sources/pk.yaml:7:", "rechecks.budget: unknown key"]),
        ("", "    rechecks: maybe\n", ["source pk-mofa: rechecks: write true, false or"]),
    ],
)
def test_bad_recheck_settings_are_clear_errors(
    tmp_path: Path, settings: str, source_extra: str, expected: list[str]
) -> None:
    directory = _config(tmp_path, settings, source_extra)
    result = CliRunner().invoke(cli, ["--config", str(directory), "check-config"])
    assert result.exit_code == 2, result.output
    for fragment in expected:
        assert fragment in result.output, result.output
