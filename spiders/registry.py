"""Which spider class crawls a source, and where every available spider comes from.

Generic spiders register by kind, custom ones by name (`BaseSourceSpider.__init_subclass__`).
Custom spiders come from three places, loaded in this order so that a later one never
replaces an earlier one: shipped (this package), plugins (installed distributions with an
entry point in the group `presswatch.spiders`) and the config directory's `spiders/*.py`
(`spiders.configdir`).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points

import spiders
from crawler.config.models import SourceConfig, SpiderSource
from crawler.errors import ConfigIssue, CrawlError
from spiders.base import BaseSourceSpider
from spiders.params import SpiderParams

ENTRY_POINT_GROUP = "presswatch.spiders"
SHIPPED = "shipped"
# Where each plugin or config-file spider came from; shipped ones are not listed.
_origins: dict[type[BaseSourceSpider], str] = {}
_plugin_issues: list[ConfigIssue] | None = None


@dataclass(frozen=True)
class SpiderInfo:
    """An available spider: its kind or name, its class and where it comes from."""

    kind: str
    name: str
    spider: type[BaseSourceSpider]
    origin: str


@dataclass(frozen=True)
class Snapshot:
    """The registries at one moment, to see what a plugin or a spider file added."""

    custom: dict[str, type[BaseSourceSpider]]
    generic: dict[str, type[BaseSourceSpider]]

    @classmethod
    def take(cls) -> Snapshot:
        return cls(dict(BaseSourceSpider.custom), dict(BaseSourceSpider.generic))

    def restore(self) -> None:
        BaseSourceSpider.custom.clear()
        BaseSourceSpider.custom.update(self.custom)
        BaseSourceSpider.generic.clear()
        BaseSourceSpider.generic.update(self.generic)


def load_all() -> None:
    """Import every module of the spiders package so subclasses register themselves."""
    for module in pkgutil.iter_modules(spiders.__path__):
        importlib.import_module(f"spiders.{module.name}")


def load_plugins() -> list[ConfigIssue]:
    """Load the entry points of `presswatch.spiders` (once per process); their problems."""
    global _plugin_issues  # noqa: PLW0603 - installed distributions do not change in a process
    if _plugin_issues is None:
        load_all()
        _plugin_issues = []
        for entry_point in sorted(entry_points(group=ENTRY_POINT_GROUP), key=_entry_key):
            _plugin_issues.extend(_load_plugin(entry_point))
    return list(_plugin_issues)


def _entry_key(entry_point: EntryPoint) -> tuple[str, str]:
    return (_distribution(entry_point), entry_point.name)


def _distribution(entry_point: EntryPoint) -> str:
    dist = entry_point.dist
    return f"{dist.name} {dist.version}" if dist is not None else entry_point.value


def _load_plugin(entry_point: EntryPoint) -> list[ConfigIssue]:
    where = f"plugin {_distribution(entry_point)}"
    key = f"entry point {entry_point.name} = {entry_point.value}"
    before = Snapshot.take()
    try:
        loaded = entry_point.load()
    except Exception as exc:  # any failure of someone else's code is reported, not raised
        return [ConfigIssue(where, key, f"cannot load: {type(exc).__name__}: {exc}")]
    added, issues = claim_new(before, where, origin=where)
    if isinstance(loaded, type) and issubclass(loaded, BaseSourceSpider):
        added.extend([loaded] if loaded.kind == "spider" and loaded not in added else [])
        _origins.setdefault(loaded, where)
    if not added and not issues:
        issues.append(ConfigIssue(where, key, "provides no spider (kind = spider and a name)"))
    return issues


def claim_new(
    before: Snapshot, where: str, *, origin: str
) -> tuple[list[type[BaseSourceSpider]], list[ConfigIssue]]:
    """Spiders registered since `before`: record their origin; undo and report name clashes."""
    issues = list(_generic_replaced(before, where))
    added: list[type[BaseSourceSpider]] = []
    for name, spider in list(BaseSourceSpider.custom.items()):
        old = before.custom.get(name)
        if old is spider:
            continue
        if old is not None:
            BaseSourceSpider.custom[name] = old
            message = f'spider name "{name}" is already taken ({origin_of(old)}); choose another'
            issues.append(ConfigIssue(where, class_key(spider, origin), message, line_of(spider)))
            continue
        _origins[spider] = origin
        added.append(spider)
        issues.extend(_check_params_model(spider, where, class_key(spider, origin)))
    return added, issues


def _generic_replaced(before: Snapshot, where: str) -> Iterator[ConfigIssue]:
    """Only shipped code defines generic kinds: a subclass that would replace one is refused."""
    for kind, spider in list(BaseSourceSpider.generic.items()):
        old = before.generic.get(kind)
        if old is spider:
            continue
        if old is None:
            del BaseSourceSpider.generic[kind]
        else:
            BaseSourceSpider.generic[kind] = old
        message = f'kind = "{kind}" would replace a generic kind: use kind = "spider" and a name'
        yield ConfigIssue(where, class_key(spider, where), message, line_of(spider))


def class_key(spider: type, origin: str) -> str:
    """How an issue names a class: by module too when it comes from a plugin's package."""
    if origin.startswith("plugin "):
        return f"class {spider.__module__}.{spider.__qualname__}"
    return f"class {spider.__qualname__}"


def _check_params_model(spider: type[BaseSourceSpider], where: str, key: str) -> list[ConfigIssue]:
    model = spider.Params
    if isinstance(model, type) and issubclass(model, SpiderParams):
        return []
    message = (
        "declares no params model: add `class Params(SpiderParams)` listing its params "
        "(empty when it takes none)"
        if model is None
        else "Params must subclass spiders.base.SpiderParams (unknown keys are errors)"
    )
    return [ConfigIssue(where, key, message, line_of(spider))]


def line_of(cls: type) -> int | None:
    """The line of a class definition in its file, when the source can be read."""
    try:
        return inspect.getsourcelines(cls)[1]
    except (OSError, TypeError):
        return None


def origin_of(spider: type[BaseSourceSpider]) -> str:
    """'shipped', 'plugin DIST VERSION' or 'config spiders/FILE.py'."""
    return _origins.get(spider, SHIPPED)


def forget(origin_prefix: str) -> None:
    """Unregister every custom spider whose origin starts with `origin_prefix`.

    Their origins stay known: a failed load restores them (`Snapshot.restore`).
    """
    for name, spider in list(BaseSourceSpider.custom.items()):
        if origin_of(spider).startswith(origin_prefix):
            del BaseSourceSpider.custom[name]


def available() -> Iterator[SpiderInfo]:
    """Every spider a source can use: generic kinds first, then custom spiders by name."""
    load_plugins()
    for kind, spider in sorted(BaseSourceSpider.generic.items()):
        yield SpiderInfo(kind, "", spider, SHIPPED)
    for name, spider in sorted(BaseSourceSpider.custom.items()):
        yield SpiderInfo("spider", name, spider, origin_of(spider))


def spider_class(source: SourceConfig) -> type[BaseSourceSpider]:
    """The spider class for a source; CrawlError naming the known ones when unknown."""
    load_plugins()
    if isinstance(source, SpiderSource):
        found = BaseSourceSpider.custom.get(source.spider)
        if found is None:
            raise CrawlError(
                f'source "{source.id}": unknown spider "{source.spider}" (known: {known_text()})'
            )
        return found
    return BaseSourceSpider.generic[source.kind]


def known_spiders() -> list[str]:
    """Names usable as `spider:` in a `kind: spider` source."""
    load_plugins()
    return sorted(BaseSourceSpider.custom)


def known_text() -> str:
    return ", ".join(known_spiders()) or "none (add one under spiders/ in the config directory)"
