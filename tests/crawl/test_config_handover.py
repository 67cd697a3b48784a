"""The crawl child crawls with the config its caller holds (handed over, not re-read), and
forks from a forkserver that already imported what the main script imports."""

from __future__ import annotations

import importlib.machinery
import os
import re
import sys
import types
from dataclasses import replace
from pathlib import Path

import pytest

from crawler.crawl import run_crawls
from crawler.store.store import Store
from spiders.catalog import load_config
from tests.crawl.conftest import rows
from tests.daemon.fixtures import FeedSite
from tests.daemon.helpers import feed_source, write_config


def test_a_crawl_uses_the_callers_config_not_the_files_edited_since(tmp_path: Path) -> None:
    """A daemon runs on the config it loaded (until SIGHUP): a half-edited, broken file on
    disk must not fail its crawls, nor a renamed database send items elsewhere."""
    with FeedSite(["Minister meets envoy", "Talks resume"]) as site:
        directory = write_config(
            tmp_path / "config", sources=[feed_source("m", f"{site.base}/feed1.xml")]
        )
        config = load_config(directory)
        Store.from_config(config).close()
        (directory / "presswatch.yaml").write_text("data_dir: [unclosed\n")
        (run,) = run_crawls(config, ["m"])
    assert run.health == "ok" and run.items_new == 2, run
    assert len(rows(config)) == 2


def test_the_forkserver_preloads_what_the_main_script_imports(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each crawl child runs the main script again: the `presswatch` script's CLI must be in
    the forkserver already; a `python -m` main is imported by name and needs nothing."""
    from crawler.cli.main import main
    from crawler.crawl import runner

    script = types.ModuleType("__main__")
    script.__dict__.update({"__spec__": None, "re": re, "main": main, "count": 3})
    monkeypatch.setitem(sys.modules, "__main__", script)
    assert runner._main_modules() == ["crawler.cli.main", "re"]
    script.__spec__ = importlib.machinery.ModuleSpec("crawler.cli.main", None)
    assert runner._main_modules() == []


def test_a_config_that_will_not_pickle_is_read_from_its_files(tmp_path: Path) -> None:
    class Local(dict[str, str]):  # a class local to a function cannot be pickled
        pass

    with FeedSite(["Minister meets envoy"]) as site:
        directory = write_config(
            tmp_path / "config", sources=[feed_source("m", f"{site.base}/feed1.xml")]
        )
        config = replace(load_config(directory), environ=Local(os.environ))
        Store.from_config(config).close()
        (run,) = run_crawls(config, ["m"])
    assert run.health == "ok" and run.items_new == 1, run
