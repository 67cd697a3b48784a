"""${VAR} and ${VAR:-default} substitution in config strings, so secrets stay out of YAML.

A bare `$NAME` (no braces) is an error rather than a literal: a config that reads
`data_dir: $HOME/presswatch` would otherwise create a directory called "$HOME". Write
`${HOME}` to substitute, or `$$HOME` for a literal dollar sign.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_PATTERN = re.compile(
    r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)"
)
_SECRET_WORDS = ("password", "secret", "token", "key")


class SubstitutionError(ValueError):
    """A config string whose variables cannot be substituted."""


class MissingVariableError(SubstitutionError):
    """A ${VAR} without a default names a variable that is not set."""

    def __init__(self, name: str, *, secret: bool = False) -> None:
        self.name = name
        hint = (
            f"set {name} in presswatch's environment"
            if secret
            else f"set it, or write ${{{name}:-default}}"
        )
        super().__init__(f"environment variable {name} is not set ({hint})")


class BareVariableError(SubstitutionError):
    """`$NAME` without braces: almost always a ${NAME} that lost its braces."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(
            f"${name} is not substituted: write ${{{name}}} to read the environment, "
            f"or $${name} for a literal $"
        )


def is_secret_key(key: str) -> bool:
    """Whether a config key holds a secret (no default should ever be suggested for it)."""
    lowered = key.lower()
    return any(word in lowered for word in _SECRET_WORDS)


def substitute(text: str, environ: Mapping[str, str], *, secret: bool = False) -> str:
    """Replace ${VAR} / ${VAR:-default}; "$$" stands for a literal "$"; bare $VAR is an error."""

    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        if match.group(3) is not None:
            raise BareVariableError(match.group(3))
        name, default = match.group(1), match.group(2)
        value = environ.get(name)
        if value is None or (value == "" and default is not None):
            if default is None:
                raise MissingVariableError(name, secret=secret)
            return default
        return value

    return _PATTERN.sub(replace, text)
