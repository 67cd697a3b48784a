"""`presswatch rules list|test|rematch`: inspect rules, try a query, re-apply rules."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click

from alerts.rules import MatchDocument, RuleEngine, RuleHit, RuleSpec, highlight, parse_query
from crawler.cli.context import AppContext, pass_app
from crawler.config import Config
from crawler.errors import PresswatchError, UsageError
from crawler.formatting import plural

MAX_FETCH_BYTES = 10 * 1024 * 1024


@click.group("rules")
def rules() -> None:
    """Keyword rules: list them, test a query or rule, re-apply rules to stored items."""


@rules.command("list")
@pass_app
def list_rules(app: AppContext) -> None:
    """Id, mode, priority, recipients and query of every rule."""
    config = app.config()
    if not config.rules:
        click.echo("no rules (add some under rules/*.yaml)")
        return
    for rule in sorted(config.rules, key=lambda r: (r.priority, r.id)):
        state = "" if rule.enabled else "  [disabled]"
        to = ", ".join(rule.recipients) or "followers"
        click.echo(f"{rule.id:<28} {rule.mode:<9} p{rule.priority:<4} -> {to}{state}")
        click.echo(f"{'':<28} {rule.query}")


@dataclass(frozen=True)
class TestInput:
    """The document a query is tried on, and where it came from."""

    document: MatchDocument
    origin: str


@rules.command("test")
@click.argument("query_or_rule")
@click.option("--text", help="Try it on this text (taken as the body; see --title).")
@click.option("--title", default="", help="A title to go with --text or --file.")
@click.option("--file", "file_", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--url", help="Fetch this page and extract its article first.")
@click.option("--item", "item_id", type=int, help="A stored item's id (see presswatch items).")
@pass_app
def test_rule(
    app: AppContext,
    query_or_rule: str,
    text: str | None,
    title: str,
    file_: Path | None,
    url: str | None,
    item_id: int | None,
) -> None:
    """Does QUERY_OR_RULE (a query, or a rule id) match? Exit 0 if so, 1 if not, 2 on errors."""
    chosen = [x for x in (text, file_, url, item_id) if x is not None]
    if len(chosen) != 1:
        raise UsageError("give exactly one of --text, --file, --url or --item")
    config = _optional_config(app)
    spec = _spec(query_or_rule, config)
    given = _input(app, config, text=text, title=title, file_=file_, url=url, item_id=item_id)
    hits = RuleEngine.from_rules([spec]).match(given.document)
    click.echo(f"{given.origin}")
    if not hits:
        click.echo("no match")
        raise SystemExit(1)
    _show_hit(hits[0], given.document)
    raise SystemExit(0)


def _optional_config(app: AppContext) -> Config | None:
    """The config when one exists: a bare query can be tried without any."""
    if not app.config_dir.is_dir():
        return None
    return app.config()


def _spec(query_or_rule: str, config: Config | None) -> RuleSpec:
    if config is not None:
        for rule in config.rules:
            if rule.id == query_or_rule:
                return RuleSpec.from_config(rule)
    parse_query(query_or_rule)  # a syntax error exits 2 with its column
    return RuleSpec(id="query", query=query_or_rule)


def _input(
    app: AppContext,
    config: Config | None,
    *,
    text: str | None,
    title: str,
    file_: Path | None,
    url: str | None,
    item_id: int | None,
) -> TestInput:
    if text is not None:
        return TestInput(MatchDocument(title, text), "text")
    if file_ is not None:
        body = file_.read_text(encoding="utf-8", errors="replace")
        return TestInput(MatchDocument(title, body), str(file_))
    if url is not None:
        return _fetch(url, config)
    assert item_id is not None
    return _stored_item(app, config, item_id)


def _fetch(url: str, config: Config | None) -> TestInput:
    import urllib.request

    from crawler.config.models import CrawlConfig
    from crawler.extract.article import extract_article

    crawl = config.settings.crawl if config else CrawlConfig()
    request = urllib.request.Request(url, headers={"User-Agent": crawl.resolved_user_agent()})
    try:
        with urllib.request.urlopen(request, timeout=crawl.timeout.total_seconds()) as response:
            body = response.read(MAX_FETCH_BYTES)
    except (OSError, ValueError) as exc:
        raise PresswatchError(f"cannot fetch {url}: {exc}") from exc
    article = extract_article(body, url)
    document = MatchDocument(article.title or "", article.body or "", language=article.language)
    return TestInput(document, f"{url}\ntitle: {article.title}")


def _stored_item(app: AppContext, config: Config | None, item_id: int) -> TestInput:
    from crawler.store.queries import get_item

    config = config or app.config()  # raises "config directory not found"
    with app.open_store().connect() as connection:
        row = get_item(connection, item_id)
    if row is None:
        raise UsageError(f"no item {item_id} in the store (see presswatch items)")
    tags = frozenset(_source_tags(config, row.source_id))
    document = MatchDocument(row.title, row.body or "", row.source_id, row.language, tags)
    return TestInput(document, f"item {row.id} ({row.source_id}): {row.title}")


def _source_tags(config: Config, source_id: str) -> list[str]:
    for source in config.sources:
        if source.id == source_id:
            return list(source.tags)
    return []


def _show_hit(hit: RuleHit, document: MatchDocument) -> None:
    click.echo("match")
    marker = (click.style("[", fg="red", bold=True), click.style("]", fg="red", bold=True))
    title_spans = [s for s in hit.spans if s.field == "title"]
    if title_spans:
        click.echo(f"  title: {highlight(document.title, title_spans, marker)}")
    pairs = list(hit.snippet_spans) + [()] * (len(hit.snippets) - len(hit.snippet_spans))
    for snippet, marks in zip(hit.snippets, pairs, strict=False):
        click.echo(f"  ... {highlight(snippet, list(marks), marker)}")


@rules.command("rematch")
@click.option("--since", default="7d", show_default=True, metavar="DURATION")
@pass_app
def rematch(app: AppContext, since: str) -> None:
    """Re-apply the enabled rules to items first seen within DURATION.

    New matches are stored and delivered like fresh ones; an item already delivered to a
    reader is never delivered to them again.
    """
    from alerts.rematch import rematch_items
    from crawler.config.durations import parse_duration

    try:
        window = parse_duration(since)
    except ValueError as exc:
        raise UsageError(f"--since: {exc}") from exc
    config = app.config()
    result = rematch_items(app.open_store(), config, window)
    matches = plural(result.new_matches, "new match")
    click.echo(f"checked {plural(result.items, 'item')}: {matches}")


COMMANDS = [rules]
