"""Alembic migrations of the presswatch store."""
