"""Benchmark: extract_article on corpus and synthetic ministry pages (pages/s, stage times)."""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import random
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from crawler.extract import article as article_module
from crawler.extract.article import extract_article, warm_up

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
EVAL_FOLDERS = ("readability_testpages", "goose3", "newspaper4k")
MIN_BYTES, MAX_BYTES = 50_000, 110_000
N_SYNTHETIC, RUNS = 40, 5
STAGES = {"_parse": "parse", "_trafilatura": "trafilatura", "_date": "dates"}
STAGES["_detect_language"] = "language"
Page = tuple[bytes, str]
VOCABULARY = (
    "the minister said government foreign affairs today security region talks state meeting "
    "policy official week cooperation bilateral delegation visit agreement economic relations "
    "embassy ambassador republic president statement press conference joint development"
)
WORDS = VOCABULARY.split()


def corpus_pages() -> list[Page]:
    """Corpus article pages of 50-110 KB with their URLs; empty when the corpus is absent."""
    base = CORPUS / "article_eval"
    if not base.is_dir():
        print(f"corpus not found at {CORPUS}: skipping real pages")
        return []
    pages: list[Page] = []
    for folder in EVAL_FOLDERS:
        expected = json.loads((base / folder / "expected.json").read_text(encoding="utf-8"))
        for key, info in expected.items():
            path = CORPUS / key
            if MIN_BYTES <= path.stat().st_size <= MAX_BYTES:
                pages.append((path.read_bytes(), info.get("url") or "https://example.com/a"))
    return pages


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choices(WORDS, k=words)).capitalize() + "."


def _links(rng: random.Random, count: int, css: str) -> str:
    items = "".join(
        f'<li class="{css}-item"><a href="/section/{rng.randint(1, 9999)}">'
        f"{_sentence(rng, rng.randint(1, 4))}</a></li>"
        for _ in range(count)
    )
    return f'<ul class="{css}">{items}</ul>'


def synthetic_page(rng: random.Random, index: int) -> Page:
    """A 50-100 KB ministry-like page: navigation, header/footer, sidebars, one dated article."""
    target = rng.randint(50_000, 100_000)
    day = rng.randint(1, 28)
    title = _sentence(rng, 8)[:-1]
    head = (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title} | Ministry '
        f'of Foreign Affairs</title><meta property="article:published_time" '
        f'content="2024-03-{day:02d}T10:00:00+03:00"><style>body{{margin:0}}</style>'
        "<script>var x = 1;</script></head><body>"
    )
    chrome = (
        f'<header class="site-header"><nav class="main-menu">{_links(rng, 40, "menu")}</nav>'
        f"</header><aside class='sidebar'>{_links(rng, 60, 'news')}</aside>"
    )
    paragraphs: list[str] = []
    size = len(head) + len(chrome)
    while size < target * 0.55:
        paragraph = f"<p>{' '.join(_sentence(rng, rng.randint(8, 25)) for _ in range(4))}</p>"
        paragraphs.append(paragraph)
        size += len(paragraph)
    body = (
        f'<main><article class="news-detail"><h1>{title}</h1><div class="date">{day} March 2024'
        f"</div>{''.join(paragraphs)}</article></main>"
    )
    footer_links = max(10, (target - size) // 75)
    footer = f'<footer class="site-footer">{_links(rng, footer_links, "footer")}</footer>'
    page = f"{head}{chrome}{body}{footer}</body></html>"
    return page.encode("utf-8"), f"https://mfa.example.gov/en/press/{index}.html"


class StageTimer:
    """Wraps private stage functions of the article module with perf_counter accounting."""

    def __init__(self) -> None:
        self.totals: dict[str, float] = defaultdict(float)
        self.originals: dict[str, Callable[..., Any]] = {}

    def install(self) -> None:
        for name, stage in STAGES.items():
            original = getattr(article_module, name)
            self.originals[name] = original
            setattr(article_module, name, self._wrap(original, stage))

    def uninstall(self) -> None:
        for name, original in self.originals.items():
            setattr(article_module, name, original)

    def _wrap(self, func: Callable[..., Any], stage: str) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                self.totals[stage] += time.perf_counter() - start

        return timed


def run_once(pages: list[Page]) -> tuple[float, float]:
    """Wall and CPU seconds for one pass over the pages."""
    wall, cpu = time.perf_counter(), time.process_time()
    for raw, url in pages:
        extract_article(raw, url)
    return time.perf_counter() - wall, time.process_time() - cpu


def measure(label: str, pages: list[Page], runs: int) -> None:
    """Print median pages/s (wall and CPU) and the per-stage milliseconds per page."""
    if not pages:
        return
    for raw, url in pages[:3]:
        extract_article(raw, url)
    walls, cpus = zip(*(run_once(pages) for _ in range(runs)), strict=True)
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    timer = StageTimer()
    timer.install()
    try:
        total, _ = run_once(pages)
    finally:
        timer.uninstall()
    kb = sum(len(raw) for raw, _ in pages) / len(pages) / 1000
    print(f"{label}: {len(pages)} pages, {kb:.0f} KB avg, median of {runs} runs")
    print(f"  {len(pages) / wall:6.1f} pages/s wall   {len(pages) / cpu:6.1f} pages/s CPU")
    stages = dict(timer.totals)
    stages["other"] = max(0.0, total - sum(stages.values()))
    row = "  ".join(f"{k} {v / len(pages) * 1000:.1f}" for k, v in stages.items())
    print(f"  ms/page: {row}  (total {total / len(pages) * 1000:.1f})")


def profile(pages: list[Page]) -> None:
    """cProfile one pass and print the top 20 by cumulative time."""
    profiler = cProfile.Profile()
    profiler.enable()
    run_once(pages)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--profile", action="store_true", help="cProfile top 20 instead")
    args = parser.parse_args()
    start = time.perf_counter()
    warm_up()
    print(f"warm_up: {time.perf_counter() - start:.2f} s")
    rng = random.Random(20240301)
    real = corpus_pages()
    synthetic = [synthetic_page(rng, i) for i in range(N_SYNTHETIC)]
    if args.profile:
        profile(real + synthetic)
        return
    measure("corpus", real, args.runs)
    measure("synthetic", synthetic, args.runs)
    measure("all", real + synthetic, args.runs)


if __name__ == "__main__":
    main()
