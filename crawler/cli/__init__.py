"""The presswatch command-line interface."""
