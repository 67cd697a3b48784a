"""Owner of `item_bands`: near-duplicate clustering across sources (MinHash LSH bands).

A fresh item's band keys are looked up; candidates are confirmed with
`neardup.similarity >= DEFAULT_THRESHOLD` (signatures recomputed from the stored body and
cached for the crawl).  A match joins the candidate's cluster, whose id is the id of the
cluster's first item (the candidate's own id when it had no cluster yet).
"""

from __future__ import annotations

from sqlalchemy import Connection, insert, select, update

from crawler.extract import neardup
from crawler.store.items import InsertOutcome, StoredItem
from crawler.store.schema import item_bands, items

MIN_WORDS = 40
MAX_CANDIDATES = 20


class NearDuplicates:
    """After-store hook: cluster a batch's fresh items; returns how many joined a cluster."""

    def __init__(self) -> None:
        self.signatures: dict[int, neardup.MinHashSignature] = {}

    def __call__(self, outcome: InsertOutcome, connection: Connection) -> int:
        return sum(
            self.cluster(connection, stored)
            for stored in outcome.fresh
            if len(stored.record.body.split()) >= MIN_WORDS
        )

    def cluster(self, connection: Connection, stored: StoredItem) -> bool:
        """Record the item's bands and join it to its earliest near-duplicate's cluster."""
        sig = neardup.signature(stored.record.body)
        self.signatures[stored.id] = sig
        keys = neardup.band_keys(sig)
        match = self.best_match(connection, sig, keys, stored.id)
        if match is not None:
            cluster_id = match[1] or match[0]
            if match[1] is None:
                connection.execute(
                    update(items).where(items.c.id == match[0]).values(cluster_id=cluster_id)
                )
            connection.execute(
                update(items).where(items.c.id == stored.id).values(cluster_id=cluster_id)
            )
        connection.execute(insert(item_bands), [{"band": k, "item_id": stored.id} for k in keys])
        return match is not None

    def best_match(
        self, connection: Connection, sig: neardup.MinHashSignature, keys: list[str], own: int
    ) -> tuple[int, int | None] | None:
        """(item id, its cluster id) of the earliest confirmed near-duplicate, or None."""
        query = (
            select(items.c.id, items.c.cluster_id, items.c.body)
            .where(items.c.id.in_(select(item_bands.c.item_id).where(item_bands.c.band.in_(keys))))
            .where(items.c.id != own)
            .order_by(items.c.id)
            .limit(MAX_CANDIDATES)
        )
        for item_id, cluster_id, body in connection.execute(query):
            other = self.signatures.get(item_id)
            if other is None:
                other = self.signatures[item_id] = neardup.signature(body or "")
            if neardup.similarity(sig, other) >= neardup.DEFAULT_THRESHOLD:
                return item_id, cluster_id
        return None
