"""Read one YAML file into plain data plus a map from key paths to line numbers."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from crawler.config.envsubst import SubstitutionError, is_secret_key, substitute
from crawler.config.yamlerrors import yaml_issue
from crawler.errors import ConfigIssue

KeyPath = tuple[str | int, ...]


@dataclass
class LoadedYaml:
    """A file's data with environment variables substituted, and where each key sits."""

    name: str
    data: Any
    lines: dict[KeyPath, int] = field(default_factory=dict)
    # 0-based (line, column) where each scalar value starts, for errors inside a value
    values: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    # values whose ${VAR} could not be substituted: already reported, so not validated again
    unresolved: set[KeyPath] = field(default_factory=set)
    text: str = field(default="", repr=False)

    def line_of(self, path: KeyPath) -> int | None:
        """The line of the deepest part of `path` that exists in the file."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return None


def format_path(path: KeyPath) -> str:
    """('sources', 0, 'schedule') -> 'sources[0].schedule'."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


# list key -> (noun, the entry's keys that name it), so errors say "source pk-mofa: urls[0]"
_NAMED_LISTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "sources": ("source", ("id",)),
    "rules": ("rule", ("id",)),
    "recipients": ("recipient", ("id", "address")),
}


def describe_path(data: Any, path: KeyPath) -> str:
    """Like format_path, but an entry of sources/rules/recipients is named by its id."""
    if len(path) >= 2 and isinstance(path[1], int) and path[0] in _NAMED_LISTS:
        noun, keys = _NAMED_LISTS[str(path[0])]
        name = _entry_name(data, str(path[0]), path[1], keys)
        if name is not None:
            rest = format_path(path[2:])
            return f"{noun} {name}: {rest}" if rest else f"{noun} {name}"
    return format_path(path)


def _entry_name(data: Any, folder: str, index: int, keys: tuple[str, ...]) -> str | None:
    entries = data.get(folder) if isinstance(data, dict) else None
    if not isinstance(entries, list) or index >= len(entries):
        return None
    entry = entries[index]
    if not isinstance(entry, dict):
        return None
    for key in keys:
        value = entry.get(key)
        if isinstance(value, str) and value and " " not in value and "${" not in value:
            return value
    return None


def read_yaml(
    path: Path, name: str, environ: Mapping[str, str] | None = None
) -> tuple[LoadedYaml | None, list[ConfigIssue]]:
    """Parse `path`; return the data or the issues that prevented reading it."""
    env = os.environ if environ is None else environ
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [ConfigIssue(name, "", f"cannot read file: {exc}")]
    try:
        raw = YAML(typ="rt").load(text)
    except MarkedYAMLError as exc:
        return None, [yaml_issue(name, exc)]
    except YAMLError as exc:
        return None, [ConfigIssue(name, "", f"invalid YAML: {exc}")]
    loaded = LoadedYaml(name, None, text=text)
    errors: list[tuple[KeyPath, str]] = []
    loaded.data = _convert(raw, (), loaded, env, errors)
    issues = [
        ConfigIssue(name, describe_path(loaded.data, path), message, loaded.line_of(path))
        for path, message in errors
    ]
    return loaded, issues


def _convert(
    node: Any,
    path: KeyPath,
    loaded: LoadedYaml,
    env: Mapping[str, str],
    errors: list[tuple[KeyPath, str]],
) -> Any:
    """Turn ruamel nodes into dicts/lists, recording lines and substituting ${VAR}."""
    if isinstance(node, CommentedMap):
        result = {}
        for key, value in node.items():
            child = (*path, str(key))
            loaded.lines[child] = node.lc.key(key)[0] + 1
            loaded.values[child] = node.lc.value(key)
            result[str(key)] = _convert(value, child, loaded, env, errors)
        return result
    if isinstance(node, CommentedSeq):
        items = []
        for index, value in enumerate(node):
            child = (*path, index)
            loaded.lines[child] = node.lc.item(index)[0] + 1
            loaded.values[child] = node.lc.item(index)
            items.append(_convert(value, child, loaded, env, errors))
        return items
    if isinstance(node, str):
        key = next((str(part) for part in reversed(path) if isinstance(part, str)), "")
        try:
            return substitute(str(node), env, secret=is_secret_key(key))
        except SubstitutionError as exc:
            loaded.unresolved.add(path)
            errors.append((path, str(exc)))
            return str(node)
    return node
