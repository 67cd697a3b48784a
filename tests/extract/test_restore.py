"""Tests for crawler.extract.restore: text precision mode drops is put back, nothing else."""

from __future__ import annotations

from lxml import html as lxml_html

from crawler.extract.article import extract_article
from crawler.extract.restore import page_paragraphs, restore_dropped_text

LEAD = "The ministry published its annual report on regional trade on Tuesday morning."
MIDDLE = "The report was presented in a statement to the parliament's foreign affairs committee."
LAST = "Officials said the next report would follow in the spring after the usual consultations."


def _restore(body: str, page: str) -> str:
    return restore_dropped_text(body, page_paragraphs(lxml_html.document_fromstring(page)))


def test_inline_link_text_dropped_inside_a_kept_line_is_put_back() -> None:
    page = (
        "<html><body><article><p>The minister said in a statement <span class='link'><a "
        "href='/x'>the agreement on trade</a></span> would be signed in <span class='link'>"
        f"<a href='/y'>Geneva next month</a></span>.</p><p>{LAST}</p></article></body></html>"
    )
    body = f"The minister said in a statement would be signed in .\n\n{LAST}"
    assert _restore(body, page) == (
        "The minister said in a statement the agreement on trade would be signed in Geneva "
        f"next month.\n\n{LAST}"
    )


def test_a_line_split_off_a_paragraph_is_not_merged_back() -> None:
    # A bold lead-in kept as its own line: the paragraph's missing words are already there.
    page = (
        "<html><body><article><p><b>Regional trade agreement signed</b> The ministry published "
        f"its annual report on regional trade on Tuesday.</p><p>{LAST}</p></article></body></html>"
    )
    body = (
        "Regional trade agreement signed\n\nThe ministry published its annual report on regional "
        f"trade on Tuesday.\n\n{LAST}"
    )
    assert _restore(body, page) == body


def _cards(*paragraphs: str) -> str:
    cards = "".join(f"<div class='card'><div class='text'>{p}</div></div>" for p in paragraphs)
    return f"<html><body><main>{cards}</main></body></html>"


def test_a_paragraph_dropped_between_two_kept_ones_is_put_back() -> None:
    page = _cards(
        f"<p>{LEAD}</p>",
        f"<p>{MIDDLE.replace('statement', '<a href=/s>statement</a>')}</p>",
        f"<p>{LAST}</p>",
    )
    assert _restore(f"{LEAD}\n\n{LAST}", page) == f"{LEAD}\n\n{MIDDLE}\n\n{LAST}"


def test_a_caption_between_two_kept_paragraphs_stays_out() -> None:
    page = (
        f"<html><body><article><div class='body'><p>{LEAD}</p></div><figure><figcaption><p>"
        "The minister arrives at the parliament on Tuesday (Photo: Agency).</p></figcaption>"
        f"</figure><div class='body'><p>{LAST}</p></div></article></body></html>"
    )
    assert _restore(f"{LEAD}\n\n{LAST}", page) == f"{LEAD}\n\n{LAST}"


def test_dropped_paragraphs_that_are_links_headlines_or_boilerplate_stay_out() -> None:
    for dropped in (
        "<a href='/a'>Minister visits the new port and opens the trade fair</a>.",  # links
        "Minister visits the new port",  # no sentence end: a headline
        "Sign up for our newsletter to get the latest news.",  # boilerplate class
    ):
        page = _cards(f"<p>{LEAD}</p>", f"<p>{dropped}</p>", f"<p>{LAST}</p>")
        assert _restore(f"{LEAD}\n\n{LAST}", page) == f"{LEAD}\n\n{LAST}", dropped


def test_a_caption_or_placeholder_paragraph_inside_the_text_stays_out() -> None:
    for dropped in (
        "<span class='wf_caption'><img src='map.jpg'><span>The first map of the region. "
        "(Agency)</span></span>",
        "<span>The first map of the region, drawn by the ministry.</span><img src='map.jpg'>",
    ):
        page = _cards(f"<p>{LEAD}</p>", f"<p>{dropped}</p>", f"<p>{LAST}</p>")
        assert _restore(f"{LEAD}\n\n{LAST}", page) == f"{LEAD}\n\n{LAST}", dropped
    page = _cards(
        f"<p>{LEAD}</p>",
        "<p class='slideshow-noscript'>This slideshow requires JavaScript.</p>",
        f"<p>{LAST}</p>",
    )
    assert _restore(f"{LEAD}\n\n{LAST}", page) == f"{LEAD}\n\n{LAST}"


def _chunks(chunks: list[list[str]], between: str = "") -> str:
    """An article split into chunks of the same shape with ads and embeds between them."""
    parts = []
    for chunk in chunks:
        paragraphs = "".join(f"<p>{p}</p>" for p in chunk)
        parts.append(f"<div class='body__chunk'><div class='grid'>{paragraphs}</div></div>")
    return (
        f"<html><body><article>{between.join(parts)}</article><footer><div class='about'>"
        "<p>Example News is where tomorrow is realised, every day of the week.</p></div>"
        "</footer></body></html>"
    )


ESSAY = [
    f"Paragraph {i} of the essay explains the background of the agreement in some detail."
    for i in range(12)
]
EMBED = (
    "<div class='ad'><p>Advertisement for a product that has nothing to do with it.</p></div>"
    "<blockquote class='embed'><p>Is there something you think we should know about it?</p>"
    "</blockquote>"
)


def test_an_article_cut_short_continues_in_further_chunks_of_the_same_shape() -> None:
    page = _chunks([ESSAY[:3], ESSAY[3:8], ESSAY[8:]], between=EMBED)
    restored = _restore("\n\n".join(ESSAY[:3]), page)
    assert restored == "\n\n".join(ESSAY)  # no advertisement, embed or footer


def test_a_chunk_is_not_appended_to_a_body_that_is_not_short() -> None:
    # Most of the page's text is kept already: a later same-shape block is something else.
    page = _chunks([ESSAY[:10], ESSAY[10:11]], between=EMBED)
    body = "\n\n".join(ESSAY[:10])
    assert _restore(body, page) == body


def test_the_continuation_ends_at_the_first_paragraph_that_is_not_prose() -> None:
    chunk = [*ESSAY[3:5], "<a href='/r'>Related: the minister in Paris</a>", ESSAY[5]]
    page = _chunks([ESSAY[:3], chunk, ESSAY[6:]], between=EMBED)
    restored = _restore("\n\n".join(ESSAY[:3]), page)
    assert restored == "\n\n".join(ESSAY[:5])


def test_the_last_paragraph_of_the_kept_container_is_put_back() -> None:
    page = (
        f"<html><body><article><div class='text'><p>{LEAD}</p><p>{LAST}</p><p><em><span "
        "style='border:none'>This article has been adapted from its original source.</span>"
        "</em></p></div><div class='more'><p>Other stories from the region this week.</p></div>"
        "</article></body></html>"
    )
    assert _restore(f"{LEAD}\n\n{LAST}", page) == (
        f"{LEAD}\n\n{LAST}\n\nThis article has been adapted from its original source."
    )


def test_nothing_to_restore_leaves_the_body_as_it_is() -> None:
    assert _restore("", "<html><body><p>text</p></body></html>") == ""
    assert _restore(LEAD, "<html><body><div>no paragraphs</div></body></html>") == LEAD


def test_extracted_body_keeps_link_text_inside_its_paragraphs() -> None:
    paragraphs = "".join(
        f"<p>Paragraph {i} explains the background of the agreement, the negotiations of the "
        "past years and what the parties expect from it in some detail.</p>"
        for i in range(4)
    )
    page = (
        "<html><head><title>Trade agreement - Example</title></head><body><article><h1>Trade "
        f"agreement</h1>{paragraphs}<p>The minister said in a statement <span class='link'><a "
        "href='/x'>the agreement on trade</a></span> would be signed in Geneva next month by "
        "both delegations.</p></article></body></html>"
    )
    article = extract_article(page, "https://news.example.org/trade")
    assert "in a statement the agreement on trade would be signed" in article.body


def test_many_paragraphs_starting_alike_are_bounded_and_still_mended() -> None:
    filler = "".join(f"<p>The minister met delegation number {i} today.</p>" for i in range(3000))
    page = (
        f"<html><body><article>{filler}<p>The minister said <span class='link'>in Geneva</span> "
        "that the agreement on trade would be signed next month.</p></article></body></html>"
    )
    body = "The minister said that the agreement on trade would be signed next month."
    # 3,000 candidates share the first two words: only the first few are tried.
    assert _restore(body, page) == body
    page = page.replace(filler, "")
    assert _restore(body, page) == (
        "The minister said in Geneva that the agreement on trade would be signed next month."
    )
