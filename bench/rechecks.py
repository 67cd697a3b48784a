"""Request cost of the recheck round: requests per source per day, from a simulated month.

A source crawled every hour sends `rate` items a day to its readers (evenly spread); each
crawl runs the real planning and recording of the round on a SQLite store
(`crawler.store.rechecks`: watch, due_items, spent_since, record_recheck, and
`withdrawal.plan_round` for the budget), with every recheck answered 200. After a warm-up
of one window (30 days: the steady state, where items of every age are watched) it counts
the next `days` days and prints, per send rate: the requests per day (mean and max), what
the uncapped schedule would cost (`RecheckPolicy.daily_cost`), how late rechecks ran on
average (all checks, and those of an item's first day), and how many checks an item got
over its window.

    python -m bench.rechecks [--days 30] [--rates 1,2,5,10,20] [--budget 50]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from crawler.store.items import ItemRecord, insert_items, prepare_records
from crawler.store.rechecks import due_items, record_recheck, spent_since, watch
from crawler.store.schema import item_rechecks
from crawler.store.store import Store
from crawler.store.withdrawal import Item, Observation, RecheckPolicy, plan_round

SOURCE = "bench"
START = datetime(2026, 1, 1, tzinfo=UTC)
CRAWL_EVERY = timedelta(hours=1)


@dataclass(frozen=True)
class Figures:
    rate: float
    mean_per_day: float
    max_per_day: int
    uncapped_per_day: float
    mean_late_hours: float
    first_day_late_hours: float  # the checks of an item's first day: where most news is
    checks_per_item: float


def simulate(rate: float, days: int, policy: RecheckPolicy, workdir: Path) -> Figures:
    """One source at `rate` sent items a day for a window of warm-up plus `days`."""
    store = Store.from_url(f"sqlite:///{workdir / f'rate-{rate}.db'}")
    warmup = policy.window.days
    end = START + timedelta(days=warmup + days)
    gap = timedelta(days=1) / rate
    next_send, sent = START, 0
    per_day: Counter[int] = Counter()
    late: list[float] = []
    first_day_late: list[float] = []
    sent_at: dict[int, datetime] = {}
    now = START
    while now < end:
        with store.begin() as connection:
            while next_send <= now:
                sent += 1
                item_id = _item(connection, sent)
                sent_at[item_id] = next_send
                watch(connection, item_id, SOURCE, next_send, policy)
                next_send += gap
            due = due_items(connection, SOURCE, now)
            spent = spent_since(connection, SOURCE, now - timedelta(days=1))
            chosen = plan_round(due, now, spent, policy)
            due_at = {d.item_id: d.due_at for d in due}
            for item_id in chosen:
                seen = Observation(now, 200, f"https://bench.example/{item_id}")
                item = Item(seen.final_url or "", None, ())
                record_recheck(connection, item, item_id, seen, None, outage=False, policy=policy)
                if now >= START + timedelta(days=warmup):
                    per_day[(now - START).days] += 1
                    hours = (now - due_at[item_id]).total_seconds() / 3600
                    late.append(hours)
                    if due_at[item_id] - sent_at[item_id] <= timedelta(days=1):
                        first_day_late.append(hours)
        now += CRAWL_EVERY
    checks = _checks_of_finished(store, end, policy)
    store.close()
    counted = [per_day.get(day, 0) for day in range(warmup, warmup + days)]
    return Figures(
        rate=rate,
        mean_per_day=statistics.mean(counted),
        max_per_day=max(counted),
        uncapped_per_day=policy.daily_cost(rate),
        mean_late_hours=statistics.mean(late) if late else 0.0,
        first_day_late_hours=statistics.mean(first_day_late) if first_day_late else 0.0,
        checks_per_item=checks,
    )


def _item(connection: object, n: int) -> int:
    record = ItemRecord(SOURCE, f"https://bench.example/{n}", f"Statement {n}", f"Text {n}.")
    outcome = insert_items(connection, prepare_records([record]))  # type: ignore[arg-type]
    return outcome.new[0].id


def _checks_of_finished(store: Store, end: datetime, policy: RecheckPolicy) -> float:
    """Mean checks of the items whose whole window lies in the simulation."""
    with store.connect() as connection:
        query = select(item_rechecks.c.checks).where(item_rechecks.c.sent_at <= end - policy.window)
        checks = [int(c) for (c,) in connection.execute(query)]
    return statistics.mean(checks) if checks else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.rechecks")
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--rates", default="1,2,5,10,20")
    parser.add_argument("--budget", type=int, default=50)
    args = parser.parse_args(argv)
    policy = RecheckPolicy(budget_per_source_per_day=args.budget)
    print(
        f"window {policy.window.days}d, {policy.checks_per_item()} checks per item on schedule,"
        f" budget {args.budget}/source/day, a crawl every hour; {args.days} days measured"
        " after a window of warm-up"
    )
    print(
        f"{'sent/day':>8} {'req/day':>8} {'max/day':>8} {'uncapped':>9} {'late h':>7}"
        f" {'day-1 late h':>12} checks"
    )
    with tempfile.TemporaryDirectory(prefix="bench-rechecks-") as tmp:
        for rate in (float(r) for r in args.rates.split(",")):
            f = simulate(rate, args.days, policy, Path(tmp))
            print(
                f"{f.rate:>8g} {f.mean_per_day:>8.1f} {f.max_per_day:>8} "
                f"{f.uncapped_per_day:>9.0f} {f.mean_late_hours:>7.1f}"
                f" {f.first_day_late_hours:>12.1f} {f.checks_per_item:.1f}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
