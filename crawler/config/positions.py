"""Where a character of a YAML string value sits in its file, for errors inside a value.

A rule query error says "column 9 of the query"; the user edits the file, so the error should
name the file's line and column. Quoted and plain scalars start at the value's mark (after the
quote); block scalars (`>-`, `|`) start on the next line; a value folded over several lines is
joined with one character per line break, and each continuation line loses its indentation.
"""

from __future__ import annotations

from crawler.config.yamlfile import KeyPath, LoadedYaml

_QUOTES = "'\""
_BLOCK = ">|"


def locate(loaded: LoadedYaml, path: KeyPath, offset: int) -> tuple[int, int] | None:
    """1-based (line, column) in the file of character `offset` (0-based) of the value."""
    start = loaded.values.get(path)
    if start is None:
        return None
    lines = loaded.text.splitlines()
    line, column = start
    if line >= len(lines):
        return None
    first = lines[line][column : column + 1]
    if first and first in _BLOCK:
        return _in_block(lines, line + 1, offset)
    column += 1 if first and first in _QUOTES else 0
    remaining = offset
    segment = lines[line][column:]
    while remaining > len(segment) and line + 1 < len(lines):
        remaining -= len(segment.rstrip()) + 1
        line += 1
        stripped = lines[line].lstrip()
        column = len(lines[line]) - len(stripped)
        segment = stripped
    return line + 1, column + remaining + 1


def _in_block(lines: list[str], line: int, offset: int) -> tuple[int, int] | None:
    indent: int | None = None
    remaining = offset
    while line < len(lines):
        text = lines[line]
        if indent is None and text.strip():
            indent = len(text) - len(text.lstrip())
        content = text[indent or 0 :]
        if remaining <= len(content) - 1 or line + 1 >= len(lines):
            return line + 1, (indent or 0) + remaining + 1
        remaining -= len(content) + 1
        line += 1
    return None
