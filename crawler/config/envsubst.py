"""${VAR} and ${VAR:-default} substitution in config strings, so secrets stay out of YAML."""

from __future__ import annotations

import re
from collections.abc import Mapping

_PATTERN = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


class MissingVariableError(ValueError):
    """A ${VAR} without a default names a variable that is not set."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"environment variable {name} is not set (write ${{{name}:-default}})")


def substitute(text: str, environ: Mapping[str, str]) -> str:
    """Replace ${VAR} / ${VAR:-default}; "$$" stands for a literal "$"."""

    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, default = match.group(1), match.group(2)
        value = environ.get(name)
        if value is None or (value == "" and default is not None):
            if default is None:
                raise MissingVariableError(name)
            return default
        return value

    return _PATTERN.sub(replace, text)
