"""The daemon: single-daemon lease, scheduled jobs, catch-up, signals and status."""
