"""The one error hierarchy of presswatch.

PresswatchError            anything a user can act on; the CLI prints it without a traceback
├── UsageError             bad command-line use (exit 2)
├── ConfigError            invalid configuration; carries every problem found (exit 2)
├── QuerySyntaxError       a rule query that does not parse (exit 2)
├── StoreError             the database could not be opened, migrated or written (exit 1)
├── CrawlError             a crawl could not be run at all (exit 1)
├── DeliveryError          a message could not be handed to the transport (exit 1)
└── DaemonError            the daemon cannot start (lock held, ...) (exit 1)
"""

from __future__ import annotations

from dataclasses import dataclass


class PresswatchError(Exception):
    """Base class: a failure with a message meant for the user."""

    exit_code = 1


class UsageError(PresswatchError):
    """The command line asked for something impossible."""

    exit_code = 2


@dataclass(frozen=True)
class ConfigIssue:
    """One problem in one config file: where it is and what is wrong."""

    file: str
    key: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        key = f" {self.key}:" if self.key else ""
        return f"{where}:{key} {self.message}"


class ConfigError(PresswatchError):
    """The configuration is invalid; `issues` lists every problem found."""

    exit_code = 2

    def __init__(self, issues: list[ConfigIssue]) -> None:
        self.issues = list(issues)
        count = len(self.issues)
        header = f"{count} configuration error{'s' if count != 1 else ''}:"
        super().__init__("\n".join([header, *(f"  {issue}" for issue in self.issues)]))


class QuerySyntaxError(PresswatchError):
    """A rule query could not be parsed; `column` is 1-based."""

    exit_code = 2

    def __init__(self, message: str, column: int | None = None) -> None:
        self.reason = message
        self.column = column
        text = f"{message} at column {column}" if column is not None else message
        super().__init__(text)


class StoreError(PresswatchError):
    """The store could not be opened, migrated or written."""


class CrawlError(PresswatchError):
    """A crawl could not be started or its process failed."""


class DeliveryError(PresswatchError):
    """A message could not be delivered by the transport."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        self.permanent = permanent
        super().__init__(message)


class DaemonError(PresswatchError):
    """The daemon cannot start or keep running."""
