"""`presswatch check-config`: validate everything and print a one-screen summary."""

from __future__ import annotations

import click

from crawler.cli.context import AppContext, pass_app
from crawler.config import Config
from crawler.config.spidercheck import has_custom_spiders, loose_permissions
from crawler.errors import ConfigError
from crawler.formatting import format_schedule, redact_url


@click.command("check-config")
@pass_app
def check_config(app: AppContext) -> None:
    """Validate the config directory: exit 0 with a summary, or 2 listing every error."""
    from alerts.notify.check import endpoint_issues  # Apprise loads only when asked
    from crawler.cluster.checks import check_executor

    config = app.config()
    executor = check_executor(config)
    # Apprise URLs only Apprise can parse; every error is reported in one go.
    if errors := [*executor.errors, *endpoint_issues(config)]:
        raise ConfigError(errors)
    click.echo(render_summary(config))
    for line in [*executor.lines, *_spider_lines(config)]:
        click.echo(line)
    for warning in [*executor.warnings, *loose_permissions(config.directory)]:
        click.echo(f"warning: {warning}", err=True)


def _spider_lines(config: Config) -> list[str]:
    """The custom spiders of the config directory and plugins (shipped ones are not news)."""
    if not has_custom_spiders(config.directory, config.sources):
        return []
    from spiders.registry import SHIPPED, available

    custom = [info for info in available() if info.name and info.origin != SHIPPED]
    lines = [f"custom spiders: {len(custom)}"]
    lines.extend(f"  {info.name:<28} {info.origin}" for info in custom)
    return lines


def render_summary(config: Config) -> str:
    """Sources, rules and recipients on one screen."""
    settings = config.settings
    lines = [
        f"config: {config.directory.resolve()}  (valid)",
        f"database: {redact_url(config.database_url)}",
        f"data dir: {config.data_dir}   timezone: {settings.timezone}   "
        f"mail: {settings.mail.transport}",
        "",
        f"sources: {len(config.sources)} ({len(config.enabled_sources)} enabled)",
    ]
    for source in config.sources:
        flags = "" if source.enabled else "  [disabled]"
        flags += "" if source.verified else "  [unverified]"
        sched = format_schedule(source.schedule.every, source.schedule.cron)
        lines.append(f"  {source.id:<28} {source.kind:<8} {sched:<16} {source.name}{flags}")
    lines.append(f"rules: {len(config.rules)} ({len(config.enabled_rules)} enabled)")
    for rule in sorted(config.rules, key=lambda r: (r.priority, r.id)):
        flags = "" if rule.enabled else "  [disabled]"
        lines.append(f"  {rule.id:<28} {rule.mode:<9} {rule.query[:60]}{flags}")
    lines.append(f"recipients: {len(settings.recipients)}")
    for recipient in settings.recipients:
        zone = config.timezone_of(recipient)
        when = recipient.digest_time.strftime("%H:%M")
        via = ", ".join(e.key for e in recipient.resolved_endpoints)
        lines.append(f"  {recipient.address or recipient.key:<36} digest {when} {zone}  via {via}")
    return "\n".join(lines)
