"""Starter configuration written by `presswatch init`."""
