"""A small archive for the console tests: config directory, items, matches and deliveries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert

from crawler.config import Config, load_config
from crawler.store.items import ItemRecord, insert_items
from crawler.store.schema import deliveries, rule_matches
from crawler.store.store import Store

PASSWORD = "correct horse battery staple"
SMTP_SECRET = "smtp-secret-never-shown"

SETTINGS = """\
database:
  url: "{url}"
data_dir: data
mail:
  transport: outbox
  smtp:
    host: smtp.example.org
    password: ${{PW_TEST_SMTP}}
recipients:
  - id: analyst
    address: analyst@example.org
web:
  password: ${{PW_TEST_WEB}}
"""
SOURCES = """\
sources:
  - id: ruritania-mfa
    name: МИД Руритании
    kind: feed
    urls: ["https://ruritania.example/feed.xml"]
    tags: [ministry]
  - id: freedonia-mfa
    name: Freedonia MFA
    kind: feed
    urls: ["https://freedonia.example/feed.xml"]
    tags: [ministry]
  - id: wire
    name: Wire
    kind: feed
    urls: ["https://wire.example/feed.xml"]
"""
RULES = """\
rules:
  - id: strategic-stability
    name: Strategic stability
    query: '"strategic stability" OR "стратегическая стабильность" OR "战略稳定"'
  - id: cpec
    name: CPEC
    query: 'CPEC OR "سی پیک"'
"""

# (source, url, language, title, body, published)
ITEMS = [
    (
        "ruritania-mfa",
        "https://ruritania.example/1",
        "ru",
        "Брифинг официального представителя",
        "Мы выступаем за укрепление стратегической стабильности и контроль над вооружениями.",
        datetime(2026, 3, 10, 9, 0, tzinfo=UTC),
    ),
    (
        "ruritania-mfa",
        "https://ruritania.example/2",
        "ru",
        "О стратегической стабильности",
        "Заявление по вопросам стратеги\u00adческой стабильности в регионе.",  # soft hyphen
        datetime(2026, 4, 2, 9, 0, tzinfo=UTC),
    ),
    (
        "freedonia-mfa",
        "https://freedonia.example/1",
        "en",
        "Freedonia and Pakistan discuss strategic stability",
        "The ministers reaffirmed their commitment to strategic stability in South Asia.",
        datetime(2026, 3, 12, 9, 0, tzinfo=UTC),
    ),
    (
        "freedonia-mfa",
        "https://freedonia.example/2",
        "en",
        "Instability in the region <script>alert(1)</script>",
        "Strategic instability was discussed; the minister spoke of stable ties & trade.",
        datetime(2026, 3, 15, 9, 0, tzinfo=UTC),
    ),
    (
        "wire",
        "https://wire.example/1",
        "zh",
        "双方同意维护战略稳定",
        "中巴经济走廊建设取得进展，双方同意维护战略稳定。",
        datetime(2026, 3, 20, 9, 0, tzinfo=UTC),
    ),
    (
        "wire",
        "https://wire.example/2",
        "ur",
        "وزیر اعظم نے سی پیک منصوبوں کا جائزہ لیا",
        "وزیر اعظم نے سی پیک منصوبوں کا جائزہ لیا۔ Café diplomacy continued.",
        datetime(2026, 3, 25, 9, 0, tzinfo=UTC),
    ),
]


@dataclass
class Archive:
    config: Config
    store: Store
    ids: dict[str, int]  # url -> item id


def write_config(directory: Path, database_url: str) -> Path:
    config_dir = directory / "config"
    (config_dir / "sources").mkdir(parents=True)
    (config_dir / "rules").mkdir()
    (config_dir / "presswatch.yaml").write_text(SETTINGS.format(url=database_url), encoding="utf-8")
    (config_dir / "sources" / "s.yaml").write_text(SOURCES, encoding="utf-8")
    (config_dir / "rules" / "r.yaml").write_text(RULES, encoding="utf-8")
    return config_dir


def environment() -> dict[str, str]:
    return {"PW_TEST_WEB": PASSWORD, "PW_TEST_SMTP": SMTP_SECRET}


def build_archive(directory: Path, database_url: str) -> Archive:
    """Config + store with ITEMS, two stored rule matches and one failing delivery."""
    config = load_config(write_config(directory, database_url), environment())
    store = Store.from_config(config)
    records = [
        ItemRecord(source_id=s, url=u, language=lang, title=t, body=b, published_at=p)
        for s, u, lang, t, b, p in ITEMS
    ]
    with store.begin() as connection:
        outcome = insert_items(connection, records)
        ids = {item.record.url: item.id for item in outcome.fresh}
        now = datetime(2026, 4, 3, 8, 0, tzinfo=UTC)
        first = ids["https://ruritania.example/1"]
        connection.execute(
            insert(rule_matches),
            [
                {"item_id": first, "rule_id": "strategic-stability", "matched_at": now},
                {
                    "item_id": ids["https://freedonia.example/1"],
                    "rule_id": "strategic-stability",
                    "matched_at": now,
                },
            ],
        )
        connection.execute(
            insert(deliveries).values(
                recipient="analyst",
                item_id=first,
                rule_id="strategic-stability",
                channel="digest",
                status="failed",
                attempts=2,
                last_error="550 mailbox <b>unavailable</b>",
                created_at=now,
            )
        )
    return Archive(config, store, ids)
