"""Spiders from installed distributions (entry-point group `presswatch.spiders`).

Each test installs a tiny distribution the way pip lays one out (a module and its
`*.dist-info` with `entry_points.txt`) into a temporary directory on PYTHONPATH, and runs
the `presswatch` command in a subprocess, so nothing leaks into this process's registry.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from tests.sites import FixtureSiteServer, write_config

PRESSWATCH = Path(sys.executable).parent / "presswatch"
ROOT = Path(__file__).resolve().parents[2]

ACME = '''\
from spiders.base import BaseSourceSpider, SpiderParams


class AcmeSpider(BaseSourceSpider):
    """Acme's press office."""

    kind = "spider"
    name = "acme-news"

    class Params(SpiderParams):
        section: str

    def start_urls_for(self):
        return list(self.source.urls)

    def parse_index(self, response, page):
        for n in (1, 2):
            url = response.urljoin(f"/{self.params.section}/{n}")
            yield self.item(url, title=f"Acme {self.params.section} {n}", body="text")
'''


def _install(site: Path, dist: str, module: str, code: str, entry: str) -> None:
    """Lay out an installed distribution: the module and its dist-info with an entry point."""
    site.mkdir(exist_ok=True)
    (site / f"{module}.py").write_text(code, encoding="utf-8")
    info = site / f"{dist.replace('-', '_')}-1.0.dist-info"
    info.mkdir()
    metadata = f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n"
    (info / "METADATA").write_text(metadata, encoding="utf-8")
    entry_points = f"[presswatch.spiders]\n{entry}\n"
    (info / "entry_points.txt").write_text(entry_points, encoding="utf-8")


def _cli(site: Path, config_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(ROOT)])}
    command = [str(PRESSWATCH), "--config", str(config_dir), *args]
    return subprocess.run(
        command, capture_output=True, text=True, timeout=240, check=False, env=env
    )


def _acme_source(server: FixtureSiteServer, **params: Any) -> dict[str, Any]:
    return {
        "id": "acme",
        "name": "Acme",
        "kind": "spider",
        "spider": "acme-news",
        "urls": [server.url("/press")],
        "allowed_domains": ["127.0.0.1"],
        "params": params,
    }


def test_a_plugin_spider_is_listed_checked_and_crawls(
    fixture_site: FixtureSiteServer, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    _install(site, "acme-spiders", "acme_spiders", ACME, "acme = acme_spiders:AcmeSpider")
    fixture_site.site.add("/press", "<html><body>press office</body></html>")
    config_dir = write_config(tmp_path, [_acme_source(fixture_site, section="briefings")])
    kinds = _cli(site, config_dir, "sources", "kinds")
    assert kinds.returncode == 0, kinds.stderr
    assert "acme-news" in kinds.stdout and "plugin acme-spiders 1.0" in kinds.stdout
    assert "section: str (required)" in kinds.stdout
    checked = _cli(site, config_dir, "check-config")
    assert checked.returncode == 0, checked.stderr
    assert "acme-news" in checked.stdout and "plugin acme-spiders 1.0" in checked.stdout
    tested = _cli(site, config_dir, "sources", "test", "acme")
    assert tested.returncode == 0, tested.stderr
    assert "Acme briefings 1" in tested.stdout and "/briefings/2" in tested.stdout


def test_plugin_params_a_name_clash_and_a_broken_plugin_are_config_errors(
    fixture_site: FixtureSiteServer, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    _install(site, "acme-spiders", "acme_spiders", ACME, "acme = acme_spiders:AcmeSpider")
    config_dir = write_config(tmp_path, [_acme_source(fixture_site, sektion="x")])
    bad_params = _cli(site, config_dir, "check-config")
    assert bad_params.returncode == 2
    assert bad_params.stderr.splitlines()[1:] == [
        "  sources/test.yaml:15: sources[0].params.section: required key is missing",
        '  sources/test.yaml:16: sources[0].params.sektion: unknown key "sektion" '
        '(did you mean "section"?)',
    ]

    clash = config_dir / "spiders" / "mine.py"
    clash.parent.mkdir()
    clash.write_text(textwrap.dedent(ACME), encoding="utf-8")
    clash.chmod(0o644)
    taken = _cli(site, config_dir, "check-config")
    assert taken.returncode == 2 and "Traceback" not in taken.stderr
    expected = 'spiders/mine.py:4: class AcmeSpider: spider name "acme-news" is already taken'
    assert expected in taken.stderr and "(plugin acme-spiders 1.0)" in taken.stderr
    clash.unlink()

    _install(site, "broken-spiders", "broken_spiders", "import nowhere\n", "b = broken_spiders:X")
    broken = _cli(site, config_dir, "check-config")
    assert broken.returncode == 2 and "Traceback" not in broken.stderr
    assert "plugin broken-spiders 1.0: entry point b = broken_spiders:X: cannot load" in (
        broken.stderr
    )
