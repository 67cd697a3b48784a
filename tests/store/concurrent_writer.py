"""A writer process for the concurrency test: insert a range of URLs in batches."""

from __future__ import annotations

import json
import sys
import time

from crawler.store.items import ItemRecord, insert_items
from crawler.store.store import Store


def main(url: str, first: int, last: int, start_at: float, reverse: bool) -> None:
    """Insert URLs first..last-1 in batches of 250 and print the totals."""
    batch = 250
    store = Store.from_url(url, migrate_schema=False)
    numbers = list(range(first, last))
    if reverse:
        numbers.reverse()
    records = [
        ItemRecord("ministry", f"https://a.example/n/{n}", f"Title {n}", f"Body {n}")
        for n in numbers
    ]
    time.sleep(max(0.0, start_at - time.time()))
    new = unchanged = 0
    for start in range(0, len(records), batch):
        with store.begin() as connection:
            outcome = insert_items(connection, records[start : start + batch])
        new += len(outcome.new)
        unchanged += outcome.unchanged
    store.close()
    print(json.dumps({"new": new, "unchanged": unchanged}))


if __name__ == "__main__":
    main(
        sys.argv[1],
        int(sys.argv[2]),
        int(sys.argv[3]),
        float(sys.argv[4]),
        sys.argv[5] == "reverse",
    )
