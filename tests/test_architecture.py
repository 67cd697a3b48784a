"""The import direction and the table owners of docs/architecture.md, checked on the source.

A small AST walk (no import-linter): every `import` and `from ... import` of presswatch's
own packages, including imports inside functions (a lazy import is still a dependency).
A layer may import itself and any layer below it, never one above.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from crawler.store.schema import metadata

ROOT = Path(__file__).resolve().parent.parent
OURS = ("crawler", "alerts", "spiders", "scheduler")

# Top first. A module belongs to the longest prefix listed; every module must have one.
LAYERS: list[tuple[str, ...]] = [
    ("crawler.cli", "crawler.web", "crawler.demo", "crawler.starter"),  # faces
    ("scheduler",),
    ("crawler.daemon",),
    ("alerts.dispatch", "crawler.crawl", "crawler.cluster"),
    ("spiders", "crawler.pipelines", "crawler.middlewares", "crawler.scrapy_settings"),
    # What a crawl's components share: the Runtime type they read (below them, above store).
    ("crawler.crawl.runtime",),
    # The media (email, chat, webhook) and the Atom feeds, used by the dispatch job.
    ("alerts.notify", "alerts.feeds"),
    ("alerts.ledger", "alerts.digest", "alerts.delivery", "alerts.rematch"),
    ("crawler.store",),
    ("crawler.extract", "crawler.config", "crawler.formatting"),
    ("alerts.rules",),
    ("crawler.errors", "crawler.logs", "crawler.items", "crawler", "alerts"),
]

# Each table: its owner module (the writer, with typed readers), and the other modules that
# may import it, each with why. Nothing else imports crawler.store.schema's tables.
OWNERS = {
    "sources": "crawler.store.sources",
    "crawl_runs": "crawler.store.sources",
    "items": "crawler.store.items",
    "item_revisions": "crawler.store.items",
    "item_bands": "crawler.store.clusters",
    "rule_matches": "crawler.store.matches",
    "http_validators": "crawler.store.validators",
    "url_aliases": "crawler.store.articles",
    "article_retries": "crawler.store.articles",
    "installation": "crawler.store.installation",
    "daemon_lock": "crawler.daemon.lock",
    "deliveries": "alerts.ledger",
    "messages": "alerts.ledger",
    "evidence_records": "crawler.store.evidence",
    "edit_baselines": "crawler.store.edits",
    "item_edits": "crawler.store.edits",
    "item_rechecks": "crawler.store.rechecks",
}
RETENTION = "crawler.store.gc"  # deletes old rows of every table
LEDGER_JOINS = "the ledger's digest and enqueue joins (issue 17 rewrites the ledger)"
CONSOLE = "the web console's reads (crawler/web is being reworked for issue 19)"
ALSO = {
    "items": {
        "crawler.store.queries": "the read side of items (search, fetch, texts to match)",
        "crawler.store.clusters": "sets items.cluster_id",
        "crawler.store.articles": "identities of stored items",
        "crawler.store.matches": "the matched items a feed of matches lists",
        "alerts.ledger": LEDGER_JOINS,
        "crawler.web": CONSOLE,
    },
    "item_revisions": {"crawler.web": CONSOLE},
    "rule_matches": {
        "alerts.ledger": LEDGER_JOINS + "; marks enqueued_at",
        "crawler.web": CONSOLE,
    },
    "sources": {"alerts.ledger": LEDGER_JOINS},
    "crawl_runs": {"alerts.ledger": LEDGER_JOINS},
    "deliveries": {"crawler.web": CONSOLE},
}


@dataclass(frozen=True)
class Edge:
    source: str  # importing module
    target: str  # imported module (resolved to a submodule where one is named)
    line: int


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def our_modules() -> dict[str, Path]:
    files = [ROOT / "scheduler.py"]
    for package in ("crawler", "alerts", "spiders"):
        files += [p for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts]
    return {module_name(path): path for path in files}


def imports(path: Path, known: set[str]) -> Iterator[tuple[str, int, list[str]]]:
    """(imported module, line, names imported from it) of each of our own imports."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno, []
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [alias.name for alias in node.names]
            submodules = [f"{node.module}.{n}" for n in names if f"{node.module}.{n}" in known]
            if submodules:  # `from alerts import ledger` depends on alerts.ledger
                for submodule in submodules:
                    yield submodule, node.lineno, []
            else:
                yield node.module, node.lineno, names


def edges() -> list[Edge]:
    modules = our_modules()
    found = []
    for name, path in modules.items():
        for target, line, _ in imports(path, set(modules)):
            if target.split(".")[0] in OURS:
                found.append(Edge(name, target, line))
    return found


def layer_of(module: str) -> tuple[int, str]:
    """(layer index, the prefix that placed it), by the longest listed prefix."""
    best: tuple[int, str] | None = None
    for index, layer in enumerate(LAYERS):
        for prefix in layer:
            inside = module == prefix or module.startswith(prefix + ".")
            if inside and (best is None or len(prefix) > len(best[1])):
                best = (index, prefix)
    if best is None:
        raise LookupError(f"{module} is in no layer: place it in LAYERS and docs/architecture.md")
    return best


def package(module: str) -> str:
    """The package-level name the import graph uses (crawler.x, alerts.x, spiders...)."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] in ("crawler", "alerts") and len(parts) > 1 else parts[0]


def upward(edge: Edge) -> bool:
    return layer_of(edge.target)[0] < layer_of(edge.source)[0]


def test_every_module_has_a_layer() -> None:
    for module in our_modules():
        layer_of(module)


def test_imports_point_down() -> None:
    wrong = [
        f"{e.source}:{e.line} imports {e.target} "
        f"({layer_of(e.source)[1]} is below {layer_of(e.target)[1]})"
        for e in edges()
        if upward(e)
    ]
    assert not wrong, "upward imports:\n" + "\n".join(wrong)


def test_no_two_parts_import_each_other() -> None:
    """Parts of one layer may import each other, but only one way (no two-way ties)."""
    pairs = {(layer_of(e.source)[1], layer_of(e.target)[1]) for e in edges()}
    mutual = sorted((a, b) for a, b in pairs if a < b and (b, a) in pairs)
    assert not mutual, f"two-way ties: {mutual}"


def _owned_by(module: str, owner: str) -> bool:
    return module == owner or module.startswith(owner + ".")


def table_imports() -> Iterator[tuple[str, str, int]]:
    """(importing module, table, line) of every table imported from crawler.store.schema."""
    modules = our_modules()
    for name, path in modules.items():
        for target, line, names in imports(path, set(modules)):
            if target == "crawler.store.schema" and name != "crawler.store.schema":
                for table in names:
                    if table in OWNERS:
                        yield name, table, line


def test_every_table_has_one_owner() -> None:
    tables = {t.name for t in metadata.sorted_tables}
    assert tables == set(OWNERS), "a table without an owner (or an owner of no table)"


def test_only_owners_and_declared_readers_import_a_table() -> None:
    wrong = []
    for module, table, line in table_imports():
        allowed = [OWNERS[table], RETENTION, *ALSO.get(table, {})]
        if not any(_owned_by(module, owner) for owner in allowed):
            wrong.append(f"{module}:{line} imports {table} (owner: {OWNERS[table]})")
    assert not wrong, "tables read behind their owner's back:\n" + "\n".join(wrong)


def test_declared_readers_still_read() -> None:
    """A reader exemption that no longer matches an import is deleted."""
    used = {(table, module) for module, table, _ in table_imports()}
    stale = [
        (table, reader)
        for table, readers in ALSO.items()
        for reader in readers
        if not any(t == table and _owned_by(m, reader) for t, m in used)
    ]
    assert not stale, f"stale reader exemptions: {stale}"


def test_only_the_store_branches_on_the_sql_dialect() -> None:
    """Dialect differences live in crawler.store (dialect.py and the owners' internals)."""
    wrong = []
    for module, path in our_modules().items():
        if _owned_by(module, "crawler.store") or _owned_by(module, "crawler.web"):
            continue  # crawler.web: the console's search (issue 19) keeps its FTS branch
        text = path.read_text(encoding="utf-8")
        if "dialect.name" in text or "sqlalchemy.dialects" in text:
            wrong.append(module)
    assert not wrong, f"dialect branches outside the store: {wrong}"


@pytest.mark.parametrize("doc", ["docs/architecture.md"])
def test_the_architecture_page_names_every_layer_and_owner(doc: str) -> None:
    text = (ROOT / doc).read_text(encoding="utf-8")
    missing = [p for layer in LAYERS for p in layer if f"`{p}`" not in text]
    missing += [t for t in OWNERS if f"`{t}`" not in text]
    assert not missing, f"{doc} does not name: {missing}"
