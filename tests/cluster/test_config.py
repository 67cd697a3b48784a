"""crawl.executor / crawl.celery: defaults, validation, routing; the standby's preconditions."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from crawler.cli.main import cli
from crawler.cluster.inspect import cluster_status
from crawler.cluster.source_lock import source_lock
from crawler.config import load_config
from crawler.errors import ConfigError, DaemonError
from crawler.store.store import Store
from scheduler import run_daemon
from tests.daemon.helpers import feed_source, make_config, write_config


def test_local_is_the_default_and_status_shows_no_cluster(tmp_path: Path) -> None:
    config = make_config(tmp_path / "c")
    assert config.settings.crawl.executor == "local"
    assert config.settings.crawl.celery.broker_url == "redis://127.0.0.1:6379/0"
    assert cluster_status(config) is None


def test_a_bad_broker_url_names_the_file_and_key(tmp_path: Path) -> None:
    directory = write_config(
        tmp_path / "c", crawl={"executor": "celery", "celery": {"broker_url": "http://x"}}
    )
    with pytest.raises(ConfigError) as raised:
        load_config(directory, environ={})
    text = str(raised.value)
    assert "presswatch.yaml" in text and "broker_url" in text and "redis://" in text


def test_an_unknown_executor_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(write_config(tmp_path / "c", crawl={"executor": "threads"}), environ={})
    assert "executor" in str(raised.value)


def test_sources_are_routed_to_queues_by_id_or_pattern(tmp_path: Path) -> None:
    celery = {"queue": "default", "routes": {"europe": ["eu-*"], "slow": ["un", "eu-slow"]}}
    config = make_config(tmp_path / "c", crawl={"executor": "celery", "celery": celery})
    routing = config.settings.crawl.celery
    assert routing.queue_of("eu-fr") == "europe"
    assert routing.queue_of("eu-slow") == "europe"  # the first route naming it wins
    assert routing.queue_of("un") == "slow"
    assert routing.queue_of("jp") == "default"
    assert routing.queues() == ["default", "europe", "slow"]


def test_status_masks_the_broker_password_and_survives_a_dead_broker(tmp_path: Path) -> None:
    celery = {"broker_url": "redis://:hunter2-secret@127.0.0.1:1/0"}
    config = make_config(tmp_path / "c", crawl={"executor": "celery", "celery": celery})
    status = cluster_status(config)
    assert status is not None and status.error is not None
    assert "hunter2-secret" not in status.broker and "127.0.0.1:1" in status.broker
    assert "hunter2-secret" not in status.error


def test_standby_needs_postgresql(tmp_path: Path) -> None:
    config = make_config(tmp_path / "c", scheduler={"standby": True})
    with pytest.raises(DaemonError, match="standby needs the shared PostgreSQL store"):
        run_daemon(config)


def test_the_source_lock_is_exclusive_on_postgresql(pg_schema: tuple[str, str]) -> None:
    _, url = pg_schema
    first, second = Store.from_url(url), Store.from_url(url)
    try:
        with source_lock(first, url, "alpha") as held:
            assert held
            with source_lock(second, url, "alpha") as again:
                assert not again
            with source_lock(second, url, "beta") as other:
                assert other
        with source_lock(second, url, "alpha") as after:
            assert after  # released with the crawl
    finally:
        first.close()
        second.close()


def test_the_source_lock_goes_with_a_killed_holder(pg_schema: tuple[str, str]) -> None:
    """A worker killed mid-crawl loses its connection; PostgreSQL frees the lock."""
    import subprocess
    import sys

    _, url = pg_schema
    code = (
        "import sys, time\n"
        "from crawler.store.store import Store\n"
        "from crawler.cluster.source_lock import source_lock\n"
        f"s = Store.from_url({url!r})\n"
        f"with source_lock(s, {url!r}, 'alpha') as held:\n"
        "    print(held, flush=True); time.sleep(60)\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=dict(os.environ)
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "True"
        store = Store.from_url(url)
        with source_lock(store, url, "alpha") as held:
            assert not held
        child.kill()
        child.wait()
        with source_lock(store, url, "alpha") as held:
            assert held
        store.close()
    finally:
        child.kill()
        child.wait()
        if child.stdout is not None:
            child.stdout.close()


def _check_config(directory: Path) -> Result:
    return CliRunner().invoke(cli, ["--config", str(directory), "check-config"])


def test_check_config_shows_the_local_executor(tmp_path: Path) -> None:
    result = _check_config(write_config(tmp_path / "c"))
    assert result.exit_code == 0, result.output
    assert "executor: local" in result.stdout and "warning" not in result.stderr


def test_check_config_shows_broker_and_routing_and_warns_of_sqlite(tmp_path: Path) -> None:
    celery = {
        "broker_url": "redis://:hunter2-secret@10.0.0.5:6379/2",
        "queue": "default",
        "routes": {"europe": ["eu-*"], "slow": ["un", "typo-*"]},
    }
    sources = [feed_source(s, "http://127.0.0.1:9/f.xml") for s in ("eu-fr", "eu-de", "un", "jp")]
    directory = write_config(
        tmp_path / "c", sources=sources, crawl={"executor": "celery", "celery": celery}
    )
    result = _check_config(directory)
    assert result.exit_code == 0, result.output
    out, err = result.stdout, result.stderr
    assert "executor: celery" in out and "redis://:***@10.0.0.5:6379/2" in out
    assert "hunter2-secret" not in out + err
    assert re.search(r"queue default\s+1 source\(s\)\s+\(default\)", out), out
    assert re.search(r"queue europe\s+2 source\(s\)\s+\(eu-\*\)", out), out
    assert re.search(r"queue slow\s+1 source\(s\)\s+\(un, typo-\*\)", out), out
    assert "warning: crawl.executor is celery but database.url is SQLite" in err
    assert "warning: crawl.celery.routes.slow: 'typo-*' matches no enabled source" in err


def test_check_config_refuses_a_standby_on_sqlite(tmp_path: Path) -> None:
    result = _check_config(write_config(tmp_path / "c", scheduler={"standby": True}))
    assert result.exit_code == 2
    assert "presswatch.yaml: scheduler.standby: a standby scheduler needs" in result.stderr


def test_check_config_accepts_celery_on_postgresql(
    tmp_path: Path, pg_schema: tuple[str, str]
) -> None:
    _, url = pg_schema
    directory = write_config(
        tmp_path / "c",
        database={"url": url},
        scheduler={"standby": True},
        crawl={"executor": "celery"},
    )
    result = _check_config(directory)
    assert result.exit_code == 0, result.output
    assert "executor: celery" in result.stdout and "standby allowed" in result.stdout
    assert "warning" not in result.stderr
