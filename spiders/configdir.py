"""Custom spiders from the config directory: `spiders/*.py`, imported fresh at every load.

Each file is compiled and run as a new module every time the configuration is loaded (at
start-up, on SIGHUP, in every crawl child, by `check-config`), so an edited file takes
effect at the next load without a restart; no bytecode is written next to it. Any problem
(syntax, a failing import, a name clash, a missing params model) is a ConfigIssue naming the
file and line; then the registry is left as it was before the load.
"""

from __future__ import annotations

import linecache
import re
import sys
import traceback
import types
from pathlib import Path

from crawler.config.spidercheck import FOLDER, spider_files
from crawler.errors import ConfigIssue
from spiders.registry import Snapshot, claim_new, forget, load_plugins

MODULE_PREFIX = "presswatch_config_spiders"
ORIGIN = "config "


def load_spider_files(directory: Path) -> list[ConfigIssue]:
    """Register the spiders of `directory` (replacing those of any earlier load); every problem.

    Plugins are loaded first, so a config file can never take a shipped or plugin name.
    """
    issues = load_plugins()
    previous = Snapshot.take()
    forget_config_spiders()
    file_issues: list[ConfigIssue] = []
    for path in spider_files(directory):
        file_issues.extend(_load_file(path, f"{FOLDER}/{path.name}"))
    if file_issues:
        previous.restore()
    return issues + file_issues


def forget_config_spiders() -> None:
    """Unregister the spiders of the last load, and drop their modules."""
    forget(ORIGIN)
    for name in [m for m in sys.modules if m.startswith(MODULE_PREFIX + ".")]:
        del sys.modules[name]


def _load_file(path: Path, name: str) -> list[ConfigIssue]:
    linecache.checkcache(str(path))  # an edited file: class line numbers from the new text
    try:
        text = path.read_text(encoding="utf-8")
        code = compile(text, str(path), "exec", dont_inherit=True)
    except (OSError, UnicodeDecodeError) as exc:
        return [ConfigIssue(name, "", f"cannot read file: {exc}")]
    except SyntaxError as exc:
        return [ConfigIssue(name, "", f"syntax error: {exc.msg}", exc.lineno)]
    module = _new_module(path)
    before = Snapshot.take()
    try:
        exec(code, module.__dict__)
    except Exception as exc:  # the file is user code: any failure is a config error
        before.restore()
        del sys.modules[module.__name__]
        return [ConfigIssue(name, "", _describe(exc), _line_in(exc, path))]
    added, issues = claim_new(before, name, origin=ORIGIN + name)
    if not added and not issues:
        message = 'defines no spider (a BaseSourceSpider subclass with kind = "spider" and a name)'
        issues.append(ConfigIssue(name, "", message))
    return issues


def _new_module(path: Path) -> types.ModuleType:
    """An empty module for the file, in sys.modules (pydantic resolves annotations there)."""
    name = f"{MODULE_PREFIX}.{re.sub(r'[^0-9A-Za-z_]', '_', path.stem)}"
    module = types.ModuleType(name)
    module.__file__ = str(path)
    sys.modules[name] = module
    return module


def _describe(exc: Exception) -> str:
    if isinstance(exc, ImportError):
        return f"import failed: {exc}"
    if isinstance(exc, SyntaxError):  # in a module the file imports
        return f"syntax error in {exc.filename}:{exc.lineno}: {exc.msg}"
    return f"{type(exc).__name__}: {exc}"


def _line_in(exc: BaseException, path: Path) -> int | None:
    """The line of `path` the exception passed through last (the file's own statement)."""
    lines = [f.lineno for f in traceback.extract_tb(exc.__traceback__) if f.filename == str(path)]
    return lines[-1] if lines else None
