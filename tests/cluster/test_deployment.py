"""The deployment files, checked offline (this machine has no Docker daemon or registry):
docker-compose.yml's topology and commands, the systemd units' commands, and the cluster
config they mount passing `check-config` with the compose file's environment."""

from __future__ import annotations

import shlex
import shutil
from pathlib import Path
from typing import Any

import click
from click.testing import CliRunner
from ruamel.yaml import YAML

from crawler.cli.main import cli
from tests.daemon.fixtures import REPO
from tests.daemon.helpers import feed_source, write_config


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = YAML(typ="safe").load((REPO / "docker-compose.yml").read_text())
    return loaded


def _parses(args: list[str]) -> None:
    """The command line is one the CLI accepts (its options parsed, nothing run)."""
    command = cli.get_command(click.Context(cli), args[0])
    assert command is not None, args
    command.make_context(args[0], list(args[1:]))


def test_compose_runs_postgres_redis_a_scheduler_and_two_workers() -> None:
    services = _compose()["services"]
    assert set(services) == {"postgres", "redis", "scheduler", "worker"}
    assert services["worker"]["deploy"]["replicas"] == 2
    for name in ("scheduler", "worker"):
        service = services[name]
        env = service["environment"]
        assert env["PRESSWATCH_DATABASE_URL"].startswith("postgresql://")
        assert env["PRESSWATCH_BROKER_URL"].startswith("redis://redis:")
        assert "./config:/config:ro" in service["volumes"]
        assert all(d["condition"] == "service_healthy" for d in service["depends_on"].values())
        for dependency in service["depends_on"]:
            assert "healthcheck" in services[dependency]
        _parses(service["command"])
    assert services["scheduler"]["command"][:2] == ["run", "--standby"]


def test_systemd_units_run_commands_the_cli_accepts() -> None:
    for unit in ("presswatch-scheduler.service", "presswatch-worker.service"):
        text = (REPO / "contrib" / "cluster" / unit).read_text()
        line = next(x for x in text.splitlines() if x.startswith("ExecStart="))
        argv = shlex.split(line.removeprefix("ExecStart="))
        assert argv[0].endswith("/presswatch")
        _parses(argv[1:])


def test_the_cluster_config_passes_check_config_with_the_compose_environment(
    tmp_path: Path, pg_schema: tuple[str, str]
) -> None:
    """contrib/cluster/presswatch.yaml as the settings, compose's broker, a PostgreSQL URL
    (this machine's, for compose's `postgres` host does not resolve here)."""
    _, url = pg_schema
    directory = write_config(tmp_path / "config", sources=[feed_source("un-geneva", "http://x/f")])
    shutil.copy(REPO / "contrib" / "cluster" / "presswatch.yaml", directory / "presswatch.yaml")
    env = {
        "PRESSWATCH_BROKER_URL": _compose()["x-presswatch"]["environment"]["PRESSWATCH_BROKER_URL"],
        "PRESSWATCH_DATABASE_URL": url,
    }
    result = CliRunner().invoke(cli, ["--config", str(directory), "check-config"], env=env)
    assert result.exit_code == 0, result.output
    assert "executor: celery   broker: redis://redis:6379/0" in result.stdout
    assert "standby allowed" in result.stdout
    assert "queue slow" in result.stdout and "warning" not in result.stderr
