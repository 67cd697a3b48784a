"""Fault benchmark: N kill -9 trials (default 300), each restarted; prints losses and doubles."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.reliability.trials import Campaign, plan_trials, summarize
from tests.reliability.world import SmtpSink, build_site
from tests.sites import FixtureSiteServer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trials", type=int, default=300)
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    figures = run(args.trials, args.seed, args.workers)
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for key, value in figures.items():
            print(f"{key:>26}: {value}")
    return 0 if figures["failed_trials"] == 0 else 1


def run(trials: int, seed: int, workers: int) -> dict[str, object]:
    site = build_site()
    sink = SmtpSink.start()
    started = time.monotonic()
    try:
        with FixtureSiteServer(site) as server, tempfile.TemporaryDirectory() as tmp:
            campaign = Campaign(Path(tmp), site, server, sink)
            cycle, deliver = campaign.calibrate()
            outcomes = campaign.run(plan_trials(trials, seed, cycle, deliver), workers)
    finally:
        sink.stop()
    figures: dict[str, object] = dict(summarize(outcomes))
    figures["seed"] = seed
    figures["clean_cycle_seconds"] = round(cycle, 2)
    figures["delivery_run_seconds"] = round(deliver, 2)
    figures["wall_seconds"] = round(time.monotonic() - started, 1)
    for outcome in outcomes:
        if not outcome.ok:
            print(f"FAILED {outcome.fault}: {'; '.join(outcome.problems[:5])}", file=sys.stderr)
    return figures


if __name__ == "__main__":
    sys.exit(main())
