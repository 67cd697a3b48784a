"""Custom spiders in the configuration: load them, and check every `kind: spider` source.

A source must name a known spider, and its `params:` must validate against that spider's
`Params` model; problems carry the source file, line and key like every other config error.
The spider registry lives in the spiders package, above this one: the loader's caller hands
it in as a `SpiderCatalog` (spiders.configdir.ConfigSpiders), so config never imports
spiders. Without a catalog, spider sources and files are not checked (nor loaded): every
command that crawls passes one.

The config directory is code now: `loose_permissions` lists spider files (and the folder)
that others than their owner may write.
"""

from __future__ import annotations

import dataclasses
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel

from crawler.config.models import SourceConfig, SpiderSource
from crawler.config.validation import validate
from crawler.config.yamlfile import KeyPath, LoadedYaml, format_path, read_yaml
from crawler.errors import ConfigIssue

FOLDER = "spiders"
_WRITERS = (("group", stat.S_IWGRP), ("others", stat.S_IWOTH))


class SpiderCatalog(Protocol):
    """The spider registry, as the config check needs it."""

    def load(self, directory: Path) -> list[ConfigIssue]:
        """Register plugin spiders and the directory's spider files; every problem (the
        registry is left as it was when a file has one)."""

    def params_model(self, name: str) -> type[BaseModel] | None:
        """The `Params` model of the spider called `name`; KeyError when none is."""

    def known_text(self) -> str:
        """The known spider names, for an error message."""

    def snapshot(self) -> Callable[[], None]:
        """Remember the registry now; the callable puts it back."""

    def forget(self) -> None:
        """Unregister the spiders an earlier load took from a config directory."""


def spider_files(directory: Path) -> list[Path]:
    """The config directory's spiders/*.py (hidden files left out), in name order."""
    folder = directory / FOLDER
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.py") if p.is_file() and not p.name.startswith("."))


def has_custom_spiders(directory: Path, sources: Iterable[SourceConfig]) -> bool:
    """Whether loading needs the spider registry: a spider source, or a spiders/*.py file."""
    from_sources = any(isinstance(s, SpiderSource) for s in sources)
    return from_sources or bool(spider_files(directory))


def check_spiders(
    directory: Path,
    sources: Iterable[SourceConfig],
    source_files: Mapping[str, str],
    environ: Mapping[str, str],
    catalog: SpiderCatalog | None,
) -> list[ConfigIssue]:
    """Load plugin and config-directory spiders; check each spider source against them."""
    sources = list(sources)
    if catalog is None:
        return []
    if not has_custom_spiders(directory, sources):
        catalog.forget()  # an earlier load registered spider files: they are gone now
        return []
    restore = catalog.snapshot()
    issues = catalog.load(directory)
    files: dict[str, LoadedYaml | None] = {}
    for source in sources:
        if isinstance(source, SpiderSource):
            name = source_files.get(source.id, "sources")
            if name not in files:
                files[name] = read_yaml(directory / name, name, environ)[0]
            loaded = files[name]
            issues.extend(_check_source(source, name, loaded, catalog, failed_files=bool(issues)))
    if issues:
        restore()  # a rejected configuration leaves the spiders as they were
    return issues


def _check_source(
    source: SpiderSource,
    name: str,
    loaded: LoadedYaml | None,
    catalog: SpiderCatalog,
    *,
    failed_files: bool,
) -> list[ConfigIssue]:
    prefix = _source_path(source.id, loaded)
    try:
        model = catalog.params_model(source.spider)
    except KeyError:
        hint = " (spider files with errors are not loaded)" if failed_files else ""
        message = f'unknown spider "{source.spider}" (known: {catalog.known_text()}){hint}'
        return [_issue(name, (*prefix, "spider"), message, loaded)]
    if model is None:
        return []  # reported where the spider is defined
    params = LoadedYaml(name, source.params, _lines_under(loaded, (*prefix, "params")))
    try:
        _, found = validate(model, params)
    except Exception as exc:  # a validator in the spider's own code failed
        message = f"params could not be checked: {type(exc).__name__}: {exc}"
        return [_issue(name, (*prefix, "params"), message, loaded)]
    return [_rebase(issue, (*prefix, "params")) for issue in found]


def _source_path(source_id: str, loaded: LoadedYaml | None) -> KeyPath:
    entries = loaded.data.get("sources") if loaded and isinstance(loaded.data, dict) else None
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        if isinstance(entry, dict) and entry.get("id") == source_id:
            return ("sources", index)
    return ("sources",)


def _lines_under(loaded: LoadedYaml | None, prefix: KeyPath) -> dict[KeyPath, int]:
    """The file's line map re-rooted at `prefix` (the root maps to the prefix's own line)."""
    if loaded is None:
        return {}
    lines = {k[len(prefix) :]: v for k, v in loaded.lines.items() if k[: len(prefix)] == prefix}
    root = loaded.line_of(prefix)
    if root is not None:
        lines.setdefault((), root)
    return lines


def _rebase(issue: ConfigIssue, prefix: KeyPath) -> ConfigIssue:
    key = format_path(prefix) + ("" if not issue.key or issue.key.startswith("[") else ".")
    return dataclasses.replace(issue, key=key + issue.key)


def _issue(name: str, path: KeyPath, message: str, loaded: LoadedYaml | None) -> ConfigIssue:
    line = loaded.line_of(path) if loaded else None
    return ConfigIssue(name, format_path(path), message, line)


def loose_permissions(directory: Path) -> Iterator[str]:
    """Warnings for spider files, and the folder, that group or others may write."""
    folder = directory / FOLDER
    if not folder.is_dir():
        return
    for path in [folder, *spider_files(directory)]:
        mode = path.stat().st_mode
        writers = [
            who for who, bit in (("group", stat.S_IWGRP), ("others", stat.S_IWOTH)) if mode & bit
        ]
        if writers:
            shown = FOLDER if path == folder else f"{FOLDER}/{path.name}"
            yield (
                f"{shown} is writable by {' and '.join(writers)} (mode {stat.S_IMODE(mode):o}): "
                f"spider files are code presswatch runs; chmod go-w {path}"
            )
