"""The table of `presswatch sources kinds`: every spider, its origin and its params."""

from __future__ import annotations

import typing

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined
from rich.table import Table

from spiders.registry import SHIPPED, available

GENERIC_PARAMS = "keys of its own (docs/configuration.md)"


def render_kinds() -> Table:
    """kind | spider | from | params, generic kinds first."""
    table = Table()
    for name in ("kind", "spider", "from", "params"):
        table.add_column(name, overflow="fold")
    for info in available():
        if not info.name:
            table.add_row(info.kind, "-", SHIPPED, GENERIC_PARAMS)
            continue
        doc = (info.spider.__doc__ or "").strip().splitlines()
        title = f"{info.name}\n{doc[0]}" if doc else info.name
        table.add_row(info.kind, title, info.origin, describe_params(info.spider.Params))
    return table


def describe_params(model: type[BaseModel] | None) -> str:
    """One line per field: `name: type = default` (or `(required)`), then its description."""
    if model is None:
        return "(no params model)"
    lines = [_field_line(name, info) for name, info in model.model_fields.items()]
    return "\n".join(lines) or "(none)"


def _field_line(name: str, info: FieldInfo) -> str:
    kind = _type_name(info.annotation)
    if info.is_required():
        text = f"{name}: {kind} (required)"
    else:
        default = info.get_default(call_default_factory=True)
        text = f"{name}: {kind} = {default!r}" if default is not PydanticUndefined else name
    return f"{text} - {info.description}" if info.description else text


def _type_name(annotation: object) -> str:
    if isinstance(annotation, type) and not typing.get_args(annotation):
        return annotation.__name__
    return str(annotation).replace("typing.", "")
