"""The email notifier: the digest's MIME message through the `mail:` transport (SMTP, outbox)."""

from __future__ import annotations

from email.message import EmailMessage

from alerts.delivery import SendResult, build_message
from alerts.digest import Digest, RenderedMessage
from alerts.notify.base import Notifier, Rendered, Ticket
from crawler.config.models import EmailEndpoint


class EmailNotifier(Notifier, kind="email"):
    """Mail to one address; the transport classifies SMTP errors (see alerts.delivery.smtp)."""

    @property
    def address(self) -> str:
        assert isinstance(self.endpoint, EmailEndpoint)
        return self.endpoint.email

    def secrets(self) -> list[str]:
        smtp = self.context.config.settings.mail.smtp
        return [smtp.password.get_secret_value()] if smtp and smtp.password else []

    def describe(self) -> str:
        return f"{self.address} via {self.context.config.settings.mail.transport}"

    def render(self, digest: Digest, ticket: Ticket) -> Rendered:
        rendered = self.context.renderer.render(digest)
        return Rendered(rendered.subject, self._message(rendered, ticket), rendered.html)

    def render_test(self, ticket: Ticket) -> Rendered:
        reader = ticket.recipient.name or self.address
        rendered = self.context.renderer.render_test(reader)
        return Rendered(rendered.subject, self._message(rendered, ticket), rendered.html)

    def send(self, rendered: Rendered, ticket: Ticket) -> SendResult:
        assert isinstance(rendered.payload, EmailMessage)
        return self.context.transport.send(rendered.payload)

    def _message(self, rendered: RenderedMessage, ticket: Ticket) -> EmailMessage:
        mail = self.context.config.settings.mail
        return build_message(
            rendered,
            from_address=mail.from_address,
            to_address=self.address,
            to_name=ticket.recipient.name,
            reply_to=mail.reply_to,
            message_id=ticket.message_id,
            date=ticket.created_at,
        )
