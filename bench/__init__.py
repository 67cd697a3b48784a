"""Benchmark scripts that print figures: run each from the repository root as
`python -m bench.NAME` (they import presswatch and, some, the test fixtures in tests/)."""
