"""The custom-spider example in the docs is the file `presswatch init` writes (and tests crawl)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_documented_example_spider_is_the_starter_file() -> None:
    docs = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    section = docs.split("### Example: a site whose news list is a JSON API", 1)[1]
    block = re.search(r"```python\n(.*?)```", section, re.S)
    assert block is not None, "no python block in the example section"
    starter = ROOT / "crawler" / "starter" / "spiders" / "example.py"
    assert block.group(1) == starter.read_text(encoding="utf-8")
