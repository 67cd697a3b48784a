"""Item pipelines, one job each: validate, then store in batches (or, in a dry run, collect).

What follows from a stored batch (near-duplicate clusters, rule matches) is not a
pipeline: those steps transform no item. The store pipeline passes them to the batch
writer as after-store hooks (see crawler.pipelines.store).
"""
