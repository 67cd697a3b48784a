"""Benchmark: 10,000 realistic ~5 KB articles against 1,000 rules (engine, reference, raw scans)."""

from __future__ import annotations

import multiprocessing as mp
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import ahocorasick

from alerts.rules import (
    MatchDocument,
    RuleEngine,
    RuleSpec,
    hsdb,
    parse_query,
    presence,
    reference_match,
)
from alerts.rules.query import Term, walk

N_DOCS, N_RULES, REF_SAMPLE, ON_TOPIC_CHECKED, REPEATS = 10_000, 1_000, 100, 100, 3
WORKERS, TARGET = 2, 15_000
DOC_CHARS, ON_TOPIC, SEED = 5_000, 0.03, 20240611
LANGS = ["en", "ru", "fr", "ar", "ur", "zh"]
WEIGHTS = [40, 20, 15, 10, 5, 10]
# Common words (real), used in documents and in some rules' OR-branches.
COMMON = {
    "en": "the of and to in a is that for on with as by was said government minister today will "
    "security region talks state meeting foreign policy official week president country",
    "ru": "и в не на что с по заявил министр сегодня будет безопасности региона переговоры "
    "государства встречи внешней политики неделе официальный президент страны",
    "fr": "le la les de des et à en pour sur avec ministre sécurité région négociations réunion "
    "politique étrangère semaine déclaré officiel président pays",
    "ar": "في من على إلى أن قال وزير الخارجية اليوم الأمن المنطقة المحادثات الدولة اجتماع "
    "السياسة الأسبوع الرسمي الرئيس",
    "ur": "کے میں کی نے اور کہا وزیر خارجہ آج سلامتی خطے مذاکرات ریاست اجلاس پالیسی صدر",
    "zh": "的 在 和 是 外交部 发言人 今天 安全 地区 会谈 国家 会议 政策 表示 官方 主席",
}
# Real policy terms and names (phrases separated by "|").
REAL = {
    "en": "strategic stability|arms control|nuclear deterrence|ballistic missile|hypersonic|"
    "disarmament|nonproliferation|Stoltenberg|Lavrov|Blinken|New START|uranium enrichment",
    "ru": "стратегическая стабильность|контроль над вооружениями|ядерное сдерживание|"
    "баллистическая ракета|разоружение|нераспространение|Лавров|Рябков",
    "fr": "stabilité stratégique|maîtrise des armements|dissuasion nucléaire|"
    "missile balistique|désarmement|non-prolifération",
    "ar": "الاستقرار الاستراتيجي|الحد من التسلح|الردع النووي|صاروخ باليستي|نزع السلاح|عدم الانتشار",
    "ur": "اسٹریٹجک استحکام|جوہری ہتھیار|اسلحہ کنٹرول|بیلسٹک میزائل|تخفیف اسلحہ",
    "zh": "战略稳定|军备控制|核威慑|弹道导弹|非扩散|裁军|高超音速",
}
LETTERS = {
    "en": ("b c d f g h k l m n p r s t v w z br cr dr gr pr st tr ch sh th", "a e i o u ai ou ea"),
    "fr": ("b c d f g l m n p r s t v ch br pr tr gu qu", "a e i o u é è ou ai eau"),
    "ru": ("б в г д ж з к л м н п р с т ф х ц ч ш ст пр кр тр", "а е и о у ы я ю"),
    "ar": ("ب ت ث ج ح خ د ذ ر ز س ش ص ض ط ظ ع غ ف ق ك ل م ن ه و ي", "ا و ي"),
    "ur": ("ب پ ت ٹ ج چ د ڈ ر ڑ ز س ش ف ق ک گ ل م ن ہ", "ا و ی ے"),
}


@dataclass(frozen=True)
class Vocab:
    """Per-language document words (with Zipf weights) and topic terms."""

    words: dict[str, list[str]]
    weights: dict[str, list[float]]
    topics: dict[str, list[str]]


def pseudo_word(rng: random.Random, lang: str, lo: int, hi: int) -> str:
    """A pronounceable (or, for CJK, plausible) word of lo..hi characters."""
    if lang == "zh":
        return "".join(rng.choice(HANZI) for _ in range(rng.randint(lo, hi)))
    onsets, vowels = (part.split() for part in LETTERS[lang])
    word = ""
    while len(word) < hi:
        word += rng.choice(onsets) + rng.choice(vowels)
        if len(word) >= lo and rng.random() < 0.4:
            break
    if lang == "ar" and rng.random() < 0.3:
        word = "ال" + word
    return word[:hi]


_HANZI_RNG = random.Random(7)
HANZI = sorted({chr(_HANZI_RNG.randint(0x4E00, 0x9FA5)) for _ in range(400)})


def build_vocab(rng: random.Random) -> Vocab:
    words: dict[str, list[str]] = {}
    weights: dict[str, list[float]] = {}
    topics: dict[str, list[str]] = {}
    for lang in LANGS:
        common = COMMON[lang].split()
        real = REAL[lang].split("|")
        topic_size, general_size = ((3, 4), (1, 3)) if lang == "zh" else ((5, 10), (2, 11))
        topic = {pseudo_word(rng, lang, *topic_size) for _ in range(400)}
        general = {pseudo_word(rng, lang, *general_size) for _ in range(4000)} - topic
        words[lang] = common + sorted(general)
        weights[lang] = [1.0 / (rank + 10) for rank in range(len(words[lang]))]
        topics[lang] = real + sorted(topic - general)
    return Vocab(words, weights, topics)


def quoted(term: str) -> str:
    return f'"{term}"' if " " in term or "-" in term else term


def make_rule(rng: random.Random, i: int, vocab: Vocab) -> tuple[RuleSpec, str, str]:
    """A rule, its language and a passage that (usually) satisfies it."""
    lang = rng.choices(LANGS, WEIGHTS)[0]
    w = [quoted(t) for t in rng.sample(vocab.topics[lang], 6)]
    raw = [t.strip('"') for t in w]
    common = rng.choice(COMMON[lang].split()[8:])
    sep = "" if lang == "zh" else " "
    kind = i % 8
    query, passage = [
        (f'"{raw[0]} {raw[1]}"', f"{raw[0]} {raw[1]}"),
        (
            f'("{raw[0]} {raw[1]}" OR "{raw[1]} {raw[2]}") AND ({w[3]} OR {common}) NOT {w[5]}',
            f"{raw[1]}{sep}{raw[2]} {common}",
        ),
        (f"{w[0]} NEAR/5 {w[1]}", sep.join([raw[1], common, raw[0]])),
        (f"{raw[0][:5]}* {w[1]}", f"{raw[0]}{sep}{raw[1]}"),
        (f"title:{w[0]} OR body:({w[1]} {w[2]})", f"{raw[1]} {raw[2]}"),
        (f"{w[0]} {w[3]} -{w[4]}", f"{raw[3]} {raw[0]}"),
        (f"({w[0]} OR {w[1]} OR {w[2]}) AND lang:{lang} AND {w[3]}", f"{raw[2]} {raw[3]}"),
        (f"{w[0]} AND {w[1]}", f"{raw[1]} {common} {raw[0]}"),
    ][kind]
    languages = frozenset({lang}) if kind == 5 else frozenset()
    return RuleSpec(f"rule{i}", query, languages=languages), lang, passage


def make_doc(rng: random.Random, vocab: Vocab, examples: dict[str, list[str]]) -> MatchDocument:
    """An article: Zipf-distributed words, sentences, a few topic words, sometimes on topic."""
    lang = rng.choices(LANGS, WEIGHTS)[0]
    zh = lang == "zh"
    words = rng.choices(vocab.words[lang], vocab.weights[lang], k=1400 if zh else 900)
    for _ in range(rng.choice([0, 0, 0, 1, 1, 2])):
        words.insert(rng.randrange(len(words)), rng.choice(vocab.topics[lang]))
    tags: frozenset[str] = frozenset()
    if rng.random() < ON_TOPIC:
        words.insert(rng.randrange(len(words)), rng.choice(examples[lang]))
        tags = frozenset({"on-topic"})
    body = sentences(rng, words, zh)[:DOC_CHARS]
    title = sentences(rng, rng.choices(vocab.words[lang], vocab.weights[lang], k=8), zh)
    source = f"src{rng.randrange(50)}"
    return MatchDocument(title, body, source_id=source, language=lang, tags=tags)


def sentences(rng: random.Random, words: list[str], zh: bool) -> str:
    out: list[str] = []
    until = 0
    for index, word in enumerate(words):
        first = index == until
        if first:
            until = index + rng.randint(6, 20)
        text = word[:1].upper() + word[1:] if first and not zh else word
        end = index + 1 == until
        out.append(text + ("。" if zh and end else "." if end else ""))
    return ("" if zh else " ").join(out)


def make_corpus(seed: int) -> tuple[list[RuleSpec], list[MatchDocument]]:
    rng = random.Random(seed)
    vocab = build_vocab(rng)
    examples: dict[str, list[str]] = {lang: [] for lang in LANGS}
    rules: list[RuleSpec] = []
    for i in range(N_RULES):
        rule, lang, passage = make_rule(rng, i, vocab)
        rules.append(rule)
        examples[lang].append(passage)
    return rules, [make_doc(rng, vocab, examples) for _ in range(N_DOCS)]


_STATE: dict[str, Any] = {}


def _init_worker(rules: list[RuleSpec]) -> None:
    _STATE["engine"] = RuleEngine.from_rules(rules)


def _work(bounds: tuple[int, int]) -> tuple[int, int, float]:
    """Hits in a chunk, with this worker's pid and the CPU seconds the chunk took."""
    engine: RuleEngine = _STATE["engine"]
    docs: list[MatchDocument] = _STATE["docs"]
    c0 = time.process_time()
    hits = sum(len(engine.match(doc)) for doc in docs[bounds[0] : bounds[1]])
    return hits, os.getpid(), time.process_time() - c0


def timed(fn: Callable[[], object]) -> float:
    times = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def timed_cpu(fn: Callable[[], object]) -> tuple[float, float]:
    """Median wall and median CPU (this process) seconds of fn."""
    walls, cpus = [], []
    for _ in range(REPEATS):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return statistics.median(walls), statistics.median(cpus)


def bench_literals(rules: Sequence[RuleSpec]) -> list[str]:
    roots = [parse_query(r.query).root for r in rules]
    found = {
        p.literal for root in roots for n in walk(root) if isinstance(n, Term) for p in n.pieces
    }
    return sorted(found)


def raw_scan_time(literals: list[str], docs: Sequence[MatchDocument]) -> float:
    """CPU seconds of a pyahocorasick pass (every hit) over each lower-cased field."""
    raw = ahocorasick.Automaton()
    for lit in literals:
        raw.add_word(lit, lit)
    raw.make_automaton()

    def scan() -> None:
        for d in docs:
            list(raw.iter(d.title.lower()))
            list(raw.iter(d.body.lower()))

    return timed_cpu(scan)[1]


def raw_hyperscan_time(literals: list[str], docs: Sequence[MatchDocument]) -> tuple[float, float]:
    """Compile seconds and CPU seconds of a Hyperscan presence pass over each lower-cased field."""
    t0 = time.perf_counter()
    scanner = presence.LiteralPresence((lit, i) for i, lit in enumerate(literals))
    compiled = time.perf_counter() - t0

    def scan() -> None:
        for d in docs:
            scanner.present(d.title.lower())
            scanner.present(d.body.lower())

    return compiled, timed_cpu(scan)[1]


def parallel_time(rules: list[RuleSpec], docs: list[MatchDocument]) -> tuple[float, float]:
    """Median wall seconds and median of max per-worker CPU seconds over the repeats."""
    _STATE["docs"] = docs  # inherited by the forked workers
    chunks = [(i, i + 250) for i in range(0, len(docs), 250)]
    walls, cpus = [], []
    with mp.get_context("fork").Pool(WORKERS, _init_worker, (rules,)) as pool:
        pool.map(_work, [(0, 1)] * WORKERS * 4)  # warm up every worker
        for _ in range(REPEATS):
            t0 = time.perf_counter()
            results = pool.map(_work, chunks)
            walls.append(time.perf_counter() - t0)
            per_worker: dict[int, float] = {}
            for _, pid, cpu in results:
                per_worker[pid] = per_worker.get(pid, 0.0) + cpu
            cpus.append(max(per_worker.values()))
    return statistics.median(walls), statistics.median(cpus)


def main() -> int:
    t0 = time.perf_counter()
    rules, docs = make_corpus(SEED)
    engine = RuleEngine.from_rules(rules)
    fallback = RuleEngine.from_rules(rules, scanner="automaton")
    chars = sum(len(d.body) for d in docs) // len(docs)
    size = sum(len(d.body.encode()) for d in docs) // len(docs)
    print(f"# {len(docs)} docs (avg {chars} chars, {size} B UTF-8), {len(rules)} rules, ", end="")
    print(f"built in {time.perf_counter() - t0:.1f} s")
    scanner = "Hyperscan" if hsdb.AVAILABLE else "pyahocorasick (hyperscan not installed)"
    single, single_cpu = timed_cpu(lambda: [engine.match(d) for d in docs])
    dual, dual_cpu = parallel_time(rules, docs)
    _, fallback_cpu = timed_cpu(lambda: [fallback.match(d) for d in docs])
    literals = bench_literals(rules)
    raw_time = raw_scan_time(literals, docs)
    sample = docs[:: N_DOCS // REF_SAMPLE]
    t0 = time.perf_counter()
    want = [{r.id for r in rules if reference_match(r, d)} for d in sample]
    ref_time = (time.perf_counter() - t0) * N_DOCS / len(sample)
    on_topic = [d for d in docs if d.tags][:ON_TOPIC_CHECKED]  # where hits are likely
    sample += on_topic
    want += [{r.id for r in rules if reference_match(r, d)} for d in on_topic]
    got = [{h.rule_id for h in engine.match(d)} for d in sample]
    got_fallback = [{h.rule_id for h in fallback.match(d)} for d in sample]
    matched = sum(1 for d in docs if engine.match(d))
    print(f"# engine scanner      : {scanner}")
    print(
        f"# engine, 1 core      : {N_DOCS / single:10.0f} docs/s wall, "
        f"{N_DOCS / single_cpu:8.0f} docs/s CPU (median of {REPEATS})"
    )
    print(
        f"# engine, {WORKERS} processes : {N_DOCS / dual:10.0f} docs/s wall, "
        f"{N_DOCS / dual_cpu:8.0f} docs/s CPU (docs / max per-worker CPU s; median of {REPEATS})"
    )
    print(
        f"# engine, pyahocorasick fallback, 1 core: {N_DOCS / fallback_cpu:8.0f} docs/s CPU "
        f"(median of {REPEATS})"
    )
    print(
        f"# raw automaton scan  : {N_DOCS / raw_time:10.0f} docs/s CPU ({len(literals)} literals)"
    )
    if hsdb.AVAILABLE:
        compiled, hs_time = raw_hyperscan_time(literals, docs)
        print(
            f"# raw Hyperscan scan  : {N_DOCS / hs_time:10.0f} docs/s CPU (which literals occur; "
            f"database compiled in {compiled * 1000:.0f} ms)"
        )
    print(f"# reference evaluator : {N_DOCS / ref_time:10.1f} docs/s (from {REF_SAMPLE} docs)")
    print(f"# docs with >=1 hit   : {matched} / {N_DOCS} ({100 * matched / N_DOCS:.1f} %)")
    wall_ok = "met" if N_DOCS / dual >= TARGET else "MISSED"
    cpu_ok = "met" if N_DOCS / dual_cpu >= TARGET else "MISSED"
    one_ok = "met" if N_DOCS / single_cpu >= TARGET else "MISSED"
    print(f"# target {TARGET} docs/s ({WORKERS} processes): wall {wall_ok}, CPU {cpu_ok}")
    print(f"# target {TARGET} docs/s on 1 core (CPU): {one_ok}")
    failed = False
    for name, found in (("engine", got), ("pyahocorasick fallback", got_fallback)):
        if found != want:
            bad = sum(1 for g, w in zip(found, want, strict=True) if g != w)
            print(f"# MISMATCH {name} vs reference on {bad} of {len(sample)} sampled docs")
            failed = True
    if failed:
        return 1
    hits = sum(len(g) for g in got)
    print(f"# engine, fallback and reference agree on {len(sample)} docs ", end="")
    print(f"({REF_SAMPLE} evenly spaced, ", end="")
    print(f"{len(on_topic)} on-topic; {hits} rule hits, {sum(map(bool, got))} docs with hits)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
