"""The Apprise notifier: any Apprise URL (Slack, Teams, Telegram, Matrix, Discord, ntfy...).

Apprise does not report HTTP status codes, only its log lines; a failure is temporary (the
ledger retries with backoff, up to `delivery.max_attempts`) unless the service's log names a
4xx status other than 408/429, which is permanent. A URL Apprise does not understand is a
permanent error.
"""

from __future__ import annotations

import logging
import re
import warnings
from functools import cache
from typing import Any
from urllib.parse import unquote, urlsplit

from alerts.delivery import SendResult
from alerts.digest import Digest
from alerts.notify.base import Notifier, Rendered, Ticket, accepted
from alerts.notify.chat import ChatMessage, ChatRenderer, Limits
from alerts.notify.secrets import MIN_SECRET, Redactor
from crawler.config.models import AppriseEndpoint
from crawler.errors import DeliveryError

_STATUS = re.compile(r"\b(?:error code|status code|HTTP|error)[:= ]+(\d{3})\b", re.IGNORECASE)
TEMPORARY_STATUS = frozenset({408, 425, 429})
# URL parts shorter than this are not treated as secrets (they would blank out common words).
MIN_SECRET_PART = 6


@cache
def apprise_module() -> Any:
    """The `apprise` module with its plugins loaded. Some plugins import the deprecated
    `imghdr`; that warning is Apprise's, not something a presswatch user can act on."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import apprise

        probe = apprise.Apprise()
        probe.add("json://localhost")  # loads every plugin module once
    return apprise


def url_secrets(url: str, shortest: int = MIN_SECRET_PART) -> list[str]:
    """The URL, its user and password, and each part of its path and query: services
    put tokens in any of them (slack://T.../B.../XXX, tgram://bot-token/chat)."""
    parts = urlsplit(url)
    pieces = [url, parts.password or "", parts.username or ""]
    pieces += [unquote(p) for p in re.split(r"[/?&=,]", f"{parts.path}?{parts.query}")]
    if parts.hostname and "." not in parts.hostname:  # a token as the "host": slack://T…
        pieces.append(parts.hostname)
    return [piece for piece in pieces if len(piece) >= shortest]


_ANY_URL = re.compile(r"\b([a-z][a-z0-9+.-]*)://\S*", re.IGNORECASE)


def url_problem(url: str) -> str | None:
    """Why Apprise's own parser refuses `url` (None when it takes it), in its words with every
    URL and token redacted: `check-config` reports it before a message is ever sent."""
    apprise = apprise_module()
    logger = logging.getLogger("apprise")
    propagate, logger.propagate = logger.propagate, False  # its lines carry the URL
    try:
        with apprise.LogCapture(level=logging.WARNING) as captured:
            accepted = apprise.Apprise().add(url)
    finally:
        logger.propagate = propagate
    if accepted:
        return None
    redactor = Redactor()
    redactor.add(*url_secrets(url, shortest=MIN_SECRET))
    lines = [line.split(" - ", 2)[-1].strip() for line in captured.getvalue().splitlines()]
    reasons = [_ANY_URL.sub(r"\1://***", redactor.redact(line)) for line in lines if line]
    scheme = urlsplit(url.strip()).scheme
    what = f"this {scheme}:// URL" if scheme else "this URL (no scheme://)"
    why = "; ".join(dict.fromkeys(reasons)) or "rejected"
    return f"Apprise does not understand {what}: {why}"


class AppriseNotifier(Notifier, kind="apprise"):
    """Posts a Markdown rendering of the digest or alert through one Apprise URL."""

    @property
    def settings(self) -> AppriseEndpoint:
        assert isinstance(self.endpoint, AppriseEndpoint)
        return self.endpoint

    @property
    def url(self) -> str:
        return self.settings.apprise.get_secret_value()

    def secrets(self) -> list[str]:
        return url_secrets(self.url)

    def describe(self) -> str:
        service = self._service()
        if service is None:
            return f"{urlsplit(self.url).scheme}:// (not understood by Apprise)"
        private = str(service[0].url(privacy=True)).split("?")[0]
        return f"{service[0].service_name}: {self.context.redactor.redact(private)}"

    def limits(self) -> Limits:
        service = self._service()
        if service is None:
            return Limits()
        plugin = service[0]
        return Limits(body=int(plugin.body_maxlen) or Limits.body, title=int(plugin.title_maxlen))

    def render(self, digest: Digest, ticket: Ticket) -> Rendered:
        message = self._renderer().render(
            digest, self.limits(), top=self.settings.top_items, feeds=self.context.feed_urls
        )
        return Rendered(message.title, message)

    def render_test(self, ticket: Ticket) -> Rendered:
        reader = ticket.recipient.name or ticket.recipient.key
        message = self._renderer().render_test(reader, self.limits())
        return Rendered(message.title, message)

    def send(self, rendered: Rendered, ticket: Ticket) -> SendResult:
        assert isinstance(rendered.payload, ChatMessage)
        service = self._service()
        if service is None:
            raise DeliveryError(f"{self.describe()}: check the apprise: URL", permanent=True)
        apprise = apprise_module()
        with apprise.LogCapture(level=logging.WARNING) as captured:
            ok = service.notify(
                body=rendered.payload.body,
                title=rendered.payload.title,
                body_format=apprise.NotifyFormat.MARKDOWN,
            )
        if ok:
            return accepted(ticket.message_id, self.describe())
        raise self.classify_log(captured.getvalue())

    def classify_log(self, log_text: str) -> DeliveryError:
        """The error Apprise logged; permanent for a 4xx status other than 408/425/429."""
        lines = [line.split(" - ", 2)[-1].strip() for line in log_text.splitlines() if line]
        reason = "; ".join(dict.fromkeys(lines)) or "the service did not accept the message"
        codes = [int(code) for code in _STATUS.findall(log_text)]
        permanent = any(400 <= c < 500 and c not in TEMPORARY_STATUS for c in codes)
        text = self.context.redactor.redact(f"{self.describe()}: {reason}")
        return DeliveryError(text, permanent=permanent)

    def _renderer(self) -> ChatRenderer:
        return self.context.chat_renderer

    def _service(self) -> Any:
        """An `Apprise` object with this one URL, or None when Apprise rejects the URL."""
        if not hasattr(self, "_apprise"):
            apprise = apprise_module()
            service = apprise.Apprise()
            self._apprise = service if service.add(self.url) else None
        return self._apprise
