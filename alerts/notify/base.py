"""The `Notifier` interface: render a digest or alert for one medium, send it, classify errors.

Cadence (digest or immediate, and the ledger's guarantees) lives in `alerts.dispatch` and
`alerts.ledger`; a notifier only knows its medium. Kinds register by name
(`class Foo(Notifier, kind="foo")`) and are built from a recipient's endpoint with
`Notifier.from_config(endpoint, context)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import Any, ClassVar

from alerts.delivery import SendResult, Transport
from alerts.delivery.message import message_id_domain
from alerts.digest import Digest, DigestRenderer, build_environment
from alerts.notify.chat import ChatRenderer
from alerts.notify.names import rule_feed_name
from alerts.notify.secrets import Redactor
from crawler.config import Config
from crawler.config.models import EndpointBase, RecipientConfig
from crawler.errors import ConfigError, ConfigIssue, DeliveryError


@dataclass(frozen=True)
class Ticket:
    """What the ledger says about one message: its stable id, when it was composed, for whom.

    `message_id` is the same on every retry of the message, so receivers can de-duplicate
    (the Message-ID of mail, the `webhook-id` of webhooks; chat services take no id).
    """

    message_id: str
    created_at: datetime
    recipient: RecipientConfig
    channel: str = "digest"


@dataclass(frozen=True)
class Rendered:
    """A message rendered for one medium; `summary` is recorded in the ledger (subject)."""

    summary: str
    payload: Any
    preview_html: str = ""


@dataclass
class NotifyContext:
    """What notifiers of one dispatch call share: the config, the mail transport (one SMTP
    TLS context), the renderers (templates compiled once) and the secret redactor."""

    config: Config
    dry_run: bool = False
    redactor: Redactor = field(default_factory=Redactor)

    @cached_property
    def transport(self) -> Transport:
        return Transport.from_config(
            self.config.settings.mail, self.config.data_dir, dry_run=self.dry_run
        )

    @cached_property
    def renderer(self) -> DigestRenderer:
        return DigestRenderer.from_config(
            self.config.template_dir, subject_prefix=self.config.settings.mail.subject_prefix
        )

    @cached_property
    def chat_renderer(self) -> ChatRenderer:
        return ChatRenderer(
            build_environment(self.config.template_dir),
            subject_prefix=self.config.settings.mail.subject_prefix,
        )

    @cached_property
    def feed_urls(self) -> dict[str, str]:
        """Rule id -> the URL of its Atom feed (only when `feeds.base_url` is set)."""
        feeds = self.config.settings.feeds
        if not feeds.enabled or feeds.base_url is None:
            return {}
        base = feeds.base_url.rstrip("/")
        return {rule.id: f"{base}/{rule_feed_name(rule.id)}" for rule in self.config.rules}

    @cached_property
    def domain(self) -> str:
        mail = self.config.settings.mail
        return message_id_domain(mail.from_address, mail.message_id_domain)

    def close(self) -> None:
        if "transport" in self.__dict__:
            self.transport.close()


class Notifier:
    """One endpoint's medium. `send` raises `DeliveryError(permanent=...)` (see `classify`)."""

    registry: ClassVar[dict[str, type[Notifier]]] = {}
    kind: ClassVar[str] = ""

    def __init_subclass__(cls, *, kind: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if kind in Notifier.registry:
            raise TypeError(f"notifier {kind!r} is already registered")
        cls.kind = kind
        Notifier.registry[kind] = cls

    def __init__(self, endpoint: EndpointBase, context: NotifyContext) -> None:
        self.endpoint = endpoint
        self.context = context

    @classmethod
    def from_config(cls, endpoint: EndpointBase, context: NotifyContext) -> Notifier:
        """The notifier of `endpoint.kind`, its secrets registered with the redactor."""
        impl = Notifier.registry.get(endpoint.kind)
        if impl is None:
            known = ", ".join(sorted(Notifier.registry))
            message = f"unknown notifier kind {endpoint.kind!r}; known: {known}"
            raise ConfigError([ConfigIssue("presswatch.yaml", "recipients", message)])
        notifier = impl(endpoint, context)
        context.redactor.add(*notifier.secrets())
        return notifier

    def secrets(self) -> list[str]:
        """Strings that must never appear in logs, `status` or errors (tokens, keys)."""
        return []

    def describe(self) -> str:
        """Where messages go, secrets redacted (for `notify list` and logs)."""
        raise NotImplementedError

    def render(self, digest: Digest, ticket: Ticket) -> Rendered:
        """The digest or alert in this medium's form."""
        raise NotImplementedError

    def render_test(self, ticket: Ticket) -> Rendered:
        """The message of `presswatch notify test`."""
        raise NotImplementedError

    def send(self, rendered: Rendered, ticket: Ticket) -> SendResult:
        """Hand the message over or raise `DeliveryError` (see `classify`)."""
        raise NotImplementedError

    def classify(self, exc: BaseException) -> DeliveryError:
        """Whether a failure is temporary (retried with backoff) or permanent (dead)."""
        if isinstance(exc, DeliveryError):
            return exc
        return DeliveryError(self.context.redactor.redact(str(exc) or type(exc).__name__))

    def close(self) -> None:
        """Release connections (nothing by default)."""


def accepted(message_id: str, detail: str) -> SendResult:
    """A `SendResult` stamped now."""
    return SendResult(message_id, datetime.now(UTC), detail)
