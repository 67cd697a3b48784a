"""Spider files in the config directory: every way they can be wrong is a config error."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler.errors import ConfigError
from spiders.base import BaseSourceSpider
from spiders.catalog import load_config
from spiders.registry import Snapshot
from tests.sites import write_config

PRESSWATCH = Path(sys.executable).parent / "presswatch"

GOOD = '''\
from spiders.base import BaseSourceSpider, SpiderParams


class Good(BaseSourceSpider):
    """A spider with two params."""

    kind = "spider"
    name = "good"

    class Params(SpiderParams):
        start: str
        pages: int = 1
'''


@pytest.fixture(autouse=True)
def registry() -> Iterator[None]:
    """Each test starts and ends with the same registered spiders."""
    before = Snapshot.take()
    yield
    before.restore()


def _config(
    tmp_path: Path, files: dict[str, str], sources: list[dict[str, Any]] | None = None
) -> Path:
    directory = write_config(tmp_path, sources or [])
    (directory / "spiders").mkdir()
    for name, text in files.items():
        path = directory / "spiders" / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        path.chmod(0o644)
    return directory


def _errors(directory: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(directory)
    return [str(issue) for issue in caught.value.issues]


def _source(**overrides: Any) -> dict[str, Any]:
    return {"id": "site", "name": "site", "kind": "spider", "spider": "good", **overrides}


BROKEN = {
    "syntax": ("x = 1\n\ndef broken(:\n    pass\n", "spiders/bad.py:3: syntax error"),
    "import": (
        "import os\nimport no_such_module_for_presswatch\n",
        "spiders/bad.py:2: import failed: No module named 'no_such_module_for_presswatch'",
    ),
    "runtime": (
        "def f():\n    raise RuntimeError('boom')\n\nf()\n",
        "spiders/bad.py:2: RuntimeError: boom",  # the deepest line of the file
    ),
    "no params model": (
        "from spiders.base import BaseSourceSpider\n\n\nclass NoParams(BaseSourceSpider):\n"
        "    kind = 'spider'\n    name = 'no-params'\n",
        "spiders/bad.py:4: class NoParams: declares no params model",
    ),
    "params not strict": (
        "from pydantic import BaseModel\nfrom spiders.base import BaseSourceSpider\n\n\n"
        "class Loose(BaseSourceSpider):\n    kind = 'spider'\n    name = 'loose'\n\n"
        "    class Params(BaseModel):\n        x: int = 1\n",
        "spiders/bad.py:5: class Loose: Params must subclass spiders.base.SpiderParams",
    ),
    "generic kind": (
        "from spiders.base import BaseSourceSpider, SpiderParams\n\n\n"
        "class MyListing(BaseSourceSpider):\n    kind = 'listing'\n    name = 'mine'\n",
        'spiders/bad.py:4: class MyListing: kind = "listing" would replace a generic kind',
    ),
    "no spider": ("VALUE = 1\n", "spiders/bad.py: defines no spider"),
}


@pytest.mark.parametrize(("text", "expected"), BROKEN.values(), ids=list(BROKEN))
def test_a_broken_spider_file_is_a_config_error_with_file_and_line(
    tmp_path: Path, text: str, expected: str
) -> None:
    before = dict(BaseSourceSpider.custom), dict(BaseSourceSpider.generic)
    errors = _errors(_config(tmp_path, {"good.py": GOOD, "bad.py": text}))
    assert len(errors) == 1 and errors[0].startswith(expected), errors
    # A rejected load registers nothing, not even the good file's spider.
    assert (dict(BaseSourceSpider.custom), dict(BaseSourceSpider.generic)) == before


def test_two_files_may_not_define_the_same_spider_name(tmp_path: Path) -> None:
    errors = _errors(_config(tmp_path, {"a.py": GOOD, "b.py": "\n\n" + GOOD}))
    assert errors == [
        'spiders/b.py:6: class Good: spider name "good" is already taken '
        "(config spiders/a.py); choose another"
    ]


def test_params_are_checked_against_the_spider_model_with_line_and_key(tmp_path: Path) -> None:
    source = _source(params={"start": "x", "pagez": 2, "pages": "many"})
    errors = _errors(_config(tmp_path, {"good.py": GOOD}, [source]))
    # sources/test.yaml is JSON written one key per line: "pagez" on line 11, "pages" on 12.
    assert sorted(errors) == [
        'sources/test.yaml:11: sources[0].params.pagez: unknown key "pagez" '
        '(did you mean "pages"?)',
        "sources/test.yaml:12: sources[0].params.pages: Input should be a valid integer, "
        "unable to parse string as an integer (got 'many')",
    ]
    missing = _errors(_config(tmp_path / "2", {"good.py": GOOD}, [_source()]))
    # No params: key at all: the line where the source begins.
    assert missing == ["sources/test.yaml:3: sources[0].params.start: required key is missing"]


def test_an_unknown_spider_names_the_known_ones(tmp_path: Path) -> None:
    source = _source(spider="goood", params={"start": "x"})
    errors = _errors(_config(tmp_path, {"good.py": GOOD}, [source]))
    assert len(errors) == 1
    assert errors[0].startswith('sources/test.yaml:8: sources[0].spider: unknown spider "goood"')
    assert "good" in errors[0].split("known: ")[1]


def test_a_valid_file_registers_its_spider_with_its_origin(tmp_path: Path) -> None:
    from spiders.registry import origin_of

    config = load_config(_config(tmp_path, {"good.py": GOOD}, [_source(params={"start": "x"})]))
    spider = BaseSourceSpider.custom["good"]
    assert origin_of(spider) == "config spiders/good.py"
    assert spider.Params is not None and spider.Params(start="a").pages == 1
    assert config.source("site").kind == "spider"
    assert not list((config.directory / "spiders").glob("__pycache__"))  # no bytecode written
    load_config(write_config(tmp_path, name="without-spiders"))  # a reload after removing them
    assert "good" not in BaseSourceSpider.custom


def test_check_config_exits_2_naming_file_and_line_without_a_traceback(tmp_path: Path) -> None:
    directory = _config(tmp_path, {"bad.py": "import no_such_module_for_presswatch\n"})
    command = [str(PRESSWATCH), "--config", str(directory), "check-config"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2
    assert "spiders/bad.py:1: import failed" in done.stderr
    assert "Traceback" not in done.stderr


def test_check_config_warns_about_spider_files_others_may_write(tmp_path: Path) -> None:
    directory = _config(tmp_path, {"good.py": GOOD})
    (directory / "spiders").chmod(0o755)
    command = [str(PRESSWATCH), "--config", str(directory), "check-config"]
    quiet = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert quiet.returncode == 0, quiet.stderr
    assert "warning" not in quiet.stderr and "good" in quiet.stdout
    (directory / "spiders" / "good.py").chmod(0o666)
    warned = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert warned.returncode == 0
    assert "warning: spiders/good.py is writable by group and others (mode 666)" in warned.stderr


def test_an_edited_file_is_reported_at_the_lines_of_its_new_text(tmp_path: Path) -> None:
    directory = _config(tmp_path, {"good.py": GOOD})
    load_config(directory)
    no_params = GOOD.split("    class Params", 1)[0]
    (directory / "spiders" / "good.py").write_text("\n\n\n" + no_params, encoding="utf-8")
    errors = _errors(directory)
    assert len(errors) == 1
    assert errors[0].startswith("spiders/good.py:7: class Good: declares no params model")
