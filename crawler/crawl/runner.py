"""Run crawls: one child process per source, up to `crawl.parallel_sources` at a time.

Each child has `crawl.source_timeout` (plus a grace period) to finish; one that crashes
or hangs is killed and recorded as a failed run here.  A failing source never stops the
others.  `run_crawls` is what the daemon and `presswatch crawl` call.

The database must be migrated before (opening a `Store` does it, as every command and the
daemon do at start-up): runs never migrate, since Alembic's state is process-global and
several daemon jobs starting at the same instant would trip over each other.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import multiprocessing.context
import multiprocessing.process
import os
import pickle
import signal
import sys
import tempfile
import threading
import time
import types
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

from crawler.config import Config
from crawler.config.spidercheck import has_custom_spiders
from crawler.crawl.processes import descendants, live
from crawler.crawl.records import record_run
from crawler.crawl.summary import RunSummary
from crawler.store.store import Store
from crawler.store.types import utcnow

GRACE_SECONDS = 15.0
_RECORD_LOCK = threading.Lock()
Progress = Callable[[str, RunSummary | None], None]


def run_crawls(
    config: Config, source_ids: Sequence[str], *, progress: Progress | None = None
) -> list[RunSummary]:
    """Crawl the sources (config order kept in the result); never raises for one source."""
    sources = [config.source(source_id) for source_id in source_ids]
    workers = max(1, min(config.settings.crawl.parallel_sources, len(sources)))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(_run_one, config, s.id, progress) for s in sources]
        return [future.result() for future in futures]


def _run_one(config: Config, source_id: str, progress: Progress | None) -> RunSummary:
    if progress:
        progress(source_id, None)
    started = utcnow()
    clock = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="presswatch-run-") as tmp:
        summary_file = Path(tmp) / "summary.json"
        failure = run_child(config, source_id, ["--summary", str(summary_file)])
        run = _read_summary(summary_file) or _record_dead(
            config, source_id, started, failure or "no summary written"
        )
    run.process_seconds = time.monotonic() - clock
    if progress:
        progress(source_id, run)
    return run


PRELOAD = ["crawler.crawl.preload"]


def _main_modules() -> list[str]:
    """The modules the main script took its names from (for the daemon and the worker, the
    `presswatch` script: the whole CLI).  Every child runs that script again before its crawl
    (3.11's forkserver never preloads "__main__": it drops the script's path), so unless the
    forkserver has imported them, each crawl imports them afresh: 0.2 s a crawl on a loaded
    2-core machine, more than a small crawl itself."""
    main = sys.modules.get("__main__")
    if main is None or getattr(main, "__spec__", None) is not None:
        return []  # `python -m`: the child imports the module by name, nothing to run again
    names = {
        value.__name__ if isinstance(value, types.ModuleType) else getattr(value, "__module__", "")
        for value in vars(main).values()
    }
    return sorted(n for n in names if isinstance(n, str) and n in sys.modules and n != "__main__")


def warm_up() -> None:
    """Start the crawl forkserver now and wait until it has preloaded the crawl modules (one
    child that does nothing proves it), so that the first crawl does not pay for that: 5 to
    20 s, during which a Celery worker that says "ready" would sit on its first task."""
    process = _context().Process(target=_nothing, daemon=True)  # type: ignore[attr-defined]
    process.start()
    process.join()


def _nothing() -> None:
    """The warm-up child's work."""


def _context() -> multiprocessing.context.BaseContext:
    """A forkserver with the crawl modules preloaded: children fork warm, never the reactor."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([*PRELOAD, *_main_modules()])
    return context


class CrawlProcesses:
    """The crawl processes this process started and has not joined yet.

    Only these are signalled at shutdown: never multiprocessing's forkserver or resource
    tracker (which ignores SIGTERM and ends by itself when this process exits).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._live: dict[int, multiprocessing.process.BaseProcess] = {}
        self._stop_signal = 0

    def add(self, process: multiprocessing.process.BaseProcess) -> None:
        """Track a started crawl; one started after `stop` was asked gets the signal at once."""
        with self._lock:
            if process.pid is not None:
                self._live[process.pid] = process
            signum = self._stop_signal
        if signum:
            _send(process, signum)

    def discard(self, process: multiprocessing.process.BaseProcess) -> None:
        with self._lock:
            self._live.pop(process.pid or 0, None)

    def stop(self, signum: int = signal.SIGTERM) -> list[int]:
        """Send `signum` to every running crawl (SIGTERM: Scrapy stops gracefully, storing what
        it fetched, and the run is recorded); later crawls get it as soon as they start."""
        with self._lock:
            self._stop_signal = signum
            processes = list(self._live.values())
        for process in processes:
            _send(process, signum)
        return [p.pid for p in processes if p.pid is not None]

    def kill(self) -> list[int]:
        """SIGKILL every running crawl and whatever it started."""
        killed = self.stop(signal.SIGKILL)
        for pid in killed:
            for info in live(descendants(pid)):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(info.pid, signal.SIGKILL)
        return killed

    @property
    def stopping(self) -> bool:
        return bool(self._stop_signal)


def _send(process: multiprocessing.process.BaseProcess, signum: int) -> None:
    if process.pid is not None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(process.pid, signum)


CRAWLS = CrawlProcesses()


def run_child(config: Config, source_id: str, extra: Sequence[str]) -> str:
    """Run one crawl process; "" on success, else why it failed ("timeout...", "crashed...")."""
    argv = [source_id, "--config", str(config.directory), *extra]
    timeout = config.settings.crawl.source_timeout.total_seconds() + GRACE_SECONDS
    given = _handed_over(config)
    with tempfile.NamedTemporaryFile(prefix="presswatch-log-", suffix=".txt") as log:
        process = _context().Process(  # type: ignore[attr-defined]
            target=_child_entry, args=(argv, dict(config.environ), log.name, given), daemon=True
        )
        process.start()
        CRAWLS.add(process)
        try:
            process.join(timeout)
            if process.is_alive():
                process.kill()
                process.join(5)
                return f"timeout: killed after {timeout:.0f}s"
        finally:
            CRAWLS.discard(process)
        if process.exitcode != 0:
            if CRAWLS.stopping and process.exitcode in (-signal.SIGTERM, -signal.SIGKILL):
                return f"stopped at shutdown (signal {-process.exitcode})"
            tail = Path(log.name).read_text("utf-8", "replace").strip().splitlines()[-3:]
            return f"crashed (exit {process.exitcode}): " + " | ".join(tail)
    return ""


def _handed_over(config: Config) -> bytes | None:
    """The config the child crawls with, pickled (a few ms) instead of parsed again from
    YAML in every child (a quarter second with 200 sources, most of a warm crawl's CPU); it
    is also the caller's config (reloaded or not), not whatever the files hold now.  None
    (the child loads the directory) when spiders come from the config directory, whose
    classes live in modules only a load of that directory creates, or when it won't pickle."""
    if has_custom_spiders(config.directory, config.sources):
        return None
    try:
        return pickle.dumps(config)
    except Exception:  # a value that cannot cross processes: the files can
        return None


def _child_entry(
    argv: list[str], environ: dict[str, str], log_path: str, config: bytes | None = None
) -> None:
    """In the child: log to a file, take the config's environment, run the crawl."""
    with open(log_path, "ab") as log:
        os.dup2(log.fileno(), 2)
    os.environ.update(environ)
    from crawler.crawl.child import main

    sys.stdout.flush()
    code = main(argv, config=pickle.loads(config) if config is not None else None)
    sys.stderr.flush()
    os._exit(code)


def _read_summary(path: Path) -> RunSummary | None:
    try:
        return RunSummary.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError, KeyError):
        return None


def _record_dead(config: Config, source_id: str, started: datetime, why: str) -> RunSummary:
    reason = next((r for r in ("timeout", "stopped") if why.startswith(r)), "crashed")
    reason = "shutdown" if reason == "stopped" else reason
    run = RunSummary.dead(source_id, started, reason, why)
    with _RECORD_LOCK:
        store = Store.from_config(config, migrate_schema=False)
    try:
        return record_run(store, config, config.source(source_id), run)
    finally:
        store.close()
