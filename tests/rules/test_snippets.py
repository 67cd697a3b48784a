"""Spans point at original characters; snippets are cut at word boundaries; 1-3 snippets."""

from __future__ import annotations

import pytest

from alerts.rules import MatchDocument, RuleEngine, RuleHit, RuleSpec, Span, highlight


def hit_for(query: str, title: str = "", body: str = "") -> RuleHit:
    hits = RuleEngine.from_rules([RuleSpec("r", query)]).match(MatchDocument(title, body))
    assert len(hits) == 1
    return hits[0]


def texts(hit: RuleHit, doc_title: str, doc_body: str) -> list[str]:
    return [(doc_title if s.field == "title" else doc_body)[s.start : s.end] for s in hit.spans]


@pytest.mark.parametrize(
    ("query", "body", "expected"),
    [
        ("finance", "The ﬁnance ministry", ["ﬁnance"]),
        ("istanbul", "In İstanbul today", ["İstanbul"]),
        ("strasse", "Die Straße hier", ["Straße"]),
        ('"große strasse"', "Die GROẞE Straße", ["GROẞE Straße"]),
        ("cafe", "le cafe\u0301 noir", ["cafe\u0301"]),
        ("الاستقرار", "عن الاسـتـقـرار اليوم", ["الاسـتـقـرار"]),
        ("الاستقرار", "عن الاِسْتِقْرَار اليوم", ["الاِسْتِقْرَار"]),
        ("稳定", "维护战略稳定。", ["稳定"]),
        (
            '"стратегическая стабильность"',
            "о стратегической стабильности",
            ["стратегической стабильности"],
        ),
        ("china", "ＣＨＩＮＡ中国", ["ＣＨＩＮＡ"]),
        ("stabil*", "Stabilization first", ["Stabilization"]),
        ("*stability", "instability", ["instability"]),
    ],
)
def test_spans_point_at_original_text(query: str, body: str, expected: list[str]) -> None:
    hit = hit_for(query, body=body)
    assert texts(hit, "", body) == expected


def test_title_and_body_spans() -> None:
    hit = hit_for("summit", title="Summit news", body="The summit opened.")
    assert hit.spans == (Span("title", 0, 6), Span("body", 4, 10))


def test_snippets_cut_at_word_boundaries() -> None:
    words = " ".join(f"word{i}" for i in range(200))
    body = f"{words} strategic stability {words}"
    hit = hit_for('"strategic stability"', body=body)
    assert len(hit.snippets) == 1
    snippet = hit.snippets[0]
    assert snippet.startswith("…") and snippet.endswith("…")
    assert 150 <= len(snippet) <= 230
    inner = snippet[1:-1]
    assert all(w.startswith("word") or w in ("strategic", "stability") for w in inner.split())
    (marks,) = hit.snippet_spans
    assert [snippet[s:e] for s, e in marks] == ["strategic stability"]


def test_one_to_three_snippets() -> None:
    filler = " ".join(["lorem"] * 120)
    body = f" {filler} ".join(["treaty"] * 6)
    hit = hit_for("treaty", body=body)
    assert len(hit.spans) == 6
    assert len(hit.snippets) == 3
    for snippet, marks in zip(hit.snippets, hit.snippet_spans, strict=True):
        assert [snippet[s:e] for s, e in marks] == ["treaty"] * len(marks)


def test_short_body_snippet_is_whole_text_and_whitespace_collapsed() -> None:
    hit = hit_for("treaty", body="The\n  treaty   holds.")
    assert hit.snippets == ("The treaty holds.",)
    assert hit.snippet_spans == (((4, 10),),)


def test_a_title_at_the_start_of_the_body_is_kept_apart_from_the_text() -> None:
    body = (
        "Minister meets counterpart on strategic stability in South Asia\n\n"
        "The Minister received her counterpart.\n\nBoth underlined strategic stability."
    )
    hit = hit_for('"strategic stability"', body=body)
    [snippet] = hit.snippets
    assert "in South Asia — The Minister received her counterpart. Both underlined" in snippet
    assert [snippet[a:b] for a, b in hit.snippet_spans[0]] == ["strategic stability"] * 2


def test_title_only_hit_uses_title() -> None:
    hit = hit_for("title:summit", title="Summit opens", body="Nothing here.")
    assert hit.snippets == ("Summit opens",)


def test_highlight_merges_and_marks() -> None:
    assert highlight("abc def ghi", [Span("body", 0, 3), (4, 7), (5, 6)]) == "[abc] [def] ghi"
    assert highlight("abc", [(0, 3)], marker=("<b>", "</b>")) == "<b>abc</b>"
    assert highlight("abc", []) == "abc"
