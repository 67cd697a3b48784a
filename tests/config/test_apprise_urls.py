"""`check-config` asks Apprise's own parser about every `apprise:` URL: a URL it refuses is a
config error naming the file, recipient and endpoint, the URL and its tokens never shown."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from alerts.notify.apprise_service import url_problem
from crawler.cli.main import cli

CONFIG = """\
recipients:
  - id: desk
    endpoints:
      - email: desk@example.org
      - name: slack
        apprise: ${SLACK_URL}
      - name: chat
        apprise: json://localhost/hook
  - id: ops
    enabled: false
    endpoints:
      - apprise: slack://T0SECRETA/B0SECRETB
"""
TYPO = "slakc://T0SECRET1/B0SECRET2/xoxsecrettoken"
SECRETS = ("T0SECRET", "B0SECRET", "xoxsecrettoken", "SECRETA", "SECRETB")


def _check(tmp_path: Path, slack_url: str) -> tuple[int, str]:
    (tmp_path / "rules").mkdir(parents=True, exist_ok=True)
    (tmp_path / "presswatch.yaml").write_text(CONFIG, encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["--config", str(tmp_path), "check-config"], env={"SLACK_URL": slack_url}
    )
    return result.exit_code, result.output


def test_urls_apprise_refuses_are_errors_naming_recipient_and_endpoint(tmp_path: Path) -> None:
    code, output = _check(tmp_path, TYPO)
    assert code == 2, output
    lines = [line.strip() for line in output.splitlines()]
    expected = [
        "presswatch.yaml: recipient desk: endpoints[1].apprise: endpoint slack: Apprise does "
        "not understand this slakc:// URL",
        "presswatch.yaml: recipient ops: endpoints[0].apprise: endpoint apprise: Apprise does "
        "not understand this slack:// URL",
    ]
    for start in expected:
        assert any(line.startswith(start) for line in lines), (start, output)
    assert not [secret for secret in SECRETS if secret in output], output
    assert "chat" not in output.split("errors:")[-1]  # json://localhost/hook is fine
    assert "Traceback" not in output


def test_urls_apprise_takes_pass(tmp_path: Path) -> None:
    code, output = _check(tmp_path, "json://localhost/slack")
    assert code == 2  # ops's slack URL (one token missing) is still refused
    assert "recipient desk" not in output
    assert url_problem("json://localhost/slack") is None
    assert url_problem("ntfy://ntfy.example.org/press-alerts") is None


def test_the_reason_is_apprise_s_own_with_tokens_redacted() -> None:
    problem = url_problem("slack://T0SECRETA/B0SECRETB")
    assert problem is not None and problem.startswith("Apprise does not understand this slack://")
    assert "Token" in problem  # Apprise says which part is wrong
    assert not [secret for secret in SECRETS if secret in problem]
    assert url_problem("no-scheme-at-all") == (
        "Apprise does not understand this URL (no scheme://): Unsupported URL: ***"
    )
