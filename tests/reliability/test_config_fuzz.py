"""Config fuzzing: mutated shipped YAML gives exit 2 naming file (and key), never a traceback."""

from __future__ import annotations

import random
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.cli.main import cli
from tests.conftest import REPO_ROOT

SHIPPED = REPO_ROOT / "config"
MUTATIONS = 150
SEED = 6
KEY_LINE = re.compile(r"^(?P<indent>\s*(?:- )?)(?P<key>[A-Za-z_][\w-]*):(?P<value>.*)$")
ODD_VALUES = ["[1, 2]", "{a: 1}", "-7", "3.5", "true", "null", '"x"', "''", "99999999999999999999"]


@dataclass(frozen=True)
class Mutation:
    """What was changed, where: the key is set when the change was to a key's value."""

    file: str
    kind: str
    key: str | None = None


def _key_lines(lines: list[str]) -> list[int]:
    return [n for n, line in enumerate(lines) if KEY_LINE.match(line) and "#" not in line[:2]]


def mutate(lines: list[str], rng: random.Random) -> tuple[list[str], str, str | None]:
    """One random mutation of a YAML file's lines: (lines, kind, key)."""
    keyed = _key_lines(lines)
    kind = rng.choice(["delete", "retype", "unknown", "indent", "bytes", "truncate", "dup"])
    if not keyed and kind in {"delete", "retype", "unknown", "indent", "dup"}:
        kind = "bytes"
    out = list(lines)
    if kind == "bytes":
        at = rng.randrange(len(out) + 1)
        noise = bytes(rng.randrange(256) for _ in range(rng.randint(1, 24)))
        out.insert(at, noise.decode("latin-1"))
        return out, kind, None
    if kind == "truncate":
        return out[: rng.randrange(len(out) + 1)], kind, None
    n = rng.choice(keyed)
    match = KEY_LINE.match(out[n])
    assert match is not None
    key = match["key"]
    if kind == "delete":
        del out[n]
    elif kind == "retype":
        out[n] = f"{match['indent']}{key}: {rng.choice(ODD_VALUES)}"
    elif kind == "unknown":
        out.insert(n, f"{match['indent']}zz_unknown_{rng.randrange(99)}: 1")
        key = None
    elif kind == "indent":
        out[n] = " " * rng.choice([1, 3, 5]) + out[n]
    else:
        out.insert(n, out[n])
    return out, kind, key if kind == "retype" else None


def apply(directory: Path, rng: random.Random) -> Mutation:
    files = sorted(p for p in directory.rglob("*.yaml"))
    target = rng.choice(files)
    lines = target.read_text(encoding="utf-8").splitlines()
    new, kind, key = mutate(lines, rng)
    target.write_bytes("\n".join(new).encode("utf-8", "surrogateescape") + b"\n")
    return Mutation(str(target.relative_to(directory)), kind, key)


@pytest.fixture
def shipped_copy(tmp_path: Path) -> Path:
    target = tmp_path / "pristine"
    shutil.copytree(SHIPPED, target, ignore=shutil.ignore_patterns("data"))
    return target


@pytest.mark.timeout(240)
def test_mutated_config_exits_2_with_file_and_key_never_a_traceback(shipped_copy: Path) -> None:
    runner = CliRunner()
    env = {"PRESSWATCH_SMTP_PASSWORD": "fuzz", "PRESSWATCH_CONFIG": None}
    rng = random.Random(SEED)
    outcomes: dict[int, int] = {}
    bad: list[str] = []
    for n in range(MUTATIONS):
        mutation = apply(shipped_copy, rng)
        result = runner.invoke(cli, ["--config", str(shipped_copy), "check-config"], env=env)
        outcomes[result.exit_code] = outcomes.get(result.exit_code, 0) + 1
        problem = _judge(mutation, result.exit_code, result.output, result.exception)
        if problem:
            bad.append(f"#{n} {mutation}: {problem}")
        shutil.copy2(SHIPPED / mutation.file, shipped_copy / mutation.file)
    assert not bad, f"{len(bad)} of {MUTATIONS} mutations misreported:\n" + "\n".join(bad[:15])
    assert set(outcomes) <= {0, 2}, outcomes
    assert outcomes.get(2, 0) > MUTATIONS // 3, outcomes


def _judge(mutation: Mutation, code: int, output: str, exc: BaseException | None) -> str | None:
    if exc is not None and not isinstance(exc, SystemExit):
        return f"raised {exc!r}"
    if "Traceback" in output or "internal error" in output:
        return "traceback: " + output[-400:]
    if code not in (0, 2):
        return f"exit {code}: {output[-300:]}"
    if code == 2 and Path(mutation.file).name not in output:
        return "file not named: " + output[-300:]
    parsed = "invalid YAML" not in output
    if code == 2 and parsed and mutation.key and mutation.key not in output:
        return f"key {mutation.key!r} not named: " + output[-300:]
    return None
