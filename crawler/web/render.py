"""Jinja2 for the console: autoescaped templates, highlighting and small formatting filters."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from alerts.rules import Span
from alerts.rules.snippets import merge_spans

TEMPLATES = Path(__file__).with_name("templates")
SPARK_WIDTH, SPARK_HEIGHT = 120, 20


def make_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = format_when
    env.globals["marked"] = marked
    env.globals["sparkline"] = sparkline
    return env


def marked(text: str, spans: Iterable[Span | tuple[int, int]], field: str | None = None) -> Markup:
    """`text`, escaped, with every (merged) span wrapped in <mark>."""
    chosen = [s for s in spans if not isinstance(s, Span) or field is None or s.field == field]
    out: list[str] = []
    pos = 0
    for start, end in merge_spans(chosen):
        out += [str(escape(text[pos:start])), "<mark>", str(escape(text[start:end])), "</mark>"]
        pos = end
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))


def format_when(value: datetime | None) -> str:
    """A UTC timestamp to the minute, or a dash."""
    if value is None:
        return "—"
    return value.strftime("%Y-%m-%d %H:%M UTC")


def sparkline(counts: Sequence[int]) -> Markup:
    """An inline SVG polyline of daily counts (oldest first)."""
    if not counts:
        return Markup("")
    top = max(*counts, 1)
    step = SPARK_WIDTH / max(len(counts) - 1, 1)
    points = " ".join(
        f"{i * step:.1f},{SPARK_HEIGHT - 1 - (c / top) * (SPARK_HEIGHT - 2):.1f}"
        for i, c in enumerate(counts)
    )
    label = escape(f"{sum(counts)} items in {len(counts)} days")
    return Markup(
        f'<svg class="spark" width="{SPARK_WIDTH}" height="{SPARK_HEIGHT}" role="img" '
        f'aria-label="{label}"><polyline fill="none" stroke="currentColor" '
        f'points="{points}"/></svg>'
    )
