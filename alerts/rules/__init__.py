"""Keyword-rule engine: query language, normalization, compiled matching, snippets.

Query language (operators are upper-case; lower-case `and`/`or`/`not` are ordinary words):

    stability                bare term: whole-word match after normalization
    "strategic stability"    phrase: the words in order, only spaces/punctuation between
    a b / a AND b            both (adjacent terms are joined by an implicit AND)
    a OR b                   either
    NOT a / -a               not; `a NOT b` means a AND NOT b
    a NEAR/5 b               at most 5 words between a match of a and one of b (either order,
                             same field); operands: terms, phrases, regexes, OR-groups, NEAR
    stabil*  *stability      prefix / suffix wildcard (word-internal); `*stab*` = infix
    title:x  body:(a OR b)   restrict terms to one field (overrides the rule's `fields`)
    source:id lang:ru tag:t  metadata filters (case-insensitive; `lang:ru` accepts `ru-RU`)
    /regex/                  Python regex (case-insensitive) over the NORMALIZED field text
    =word  ="exact phrase"   exact: no stemming, no diacritic/letter-variant folding
                             (still case-insensitive and NFKC)

Precedence: NOT > NEAR > AND (explicit or implicit) > OR; parentheses group.
A query needs at least one positive term (a term, phrase or regex not under NOT):
a pure-NOT query such as `NOT cricket` is rejected at parse time.

Normalization (identical for queries and documents): NFKC, case folding, Latin diacritic
folding (é→e; optional), dash/quote/apostrophe/space variants unified, ё→е, Arabic/Urdu
letter variants unified (ي/ی/ى, ك/ک, ه/ہ/ە/ھ/ة, أ/إ/آ/ٱ→ا), Arabic-Indic digits → 0-9, tatweel
and harakat ignored. Words of spaced scripts match on word boundaries; Chinese, Japanese and
Korean strings match as substrings (each CJK character counts as one word for NEAR).

Stemming policy: only all-Cyrillic words are stemmed (Russian Snowball), whatever the
document's declared language, so "стратегическая стабильность" matches "стратегической
стабильности". English, French and other languages are NOT stemmed ("stability" never matches
"stable"): use `stabil*` for inflected forms.
"""

from __future__ import annotations

from alerts.rules.engine import RuleEngine
from alerts.rules.model import ConfiguredRule, MatchDocument, RuleHit, RuleSpec, Span
from alerts.rules.parser import parse_query
from alerts.rules.query import Query
from alerts.rules.records import ItemMatcher, ItemText, MatchRecord
from alerts.rules.reference import reference_match
from alerts.rules.snippets import highlight

__all__ = [
    "ConfiguredRule",
    "ItemMatcher",
    "ItemText",
    "MatchDocument",
    "MatchRecord",
    "Query",
    "RuleEngine",
    "RuleHit",
    "RuleSpec",
    "Span",
    "highlight",
    "parse_query",
    "reference_match",
]
