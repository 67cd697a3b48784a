"""Validate plain data against a model and turn pydantic errors into ConfigIssues."""

from __future__ import annotations

import difflib
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from crawler.config.yamlfile import KeyPath, LoadedYaml, describe_path
from crawler.errors import ConfigIssue

ModelT = TypeVar("ModelT", bound=BaseModel)


def _source_models() -> dict[str, type[BaseModel]]:
    """Source kind -> model, read from the models' `kind` literals (one place to add a kind)."""
    from typing import get_args

    from crawler.config import models

    kinds = (models.FeedSource, models.ListingSource, models.SitemapSource, models.SpiderSource)
    return {get_args(m.model_fields["kind"].annotation)[0]: m for m in kinds}


_KIND_MODELS = _source_models()
_KIND_TAGS = set(_KIND_MODELS)
_KINDS_TEXT = ", ".join(_KIND_MODELS)


def validate(model: type[ModelT], loaded: LoadedYaml) -> tuple[ModelT | None, list[ConfigIssue]]:
    """Validate `loaded.data` as `model`; on failure return every problem found."""
    try:
        return model.model_validate(loaded.data if loaded.data is not None else {}), []
    except ValidationError as exc:
        issues = []
        for error in exc.errors():
            path = _issue_path(loaded, error)
            if error["type"] == "extra_forbidden" or not _derived(loaded, path):
                message = _message(error, path, loaded.data, model)
                key = describe_path(loaded.data, path)
                issues.append(ConfigIssue(loaded.name, key, message, loaded.line_of(path)))
        return None, issues


def _issue_path(loaded: LoadedYaml, error: ErrorDetails) -> KeyPath:
    path = _data_path(loaded.data, error["loc"])
    if error["type"] in {"union_tag_invalid", "union_tag_not_found"}:
        path = (*path, "kind")
    return path


def _derived(loaded: LoadedYaml, path: KeyPath) -> bool:
    """Whether the error is about a value whose ${VAR} was already reported as unset."""
    return any(path[: len(bad)] == bad for bad in loaded.unresolved)


def _data_path(data: Any, loc: tuple[int | str, ...]) -> KeyPath:
    """Drop the parts of a pydantic location that are not keys in the data (union tags)."""
    path: list[str | int] = []
    node = data
    for part in loc:
        if _has_child(node, part):
            node = node[part]
        elif isinstance(part, str) and (part in _KIND_TAGS or "[" in part or "-" in part):
            continue  # discriminator tag, or a function-validator name
        else:
            node = None
        path.append(part)
    return tuple(path)


def _has_child(node: Any, part: int | str) -> bool:
    if isinstance(node, dict):
        return part in node
    return isinstance(node, list) and isinstance(part, int) and part < len(node)


def _message(error: ErrorDetails, path: KeyPath, data: Any, model: type[BaseModel]) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return _unknown_key(path, data, model)
    if kind == "missing":
        return "required key is missing"
    text = str(error["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        text = text.removeprefix(prefix)
    if kind == "union_tag_invalid":
        tag = error.get("ctx", {}).get("tag", "?")
        return f"unknown kind {tag!r}: use one of {_KINDS_TEXT}"
    if kind == "union_tag_not_found":
        return f"missing kind: (one of {_KINDS_TEXT})"
    if kind in {"string_pattern_mismatch"} and path and path[-2:-1] == ("urls",):
        return f"invalid URL {error['input']!r}: must start with http:// or https://"
    if kind.endswith(("_type", "_parsing")):
        return f"{text} (got {_show(error.get('input'))})"
    return text


def _unknown_key(path: KeyPath, data: Any, model: type[BaseModel]) -> str:
    key = str(path[-1]) if path else "?"
    allowed = _allowed_keys(model, path[:-1], data)
    close = difflib.get_close_matches(key, allowed, n=1)
    hint = f' (did you mean "{close[0]}"?)' if close else ""
    return f'unknown key "{key}"{hint}'


def _allowed_keys(model: type[BaseModel], parent: KeyPath, data: Any) -> list[str]:
    """Field names (and aliases) of the model found at `parent`, best effort."""
    current: Any = model
    node = data
    for part in parent:
        node = node[part] if _has_child(node, part) else None
        if isinstance(part, int):
            continue
        current = _field_model(current, part, node)
        if current is None:
            return []
    if isinstance(node, dict) and "kind" in node:
        current = _kind_model(str(node["kind"])) or current
    if not (isinstance(current, type) and issubclass(current, BaseModel)):
        return []
    names = []
    for name, info in current.model_fields.items():
        names.append(info.alias or name)
    return names


def _field_model(model: Any, name: str, node: Any) -> Any:
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return None
    info = model.model_fields.get(name)
    if info is None:
        return None
    annotation = info.annotation
    for candidate in _flatten(annotation):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    if isinstance(node, dict) and "kind" in node:
        return _kind_model(str(node["kind"]))
    return None


def _flatten(annotation: Any) -> list[Any]:
    args = getattr(annotation, "__args__", None)
    if not args:
        return [annotation]
    result: list[Any] = []
    for arg in args:
        result.extend(_flatten(arg))
    return result


def _kind_model(kind: str) -> type[BaseModel] | None:
    return _KIND_MODELS.get(kind)


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
