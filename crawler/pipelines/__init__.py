"""Item pipelines, one job each: validate, store in batches, cluster near-duplicates, match rules.

The store pipeline inserts batches and then sends the `items_stored` signal inside the
batch's transaction; the clustering and rule pipelines subscribe to it, so they see the
`InsertOutcome` (only `outcome.fresh` items are clustered or matched - duplicates never).
A subscriber's error rolls the whole batch back: items are never kept without their matches.
"""

from __future__ import annotations

items_stored = object()
"""Signal: a batch was stored; kwargs `outcome` (InsertOutcome) and `connection`."""
