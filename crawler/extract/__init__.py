"""Extraction library: pure functions turning fetched bytes into articles, feeds and listings."""
