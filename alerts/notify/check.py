"""Checks of recipients' endpoints that need the notifier libraries (`presswatch check-config`).

Apprise URLs are secrets (given as ${VAR}) whose syntax only Apprise knows: pydantic takes any
string, so a typo in a scheme or a token used to surface at the first send, as a dead message.
"""

from __future__ import annotations

from crawler.config import Config
from crawler.config.models import AppriseEndpoint
from crawler.errors import ConfigIssue

SETTINGS = "presswatch.yaml"


def endpoint_issues(config: Config) -> list[ConfigIssue]:
    """Every `apprise:` URL Apprise's own parser refuses, named by recipient and endpoint (the
    URL and its tokens redacted); disabled recipients and endpoints are checked too."""
    from alerts.notify.apprise_service import url_problem

    issues = []
    for recipient in config.settings.recipients:
        for index, endpoint in enumerate(recipient.endpoints):
            if not isinstance(endpoint, AppriseEndpoint):
                continue
            problem = url_problem(endpoint.apprise.get_secret_value())
            if problem:
                key = f"recipient {recipient.key}: endpoints[{index}].apprise"
                issues.append(ConfigIssue(SETTINGS, key, f"endpoint {endpoint.key}: {problem}"))
    return issues
