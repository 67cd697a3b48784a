"""The configuration reference documents every key of every config model."""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import BaseModel

from crawler.config import models

REFERENCE = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def key_paths(model: type[BaseModel], prefix: str = "") -> Iterator[str]:
    """Dotted key paths of a model; list items as `name[]`."""
    for name, info in model.model_fields.items():
        key = info.alias or name
        path = f"{prefix}{key}"
        yield path
        for inner, is_list in _models_in(info.annotation):
            yield from key_paths(inner, f"{path}[]." if is_list else f"{path}.")


def _models_in(annotation: object) -> Iterator[tuple[type[BaseModel], bool]]:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation, False
    elif origin is list and args:
        for inner, _ in _models_in(args[0]):
            yield inner, True
    elif origin in (typing.Union, types.UnionType):
        for arg in args:
            yield from _models_in(arg)


SECTIONS: list[tuple[str, type[BaseModel]]] = [
    ("presswatch.yaml", models.SettingsConfig),
    ("feed", models.FeedSource),
    ("listing", models.ListingSource),
    ("sitemap", models.SitemapSource),
    ("spider", models.SpiderSource),
    ("rules", models.RuleConfig),
]


@pytest.mark.parametrize(("section", "model"), SECTIONS, ids=[s for s, _ in SECTIONS])
def test_every_key_is_in_the_reference(section: str, model: type[BaseModel]) -> None:
    text = REFERENCE.read_text(encoding="utf-8")
    missing = [path for path in key_paths(model) if f"`{path}`" not in text]
    assert not missing, f"{REFERENCE.name} does not document ({section}): {missing}"
