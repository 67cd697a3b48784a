"""Notifiers: one per medium (email, Apprise chat services, signed webhooks), by name."""

from __future__ import annotations

from alerts.notify.apprise_service import AppriseNotifier
from alerts.notify.base import Notifier, NotifyContext, Rendered, Ticket
from alerts.notify.email import EmailNotifier
from alerts.notify.secrets import Redactor
from alerts.notify.webhook import WebhookNotifier

__all__ = [
    "AppriseNotifier",
    "EmailNotifier",
    "Notifier",
    "NotifyContext",
    "Redactor",
    "Rendered",
    "Ticket",
    "WebhookNotifier",
]
