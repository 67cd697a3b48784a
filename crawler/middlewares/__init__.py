"""Downloader middlewares: address safety, retry backoff and conditional GET."""
