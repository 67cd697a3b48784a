"""Reliability tests: kill -9, failing SMTP and databases, hostile sites, fuzzing, security."""
