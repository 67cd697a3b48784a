"""Fault benchmark: N kill -9 trials (default 300), each restarted; prints losses and doubles."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from tests.reliability.trials import Campaign, Outcome, plan_trials, summarize
from tests.reliability.world import SmtpSink, build_site
from tests.sites import FixtureSiteServer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trials", type=int, default=300)
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--keep-failed",
        type=Path,
        metavar="DIR",
        help="copy each failed trial's directory (config, stdout/stderr of every run, DB) here",
    )
    args = parser.parse_args(argv)
    figures = run(args.trials, args.seed, args.workers, keep_failed=args.keep_failed)
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for key, value in figures.items():
            print(f"{key:>26}: {value}")
    return 0 if figures["failed_trials"] == 0 else 1


def run(
    trials: int, seed: int, workers: int, *, keep_failed: Path | None = None
) -> dict[str, object]:
    site = build_site()
    sink = SmtpSink.start()
    started = time.monotonic()
    try:
        with FixtureSiteServer(site) as server, tempfile.TemporaryDirectory() as tmp:
            campaign = Campaign(Path(tmp), site, server, sink, keep_failed=keep_failed)
            if keep_failed is not None:
                keep_failed.mkdir(parents=True, exist_ok=True)
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
            report_failure(outcome, kept=keep_failed is not None)
        elif len(outcome.attempts) > 1 and outcome.root is not None:
            first = outcome.attempts[0]
            why = " | ".join(first.tail(outcome.root, 3)) or "no stderr"
            print(
                f"RETRIED {outcome.fault}: first restart exit {first.code} after "
                f"{first.seconds:.0f} s ({why})",
                file=sys.stderr,
            )
    return figures


def report_failure(outcome: Outcome, *, kept: bool) -> None:
    """One failed trial on stderr: fault, problems, restart exit code, its last 20 stderr lines."""
    where = f" (kept in {outcome.root})" if kept and outcome.root else ""
    print(f"FAILED {outcome.fault}{where}: {'; '.join(outcome.problems[:5])}", file=sys.stderr)
    print(f"  restart exit code: {outcome.restart_code}", file=sys.stderr)
    for attempt in outcome.attempts:
        print(
            f"  restart run {attempt.label}: exit {attempt.code}, {attempt.seconds:.1f} s",
            file=sys.stderr,
        )
    tail = outcome.restart_tail(20)
    heading = "restart stderr (last 20 lines):" if tail else "restart stderr: empty"
    print(f"  {heading}", file=sys.stderr)
    for line in tail:
        print(f"    | {line}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
