"""`presswatch rules list|test|rematch`: grep-like exit codes, highlighted hits, rematch."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from crawler.cli.main import cli
from crawler.config import load_config
from crawler.store.items import ItemRecord, insert_items
from crawler.store.schema import rule_matches
from crawler.store.store import Store

RULES = """\
rules:
  - id: stability
    name: Strategic stability
    query: '"strategic stability" OR "стратегическая стабильность"'
"""
MORE_RULES = (
    RULES
    + """\
  - id: cpec
    name: CPEC
    query: 'CPEC OR "سی پیک" OR 中巴经济走廊'
"""
)


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("query", "text", "code", "shown"),
    [
        (
            '"strategic stability" AND (Pakistan OR Russia)',
            "Russia stressed strategic stability.",
            0,
            "[strategic stability]",
        ),
        ('"стратегическая стабильность"', "об укреплении стратегической стабильности", 0, "["),
        ('"سی پیک"', "وزیر اعظم نے سی پیک منصوبوں کا جائزہ لیا", 0, "[سی پیک]"),
        ("中巴经济走廊", "双方同意推进中巴经济走廊建设", 0, "[中巴经济走廊]"),
        ('"strategic stability"', "instability in the region", 1, "no match"),
        ("stability", "instability", 1, "no match"),
    ],
)
def test_rules_test_exit_status_like_grep(
    tmp_path: Path, query: str, text: str, code: int, shown: str
) -> None:
    status, output = invoke(
        "--config", str(tmp_path / "none"), "rules", "test", query, "--text", text
    )
    assert status == code, output
    assert shown in output


def test_syntax_error_exits_2_with_column(tmp_path: Path) -> None:
    status, output = invoke("--config", str(tmp_path), "rules", "test", "a AND )", "--text", "a")
    assert status == 2
    assert "column" in output


def test_exactly_one_input_is_required(tmp_path: Path) -> None:
    status, output = invoke("--config", str(tmp_path), "rules", "test", "a")
    assert status == 2 and "exactly one of" in output


def test_rule_id_from_config_and_file_input(tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "r.yaml").write_text(RULES, encoding="utf-8")
    doc = tmp_path / "doc.txt"
    doc.write_text("The minister spoke of strategic stability.", encoding="utf-8")
    status, output = invoke(
        "--config", str(tmp_path), "rules", "test", "stability", "--file", str(doc)
    )
    assert status == 0, output
    status, output = invoke("--config", str(tmp_path), "rules", "list")
    assert status == 0 and "stability" in output


def test_item_input_and_rematch(tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "r.yaml").write_text(RULES, encoding="utf-8")
    store = Store.from_config(load_config(tmp_path))
    record = ItemRecord("pk", "https://example.org/1", "CPEC review", "سی پیک کا اجلاس")
    with store.begin() as connection:
        item_id = insert_items(connection, [record]).new[0].id
    status, output = invoke(
        "--config", str(tmp_path), "rules", "test", "CPEC", "--item", str(item_id)
    )
    assert status == 0, output
    assert "[CPEC]" in output
    status, output = invoke("--config", str(tmp_path), "rules", "test", "x", "--item", "999")
    assert status == 2 and "no item 999" in output
    (tmp_path / "rules" / "r.yaml").write_text(MORE_RULES, encoding="utf-8")
    for expected in ("1 new match\n", "0 new matches"):
        status, output = invoke("--config", str(tmp_path), "rules", "rematch", "--since", "1d")
        assert status == 0, output
        assert expected in output
    with store.connect() as connection:
        count = connection.scalar(select(func.count()).select_from(rule_matches))
    assert count == 1
