"""The web console: `presswatch serve` (and `run --serve`), an ASGI app over the store."""
