"""Two processes inserting overlapping URLs at once store each exactly once."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from crawler.store.schema import items
from crawler.store.store import Store

WRITER = Path(__file__).with_name("concurrent_writer.py")
ROOT = Path(__file__).resolve().parents[2]


def test_two_processes_insert_the_union_once(store: Store, database_url: str) -> None:
    start_at = f"{time.time() + 2.0:.3f}"
    ranges = [("0", "5000", "forward"), ("2500", "7500", "reverse")]
    writers = [
        subprocess.Popen(
            [sys.executable, str(WRITER), database_url, first, last, start_at, order],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for first, last, order in ranges
    ]
    results = []
    for writer in writers:
        out, err = writer.communicate(timeout=240)
        assert writer.returncode == 0, err
        results.append(json.loads(out))
    expected = {f"https://a.example/n/{n}" for n in [*range(5000), *range(2500, 7500)]}
    assert len(expected) == 7500
    with store.connect() as connection:
        urls = connection.execute(select(items.c.url)).scalars().all()
        count = connection.execute(select(func.count()).select_from(items)).scalar_one()
    assert count == len(urls) == 7500 and set(urls) == expected
    assert sum(result["new"] for result in results) == 7500
    assert sum(result["new"] + result["unchanged"] for result in results) == 10_000
