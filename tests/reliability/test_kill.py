"""kill -9 at random points and at named ones, then restart: nothing lost, nothing doubled."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.reliability.conftest import PgSchema
from tests.reliability.trials import Campaign, plan_trials, run_trial, summarize
from tests.reliability.world import SmtpSink, build_site
from tests.sites import FixtureSiteServer

TRIALS = 30
SEED = 1128
WORKERS = 3


@pytest.fixture(scope="module")
def campaign(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Campaign]:
    site = build_site()
    sink = SmtpSink.start()
    try:
        with FixtureSiteServer(site) as server:
            yield Campaign(tmp_path_factory.mktemp("kill"), site, server, sink)
    finally:
        sink.stop()


@pytest.mark.timeout(900)  # 30 trials: up to 5 min when other runs share the 2 CPUs
def test_kill9_then_restart_loses_and_doubles_nothing(campaign: Campaign) -> None:
    cycle, deliver = campaign.calibrate()
    outcomes = campaign.run(plan_trials(TRIALS, SEED, cycle, deliver), WORKERS)
    figures = summarize(outcomes)
    problems = [f"{o.fault}: {'; '.join(o.problems[:3])}" for o in outcomes if not o.ok]
    assert not problems, "\n".join(problems)
    assert figures["trials"] == TRIALS
    assert figures["killed"] >= TRIALS * 2 // 3, figures
    for key in ("items_lost", "items_duplicated", "deliveries_lost", "deliveries_duplicated"):
        assert figures[key] == 0, figures
    assert figures["crashes"] == 0, figures


@pytest.mark.timeout(200)
@pytest.mark.parametrize("fault", ["in_store_txn:1", "after_accept:1"])
def test_kill9_on_postgresql(
    campaign: Campaign, pg_schema: PgSchema, fault: str, tmp_path: Path
) -> None:
    trial = campaign.trial(f"pg-{fault.replace(':', '-')}", database_url=pg_schema.url)
    outcome = run_trial(trial, campaign.site, campaign.sink, fault, "cycle")
    assert outcome.killed and outcome.ok, outcome.problems
    if fault.startswith("after_accept"):
        assert outcome.same_id_resends == 1  # the documented at-least-once copy
