"""Crawls spread over machines (issue 20): a Celery app built from config, the crawl task that
`presswatch worker` runs, the per-source lock in the store, and what `status` shows of it."""
