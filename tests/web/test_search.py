"""Archive search: index candidates confirmed by the engine give exactly what a rule matches."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, insert, select, text

from alerts.rules import MatchDocument, RuleSpec, parse_query, reference_match
from crawler.errors import QuerySyntaxError
from crawler.store import migrate
from crawler.store.fulltext import index_query
from crawler.store.items import ItemRecord, insert_items
from crawler.store.schema import items
from crawler.store.store import Store
from crawler.web.search import SearchFilters, search
from tests.store.helpers import query_plan
from tests.web.fixtures import Archive

QUERIES = [
    '"стратегическая стабильность"',
    "стабильности",
    '"strategic stability"',
    "stability",
    "stabil*",
    "*stability",
    "战略稳定",
    "稳定",  # two CJK characters: shorter than a trigram
    '"سی پیک"',
    '"سي پيك"',  # Arabic letter variants of the Urdu phrase
    "cafe",
    "=Café",
    "title:stability",
    "body:(stability OR стабильности)",
    "strategic NEAR/2 stability",
    '"strategic stability" NOT Pakistan',
    "stability AND lang:ru",
    "stability OR ab",
    "tag:ministry AND (stability OR стабильность)",
    "/stab[a-zа-я]*/",
    "ties trade",
    '"ties & trade"',
]


def _tags(archive: Archive) -> dict[str, frozenset[str]]:
    return {s.id: frozenset(s.tags) for s in archive.config.sources}


def _expected(archive: Archive, query: str) -> list[int]:
    """Every stored item the rule engine's slow reference evaluator matches, newest first."""
    tags = _tags(archive)
    spec = RuleSpec(id="q", query=query)
    with archive.store.connect() as connection:
        rows = list(connection.execute(select(items).order_by(items.c.id.desc())))
    return [
        row.id
        for row in rows
        if reference_match(
            spec,
            MatchDocument(
                row.title,
                row.body,
                row.source_id,
                row.language,
                tags.get(row.source_id, frozenset()),
            ),
        )
    ]


def _found(archive: Archive, query: str, filters: SearchFilters | None = None) -> list[int]:
    with archive.store.connect() as connection:
        page = search(connection, query, filters, tags=_tags(archive))
    return [r.id for r in page.results]


@pytest.mark.parametrize("query", QUERIES)
def test_results_are_exactly_what_a_rule_matches(archive: Archive, query: str) -> None:
    expected = _expected(archive, query)
    assert _found(archive, query) == expected


def test_russian_inflected_phrase_uses_the_index(archive: Archive) -> None:
    with archive.store.connect() as connection:
        page = search(connection, '"стратегическая стабильность"')
    found = {r.id for r in page.results}
    assert found == {
        archive.ids["https://ruritania.example/1"],
        archive.ids["https://ruritania.example/2"],
    }
    assert page.used_index
    first = next(r for r in page.results if r.id == archive.ids["https://ruritania.example/1"])
    body = ItemBody(archive, first.id)
    assert [body[s.start : s.end] for s in first.hit.spans] == ["стратегической стабильности"]


def ItemBody(archive: Archive, item_id: int) -> str:
    with archive.store.connect() as connection:
        return str(
            connection.execute(select(items.c.body).where(items.c.id == item_id)).scalar_one()
        )


def test_filters(archive: Archive) -> None:
    query = "stability OR стабильности OR 稳定"
    everything = set(_found(archive, query))
    assert len(everything) == 4
    by_source = _found(archive, query, SearchFilters(source="freedonia-mfa"))
    assert by_source == [archive.ids["https://freedonia.example/1"]]
    by_lang = set(_found(archive, query, SearchFilters(language="RU")))
    assert by_lang == {
        archive.ids["https://ruritania.example/1"],
        archive.ids["https://ruritania.example/2"],
    }
    by_rule = set(_found(archive, query, SearchFilters(rule="strategic-stability")))
    assert by_rule == {
        archive.ids["https://ruritania.example/1"],
        archive.ids["https://freedonia.example/1"],
    }
    march = SearchFilters(
        since=datetime(2026, 3, 11, tzinfo=UTC), until=datetime(2026, 3, 21, tzinfo=UTC)
    )
    assert set(_found(archive, query, march)) == {
        archive.ids["https://freedonia.example/1"],
        archive.ids["https://wire.example/1"],
    }
    assert _found(archive, query, SearchFilters(source="nowhere")) == []


def test_pages_continue_where_the_last_stopped(archive: Archive) -> None:
    query = "stability OR стабильности OR 稳定"
    seen: list[int] = []
    before = None
    with archive.store.connect() as connection:
        for _ in range(10):
            page = search(connection, query, limit=1, before=before)
            seen += [r.id for r in page.results]
            before = page.next_before
            if not page.results:
                break
    assert seen == _expected(archive, query)


def test_syntax_errors_carry_the_column(archive: Archive) -> None:
    with archive.store.connect() as connection, pytest.raises(QuerySyntaxError) as caught:
        search(connection, "stability AND (")
    assert caught.value.column == 16  # the end of the query


def test_updated_and_deleted_items_keep_the_index_exact(archive: Archive) -> None:
    url = "https://freedonia.example/1"
    changed = ItemRecord(
        source_id="freedonia-mfa",
        url=url,
        language="en",
        title="Freedonia and Pakistan discuss trade",
        body="The ministers discussed trade only.",
    )
    with archive.store.begin() as connection:
        assert insert_items(connection, [changed]).updated == [archive.ids[url]]
    assert archive.ids[url] not in _found(archive, '"strategic stability"')
    assert _found(archive, "ministers discussed") == [archive.ids[url]]
    with archive.store.begin() as connection:
        connection.execute(delete(items).where(items.c.id == archive.ids[url]))
    assert _found(archive, "ministers discussed") == []
    if archive.store.dialect == "sqlite":
        with archive.store.connect() as connection:
            check = "INSERT INTO items_fts(items_fts, rank) VALUES ('integrity-check', 0)"
            connection.execute(text(check))  # raises when the index disagrees with its data


def test_index_query_shapes() -> None:
    def match(query: str) -> str | None:
        return index_query(parse_query(query).root).match

    assert match('"стратегическая стабильность"') == '"стратегическ" AND "стабильн"'
    assert match("title:stability") == 'title : "stability"'
    assert match("a OR stability") is None  # one alternative too short to look up
    assert match("ab AND stability") == '"stability"'
    assert match('"strategic stability" AND NOT treaty') == '"strategic" AND "stability"'
    assert index_query(parse_query("/stab/").root).reason.startswith("the query has no word")
    assert "shorter" in index_query(parse_query("稳定").root).reason


def test_postgresql_lookups_use_the_trigram_index(archive: Archive) -> None:
    if archive.store.dialect != "postgresql":
        pytest.skip("PostgreSQL only (SQLite's index is the FTS5 table)")
    sql = "SELECT item_id FROM item_search WHERE body LIKE %s ORDER BY item_id DESC LIMIT 400"
    plan = query_plan(archive.store, sql, ("%стратегическ%",))
    assert "ix_item_search_body" in plan


def test_migration_indexes_items_stored_before_it(database_url: str) -> None:
    store = Store.from_url(database_url, migrate_schema=False)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    old = [  # rows as a version before 0009 wrote them (no index rows)
        {"title": "Итоги", "body": "о стратегической стабильности", "n": 1},
        {"title": "Trade", "body": "nothing relevant", "n": 2},
    ]
    try:
        migrate.upgrade(store.engine, "0005")
        with store.begin() as connection:
            connection.execute(
                insert(items),
                [
                    {
                        "source_id": "s",
                        "url": f"https://e.example/{row['n']}",
                        "canonical_url": f"https://e.example/{row['n']}",
                        "url_fp": f"{row['n']:040d}",
                        "content_fp": f"{row['n']:040d}",
                        "title": row["title"],
                        "body": row["body"],
                        "first_seen_at": now,
                        "updated_at": now,
                        "extra": {},
                    }
                    for row in old
                ],
            )
        store.upgrade()
        with store.connect() as connection:
            page = search(connection, '"стратегическая стабильность"')
        assert page.used_index and [r.title for r in page.results] == ["Итоги"]
    finally:
        store.close()
