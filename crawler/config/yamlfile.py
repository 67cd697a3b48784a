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

from crawler.config.envsubst import MissingVariableError, substitute
from crawler.errors import ConfigIssue

KeyPath = tuple[str | int, ...]


@dataclass
class LoadedYaml:
    """A file's data with environment variables substituted, and where each key sits."""

    name: str
    data: Any
    lines: dict[KeyPath, int] = field(default_factory=dict)

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
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        problem = exc.problem or str(exc).splitlines()[0]
        return None, [ConfigIssue(name, "", f"invalid YAML: {problem}", line)]
    except YAMLError as exc:
        return None, [ConfigIssue(name, "", f"invalid YAML: {exc}")]
    loaded = LoadedYaml(name, None)
    issues: list[ConfigIssue] = []
    loaded.data = _convert(raw, (), loaded, env, issues)
    return loaded, issues


def _convert(
    node: Any, path: KeyPath, loaded: LoadedYaml, env: Mapping[str, str], issues: list[ConfigIssue]
) -> Any:
    """Turn ruamel nodes into dicts/lists, recording lines and substituting ${VAR}."""
    if isinstance(node, CommentedMap):
        result = {}
        for key, value in node.items():
            child = (*path, str(key))
            loaded.lines[child] = node.lc.key(key)[0] + 1
            result[str(key)] = _convert(value, child, loaded, env, issues)
        return result
    if isinstance(node, CommentedSeq):
        items = []
        for index, value in enumerate(node):
            child = (*path, index)
            loaded.lines[child] = node.lc.item(index)[0] + 1
            items.append(_convert(value, child, loaded, env, issues))
        return items
    if isinstance(node, str):
        try:
            return substitute(str(node), env)
        except MissingVariableError as exc:
            issues.append(
                ConfigIssue(loaded.name, format_path(path), str(exc), loaded.line_of(path))
            )
            return str(node)
    return node
