"""Config directories for daemon tests, written as JSON (which is YAML)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from crawler.config import Config, load_config


def feed_source(source_id: str, url: str, **extra: Any) -> dict[str, Any]:
    """A feed source crawled every minute unless `schedule` is given."""
    source: dict[str, Any] = {
        "id": source_id,
        "name": f"Ministry {source_id}",
        "kind": "feed",
        "urls": [url],
        "schedule": {"every": "1m"},
        "allow_private_addresses": True,
    }
    source.update(extra)
    return source


def write_config(
    directory: Path,
    *,
    sources: list[dict[str, Any]] | None = None,
    recipients: list[dict[str, Any]] | None = None,
    rules: list[dict[str, Any]] | None = None,
    **settings: Any,
) -> Path:
    """Write presswatch.yaml, sources/main.yaml and rules/main.yaml; return the directory."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "sources").mkdir(exist_ok=True)
    (directory / "rules").mkdir(exist_ok=True)
    body: dict[str, Any] = {"data_dir": "data", "recipients": recipients or []}
    body.update(settings)
    (directory / "presswatch.yaml").write_text(json.dumps(body, indent=2))
    (directory / "sources" / "main.yaml").write_text(json.dumps({"sources": sources or []}))
    (directory / "rules" / "main.yaml").write_text(json.dumps({"rules": rules or []}))
    return directory


def make_config(directory: Path, **kwargs: Any) -> Config:
    """Write and load a config directory."""
    return load_config(write_config(directory, **kwargs), environ={})
