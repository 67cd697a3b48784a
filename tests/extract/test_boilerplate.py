"""Tests for crawler.extract.boilerplate: each boilerplate class goes, prose stays."""

from __future__ import annotations

import pytest

from crawler.extract.article import extract_article
from crawler.extract.boilerplate import strip_boilerplate

PROSE = "The minister met the delegation on Tuesday to discuss trade and regional security."


@pytest.mark.parametrize(
    "line",
    [
        "À lire aussi : Le ministre reçoit son homologue",
        "Read more: Alibaba poised to launch record-breaking listing",
        "Pour lire la suite, abonnez-vous",
        "Never miss the latest news. Sign up for our newsletter.",
        "Subscribe to our daily newsletter",
        "Lesen Sie auch: Der Minister in Paris",
        "Leia também: O ministro em Lisboa",
        "Like this story? Share it with a friend!",
        "Follow Newsbeat on Instagram, Facebook, Twitter and YouTube.",
        "12 comments",
        "We use cookies to improve your experience.",
        "Tempo de leitura: 2 minutos",
        "Copyright © 2024 Example News. All rights reserved.",
        "Читайте также: Министр в Москве",
        "[Read: Why Tunisia suffers from Islamist violence]",
        "Lire : Que sont les IMSI-catchers ?",
        "- Print Article",
        "- Order Reprints",
        "Text size",
        "An error has occurred, please try again later.",
        "This copy is for your personal, non-commercial use only. To order copies, visit us.",
        "Write to Jane Doe at jane.doe@example.com",
    ],
)
def test_boilerplate_line_is_removed(line: str) -> None:
    assert strip_boilerplate(f"{PROSE}\n{line}\n{PROSE}") == f"{PROSE}\n{PROSE}"


def test_headlines_under_a_read_also_marker_go_with_it() -> None:
    text = (
        f"{PROSE}\nDON'T MISS\nChina furious at Macron [INSIGHT]\nLakers vs Nets decision\n{PROSE}"
    )
    assert strip_boilerplate(text) == f"{PROSE}\n{PROSE}"


@pytest.mark.parametrize(
    "line",
    [
        "Following last week's summit in London, legislation will be introduced.",
        "Readers of the newsletter asked the minister about the agreement in detail.",
        "Share prices fell after the announcement of the new tariffs on steel imports.",
        "Reading: the minister opened the new library there on Tuesday.",
        "Lee - the ambassador - presented her credentials to the president.",
        "Print media in the region lost half of their readers in ten years, the report says.",
        "Write to the ministry at the address given on its website, the spokesman said.",
        "Subscribe: " + "the ministry details the agreement " * 8 + "end.",  # long: prose
    ],
)
def test_prose_is_kept(line: str) -> None:
    assert strip_boilerplate(f"{PROSE}\n{line}") == f"{PROSE}\n{line}"


def test_extracted_body_keeps_every_block_of_a_long_article() -> None:
    # The article continues after a "read also" teaser in further blocks: all are kept.
    paragraphs = [
        f"<p>Paragraph {i} of the essay explains the background of the agreement, the "
        f"negotiations of the past years and what the parties expect from it in detail.</p>"
        for i in range(12)
    ]
    page = (
        "<html><head><title>A long essay - Example</title></head><body><article><h1>A long essay"
        f"</h1>{''.join(paragraphs[:2])}<aside class='related'><p>À lire aussi : autre chose</p>"
        f"</aside><div class='more'>{''.join(paragraphs[2:])}</div></article></body></html>"
    )
    article = extract_article(page, "https://news.example.org/essay")
    for i in range(12):
        assert f"Paragraph {i} of" in article.body
    assert "lire aussi" not in article.body


@pytest.mark.parametrize(
    "line",
    [
        "Sign up for our daily newsletter",
        "Sign up for The Morning Briefing",
        "Sign up now!",
        "Sign up to receive our alerts",
    ],
)
def test_sign_up_prompts_are_removed(line: str) -> None:
    assert strip_boilerplate(f"{PROSE}\n{line}") == PROSE


@pytest.mark.parametrize(
    "line",
    [
        "- Sign up for a Hulu ad-free account for $11.99 a month",
        "- Sign up for the Disney+ bundle using the same email as your Hulu account",
    ],
)
def test_sign_up_steps_of_an_article_are_kept(line: str) -> None:
    assert strip_boilerplate(f"{PROSE}\n{line}") == f"{PROSE}\n{line}"
