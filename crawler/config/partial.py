"""The usable part of a broken configuration, for commands that only read the store.

`presswatch status` must still report on a daemon that keeps running on its old config while
the files on disk are broken. It needs the database settings and whatever sources still
validate; a config whose database settings cannot be read is still an error (guessing the
default SQLite path would report on, and create, the wrong database).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from crawler.config.loader import SETTINGS_FILE, Config, _load_many, load_config
from crawler.config.models import SettingsConfig, SourcesFile
from crawler.config.spidercheck import SpiderCatalog
from crawler.config.yamlfile import read_yaml
from crawler.errors import ConfigError

# sections without which the store cannot be found
_ESSENTIAL = ("database", "data_dir")


def load_config_partial(
    directory: Path,
    environ: Mapping[str, str] | None = None,
    *,
    spiders: SpiderCatalog | None = None,
) -> tuple[Config, ConfigError | None]:
    """The whole config and None; or, if it is broken, its valid parts and the error."""
    env = dict(os.environ if environ is None else environ)
    try:
        return load_config(directory, env, spiders=spiders), None
    except ConfigError as exc:
        error = exc
    settings = _salvage_settings(directory, env)
    if settings is None:
        raise error
    sources, _ = _load_many(directory, "sources", SourcesFile, env, [])
    source_list = tuple(s for f in sources for s in f.sources)
    return Config(directory, settings, source_list, (), {}, env), error


def _salvage_settings(directory: Path, env: Mapping[str, str]) -> SettingsConfig | None:
    """The sections of presswatch.yaml that validate on their own; None if the store's are bad."""
    path = directory / SETTINGS_FILE
    if not directory.is_dir():
        return None
    if not path.exists():
        return SettingsConfig()
    loaded, _ = read_yaml(path, SETTINGS_FILE, env)
    if loaded is None or not isinstance(loaded.data or {}, dict):
        return None
    data: dict[str, Any] = loaded.data or {}
    if any(bad[0] in _ESSENTIAL for bad in loaded.unresolved):
        return None
    kept: dict[str, Any] = {}
    for key, value in data.items():
        if any(bad[:1] == (key,) for bad in loaded.unresolved):
            continue
        if _valid_section(key, value):
            kept[key] = value
        elif key in _ESSENTIAL:
            return None
    try:
        return SettingsConfig.model_validate(kept)
    except ValidationError:  # sections valid alone but not together
        return None


def _valid_section(key: str, value: Any) -> bool:
    try:
        SettingsConfig.model_validate({key: value})
    except ValidationError:
        return False
    return True
