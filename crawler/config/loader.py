"""Load a config directory: presswatch.yaml, sources/*.yaml, rules/*.yaml, spiders/*.py,
templates/."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from crawler.config.models import (
    RecipientConfig,
    RuleConfig,
    RulesFile,
    SettingsConfig,
    SourceConfig,
    SourcesFile,
)
from crawler.config.queries import check_queries
from crawler.config.spidercheck import SpiderCatalog, check_spiders
from crawler.config.validation import validate
from crawler.config.xref import check_references
from crawler.config.yamlfile import LoadedYaml, read_yaml
from crawler.errors import ConfigError, ConfigIssue

SETTINGS_FILE = "presswatch.yaml"
ModelT = TypeVar("ModelT", bound=BaseModel)


@dataclass(frozen=True)
class Config:
    """A whole, validated configuration."""

    directory: Path
    settings: SettingsConfig
    sources: tuple[SourceConfig, ...] = ()
    rules: tuple[RuleConfig, ...] = ()
    files: Mapping[str, str] = field(default_factory=dict)  # "source:<id>" -> file name
    environ: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    @property
    def data_dir(self) -> Path:
        """The data directory, relative paths taken from the config directory."""
        override = self.environ.get("PRESSWATCH_DATA_DIR")
        path = Path(override) if override else self.settings.data_dir
        return path if path.is_absolute() else (self.directory / path).resolve()

    @property
    def database_url(self) -> str:
        """PRESSWATCH_DATABASE_URL, else database.url, else SQLite under data_dir."""
        url = self.environ.get("PRESSWATCH_DATABASE_URL") or self.settings.database.url
        return url or f"sqlite:///{self.data_dir / 'presswatch.db'}"

    @property
    def template_dir(self) -> Path | None:
        """config/templates/ when it exists: its files override the packaged templates."""
        path = self.directory / "templates"
        return path if path.is_dir() else None

    @property
    def enabled_sources(self) -> tuple[SourceConfig, ...]:
        return tuple(source for source in self.sources if source.enabled)

    @property
    def enabled_rules(self) -> tuple[RuleConfig, ...]:
        return tuple(rule for rule in self.rules if rule.enabled)

    def source(self, source_id: str) -> SourceConfig:
        """The source with this id; KeyError naming the known ones if absent."""
        for source in self.sources:
            if source.id == source_id:
                return source
        known = ", ".join(s.id for s in self.sources) or "none"
        raise KeyError(f'unknown source "{source_id}" (known: {known})')

    def timezone_of(self, part: SourceConfig | RecipientConfig) -> str:
        """The timezone a source's cron or a recipient's digest time is in: its own, else
        settings.timezone (the one place that derives it)."""
        return part.timezone or self.settings.timezone

    def rule(self, rule_id: str) -> RuleConfig:
        """The rule with this id; KeyError naming the known ones if absent."""
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        known = ", ".join(r.id for r in self.rules) or "none"
        raise KeyError(f'unknown rule "{rule_id}" (known: {known})')


def resolve_config_dir(option: str | Path | None, environ: Mapping[str, str] | None = None) -> Path:
    """--config DIR, else $PRESSWATCH_CONFIG, else ./config."""
    env = os.environ if environ is None else environ
    return Path(option or env.get("PRESSWATCH_CONFIG") or "config")


def load_config(
    directory: Path,
    environ: Mapping[str, str] | None = None,
    *,
    spiders: SpiderCatalog | None = None,
) -> Config:
    """Load and validate everything; raise ConfigError listing every problem.

    `spiders` (spiders.configdir.ConfigSpiders) loads the custom spiders and checks the
    spider sources against them; without it they are neither loaded nor checked.
    """
    env = dict(os.environ if environ is None else environ)
    if not directory.is_dir():
        where = str(directory.absolute())
        issue = ConfigIssue(where, "", "config directory not found (see presswatch init)")
        raise ConfigError([issue])
    issues: list[ConfigIssue] = []
    settings = _load_settings(directory, env, issues)
    sources, source_files = _load_many(directory, "sources", SourcesFile, env, issues)
    rules, rule_files = _load_many(directory, "rules", RulesFile, env, issues)
    source_list = [s for f in sources for s in f.sources]
    rule_list = [r for f in rules for r in f.rules]
    if settings is not None:
        issues.extend(check_references(settings, source_list, rule_list, source_files, rule_files))
    issues.extend(check_spiders(directory, source_list, source_files, env, spiders))
    if issues or settings is None:
        raise ConfigError(sort_issues(issues))
    files = {f"source:{k}": v for k, v in source_files.items()}
    files.update({f"rule:{k}": v for k, v in rule_files.items()})
    return Config(directory, settings, tuple(source_list), tuple(rule_list), files, env)


def _load_settings(
    directory: Path, env: Mapping[str, str], issues: list[ConfigIssue]
) -> SettingsConfig | None:
    path = directory / SETTINGS_FILE
    if not path.exists():
        return SettingsConfig()
    loaded, read_issues = read_yaml(path, SETTINGS_FILE, env)
    issues.extend(read_issues)
    if loaded is None:
        return None
    settings, model_issues = _validate_mapping(SettingsConfig, loaded)
    issues.extend(model_issues)
    return settings


def _load_many(
    directory: Path,
    folder: str,
    model: type[ModelT],
    env: Mapping[str, str],
    issues: list[ConfigIssue],
) -> tuple[list[ModelT], dict[str, str]]:
    """Load every *.yaml/*.yml of a folder; ids map to the file that defined them first."""
    results: list[ModelT] = []
    where: dict[str, str] = {}
    for path in _yaml_files(directory / folder):
        name = f"{folder}/{path.name}"
        loaded, read_issues = read_yaml(path, name, env)
        issues.extend(read_issues)
        if loaded is None:
            continue
        parsed, model_issues = _validate_mapping(model, loaded)
        issues.extend(model_issues)
        if parsed is not None and not read_issues:
            results.append(parsed)
            issues.extend(_record_ids(parsed, folder, loaded, where))
            if isinstance(parsed, RulesFile):
                issues.extend(check_queries(parsed.rules, loaded))
    return results, where


def sort_issues(issues: list[ConfigIssue]) -> list[ConfigIssue]:
    """Files in the order they were read; within a file, by line (file-wide issues first)."""
    order = {name: index for index, name in reversed(list(enumerate(i.file for i in issues)))}
    return sorted(issues, key=lambda issue: (order[issue.file], issue.line or 0))


def _validate_mapping(
    model: type[ModelT], loaded: LoadedYaml
) -> tuple[ModelT | None, list[ConfigIssue]]:
    if loaded.data is not None and not isinstance(loaded.data, dict):
        return None, [ConfigIssue(loaded.name, "", "expected a mapping at the top of the file")]
    return validate(model, loaded)


def _record_ids(
    parsed: BaseModel, folder: str, loaded: LoadedYaml, where: dict[str, str]
) -> Iterable[ConfigIssue]:
    entries = getattr(parsed, folder)
    for index, entry in enumerate(entries):
        first = where.setdefault(entry.id, loaded.name)
        if first != loaded.name or _seen_twice(entries, index):
            noun = folder.rstrip("s")
            line = loaded.line_of((folder, index, "id"))
            message = f'duplicate {noun} id "{entry.id}" (first defined in {first})'
            yield ConfigIssue(loaded.name, f"{noun} {entry.id}: id", message, line)


def _seen_twice(entries: list[BaseModel], index: int) -> bool:
    current = getattr(entries[index], "id", None)
    return any(getattr(e, "id", None) == current for e in entries[:index])


def _yaml_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in {".yaml", ".yml"} and p.is_file())
