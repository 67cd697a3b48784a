"""Configuration: models, loading, validation with file/line/key errors."""

from __future__ import annotations

from crawler.config.loader import Config, load_config, resolve_config_dir

__all__ = ["Config", "load_config", "resolve_config_dir"]
