"""Config of recipients' endpoints: the short form still works, errors name file, line, key."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from crawler.cli.main import cli

GOOD = """\
recipients:
  - id: desk
    endpoints:
      - email: desk@example.org
      - name: teams
        apprise: ${TEAMS_URL}
        cadences: [immediate]
      - webhook: https://hooks.example.org/presswatch
        secret: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
  - address: analyst@example.org
    immediate: false
"""

BAD = """\
recipients:
  - id: desk
    endpoints:
      - webhook: https://x.example/h
        secret: nope
      - apprise: json://localhost
        cadences: [weekly]
      - sms: "+123"
  - name: nobody
  - id: twice
    endpoints:
      - email: a@example.org
      - email: b@example.org
"""


def _check(tmp_path: Path, text: str, **env: str) -> tuple[int, str]:
    (tmp_path / "rules").mkdir(parents=True, exist_ok=True)
    (tmp_path / "presswatch.yaml").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(tmp_path), "check-config"], env=env)
    return result.exit_code, result.output


def test_endpoints_and_the_short_form(tmp_path: Path) -> None:
    code, output = _check(tmp_path, GOOD, TEAMS_URL="json://hooks.example.org/teams")
    assert code == 0, output
    assert "via email, teams, webhook" in output
    assert "analyst@example.org" in output and "via email" in output
    from crawler.config import load_config

    config = load_config(tmp_path, environ={"TEAMS_URL": "msteams://a/b/c/d"})
    desk, analyst = config.settings.recipients
    assert [e.key for e in desk.resolved_endpoints] == ["email", "teams", "webhook"]
    teams = desk.endpoint("teams")
    assert teams is not None and teams.cadences == ["immediate"]
    [mail] = analyst.resolved_endpoints
    assert (mail.kind, mail.key, mail.cadences) == ("email", "email", ["digest"])
    assert analyst.key == "analyst@example.org"


def test_endpoint_errors_name_line_and_key(tmp_path: Path) -> None:
    code, output = _check(tmp_path, BAD)
    assert code == 2
    lines = [line.strip() for line in output.splitlines()]
    expected = [
        "presswatch.yaml:5: recipient desk: endpoints[0].secret: the webhook secret must be",
        "presswatch.yaml:7: recipient desk: endpoints[1].cadences[0]: Input should be",
        "presswatch.yaml:8: recipient desk: endpoints[2]: an endpoint needs exactly one of",
        "presswatch.yaml:9: recipients[1]: give address: or endpoints:",
        "presswatch.yaml:10: recipient twice: endpoint name 'email' is used twice",
    ]
    for start in expected:
        assert any(line.startswith(start) for line in lines), (start, output)
    assert "Traceback" not in output


def test_a_missing_secret_variable_is_named_not_suggested(tmp_path: Path) -> None:
    code, output = _check(tmp_path, GOOD)
    assert code == 2
    assert "TEAMS_URL" in output
