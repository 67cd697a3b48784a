"""Alerting: keyword rules, digests, delivery."""
