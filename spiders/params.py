"""The params model of a custom spider: `params:` of a `kind: spider` source, checked at load."""

from __future__ import annotations

from typing import TYPE_CHECKING

from crawler.config.models import SpiderSource, Strict

if TYPE_CHECKING:
    from crawler.config.models import SourceConfig


class SpiderParams(Strict):
    """Base of every custom spider's `Params`: unknown keys are errors, values are frozen."""


def read_params(
    params_model: type[SpiderParams] | None, source: SourceConfig
) -> SpiderParams | None:
    """The source's `params:` as the spider's model (None for generic kinds, no model)."""
    if params_model is None or not isinstance(source, SpiderSource):
        return None
    return params_model.model_validate(source.params)
