"""Plain-text snippets around hits and terminal highlighting."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from alerts.rules.model import MatchDocument, Span

WIDTH = 200
MAX_SNIPPETS = 3
_WORD_SEARCH = 30  # how far to look for a space before cutting inside a word (CJK has none)
# A paragraph break after a line without closing punctuation (a title or heading followed by
# the body) becomes this, not a space: "…in South Asia — The Foreign Minister…".
BREAK = " — "
_CLOSING = set(".!?:;…。！？؟۔\"'»”’)]")


def merge_spans(spans: Iterable[Span | tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans as sorted (start, end) pairs, overlapping ones merged."""
    pairs = sorted((s.start, s.end) if isinstance(s, Span) else (s[0], s[1]) for s in spans)
    merged: list[list[int]] = []
    for start, end in pairs:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def highlight(
    text: str, spans: Iterable[Span | tuple[int, int]], marker: tuple[str, str] = ("[", "]")
) -> str:
    """Wrap every (merged) span of `text` in the two markers."""
    out: list[str] = []
    pos = 0
    for start, end in merge_spans(spans):
        out += [text[pos:start], marker[0], text[start:end], marker[1]]
        pos = end
    out.append(text[pos:])
    return "".join(out)


def make_snippets(
    doc: MatchDocument, spans: Sequence[Span]
) -> tuple[tuple[str, ...], tuple[tuple[tuple[int, int], ...], ...]]:
    """One to three snippets of about WIDTH characters (body hits preferred) and hit offsets."""
    body = [s for s in spans if s.field == "body"]
    chosen = body or [s for s in spans if s.field == "title"]
    text = doc.body if body else doc.title
    pairs = sorted((s.start, s.end) for s in chosen)
    snippets: list[str] = []
    offsets: list[tuple[tuple[int, int], ...]] = []
    for group in _groups(pairs)[:MAX_SNIPPETS]:
        snippet, marks = _snippet(text, group)
        if snippet:
            snippets.append(snippet)
            offsets.append(marks)
    return tuple(snippets), tuple(offsets)


def _groups(pairs: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    groups: list[list[tuple[int, int]]] = []
    for start, end in pairs:
        if groups and end - groups[-1][0][0] <= WIDTH * 3 // 4:
            groups[-1].append((start, end))
        else:
            groups.append([(start, end)])
    return groups


def _window(text: str, first: int, last: int) -> tuple[int, int]:
    pad = max(0, (WIDTH - (last - first)) // 2)
    start, end = max(0, first - pad), min(len(text), last + pad)
    if start > 0 and not text[start - 1].isspace():
        space = next(
            (i for i in range(start, min(first, start + _WORD_SEARCH)) if text[i].isspace()), None
        )
        start = start if space is None else space + 1
    if end < len(text) and not text[end].isspace():
        back = range(end - 1, max(last, end - _WORD_SEARCH) - 1, -1)
        space = next((i for i in back if text[i].isspace()), None)
        end = end if space is None else space
    return start, end


def _runs_on(out: list[str]) -> bool:
    """Whether the text so far ends without closing punctuation (a heading, a title)."""
    last = next((piece for piece in reversed(out) if piece.strip()), "")
    return bool(last) and last[-1] not in _CLOSING and last != "…"


def _snippet(text: str, group: list[tuple[int, int]]) -> tuple[str, tuple[tuple[int, int], ...]]:
    first, last = group[0][0], max(end for _, end in group)
    start, end = _window(text, first, last)
    while start < first and text[start].isspace():
        start += 1
    while end > last and text[end - 1].isspace():
        end -= 1
    prefix = "…" if start > 0 else ""
    out: list[str] = [prefix]
    where: dict[int, int] = {}
    size = len(prefix)
    i = start
    while i < end:
        where[i] = size
        if not text[i].isspace():
            out.append(text[i])
            size += 1
            i += 1
            continue
        run_end = i
        while run_end < end and text[run_end].isspace():
            where[run_end] = size
            run_end += 1
        paragraph = text.count("\n", i, run_end) >= 2
        gap = BREAK if paragraph and _runs_on(out) else " "
        out.append(gap)
        size += len(gap)
        i = run_end
    where[end] = size
    suffix = "…" if end < len(text) else ""
    marks = tuple((where[s], where[e]) for s, e in group if start <= s and e <= end)
    return "".join(out) + suffix, marks
