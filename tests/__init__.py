"""Test suite of presswatch."""
