"""Typed template context of a digest or alert: plain frozen dataclasses, no ORM rows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Literal, Protocol
from zoneinfo import ZoneInfo

Health = Literal["failing", "empty", "blocked", "degraded", "quiet"]
DigestKind = Literal["digest", "alert"]


class RecipientLike(Protocol):
    """The part of `RecipientConfig` a digest needs."""

    @property
    def addresses(self) -> tuple[str, ...]: ...
    @property
    def key(self) -> str: ...
    @property
    def name(self) -> str | None: ...


@dataclass(frozen=True)
class Recipient:
    """Who reads the message, and in which timezone dates are shown."""

    address: str
    name: str | None = None
    timezone: str = "UTC"

    @classmethod
    def from_config(cls, config: RecipientLike, timezone: str) -> Recipient:
        """Build from a `RecipientConfig`: its first email address, else its id (a reader
        with chat or webhook endpoints only); `timezone` is `Config.timezone_of(config)`."""
        address = config.addresses[0] if config.addresses else config.key
        return cls(address, config.name, timezone)

    @property
    def zone(self) -> ZoneInfo:
        """The recipient's timezone as a `ZoneInfo`."""
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class Snippet:
    """An excerpt of an item; `highlights` are [start, end) offsets of hits inside `text`."""

    text: str
    highlights: tuple[tuple[int, int], ...] = ()

    @cached_property
    def pieces(self) -> tuple[tuple[str, bool], ...]:
        """The text cut into (piece, is_hit) runs; computed once, shared by text and HTML."""
        text, pos, out = self.text, 0, []
        for start, end in merge_spans(self.highlights, len(text)):
            out += [(text[pos:start], False), (text[start:end], True)]
            pos = end
        out.append((text[pos:], False))
        return tuple((piece, hit) for piece, hit in out if piece)


def merge_spans(spans: Iterable[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    """Clamp spans to [0, length], drop empty ones, merge overlapping ones, sort them."""
    clamped = sorted((max(0, a), min(length, b)) for a, b in spans if min(length, b) > max(0, a))
    merged: list[tuple[int, int]] = []
    for start, end in clamped:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


@dataclass(frozen=True)
class DigestItem:
    """One matched statement."""

    item_id: str
    title: str
    url: str
    source_id: str
    source_name: str
    published_at: datetime | None = None
    # The source's own day and "day"/"minute"/"second" (None: unknown, stored before 0008).
    published_date: date | None = None
    published_precision: str | None = None
    snippets: tuple[Snippet, ...] = ()
    also_published_by: tuple[tuple[str, str], ...] = ()  # (source name, url)
    already_alerted: bool = False
    # Names of this reader's other rules that matched the item too: it is listed once,
    # under its best rule, and this says which other sections it would have been in.
    also_matches: tuple[str, ...] = ()
    # Why the article page could not be fetched ("HTTP 404") when the item was stored from
    # its listing alone (its title, date and lead); empty when the article arrived.
    article_unavailable: str = ""


# What an edit event is, in words ("{rule}" is the rule's name).
EDIT_WORDS = {
    "new_match": "now mentions {rule}",
    "passage_changed": "matched passage changed",
    "passage_vanished": "matched passage removed",
    "title_changed": "title changed",
    "date_changed": "date changed",
}


@dataclass(frozen=True)
class ChangeNotice:
    """An edit of an item the reader follows (issue 18): what changed, with a word diff.

    `diff_text` is `[-removed-] {+added+}` per changed stretch, one per line; `diff_html`
    the same as escaped `<p>` paragraphs with `<del>`/`<ins>` (alerts.rules.textdiff), and
    `changes` the stretches themselves ((before, removed, added, after) context and words).
    """

    item: DigestItem  # the item as stored now
    rule_id: str
    rule_name: str
    kind: str  # new_match | passage_changed | passage_vanished | title_changed | date_changed
    before: str
    after: str
    diff_text: str
    diff_html: str
    changed_at: datetime
    first_seen_at: datetime | None = None
    changes: tuple[tuple[str, str, str, str], ...] = ()
    # date_changed: the dates before and after
    dates: tuple[datetime, datetime] | None = None

    @property
    def what(self) -> str:
        """The change in words: "now mentions Arms control", "title changed", ..."""
        return EDIT_WORDS.get(self.kind, self.kind.replace("_", " ")).format(rule=self.rule_name)


@dataclass(frozen=True)
class WithdrawalNotice:
    """An item the reader was sent that the source withdrew, with the last text held."""

    item: DigestItem
    rule_id: str
    rule_name: str
    reason: str
    withdrawn_at: datetime | None
    last_text: str  # the item's stored body (or lead) as last fetched
    first_seen_at: datetime | None = None


@dataclass(frozen=True)
class DigestSection:
    """The items one rule matched."""

    rule_id: str
    rule_name: str
    priority: int
    items: tuple[DigestItem, ...]


@dataclass(frozen=True)
class SourceHealthLine:
    """A source that is not healthy, and since when."""

    source_id: str
    source_name: str
    health: Health
    since: datetime
    detail: str = ""


@dataclass(frozen=True)
class Digest:
    """Everything one message shows: a daily digest or an immediate alert."""

    recipient: Recipient
    generated_at: datetime
    period_start: datetime
    sections: tuple[DigestSection, ...] = ()
    health: tuple[SourceHealthLine, ...] = ()
    sources_checked: int = 0
    sources_failing: int = 0
    # enabled sources in the config (None: unknown); 0 means the digest cannot vouch for silence
    sources_configured: int | None = None
    kind: DigestKind = "digest"
    # Edit and withdrawal notices of items the reader was sent (issue 18).
    changes: tuple[ChangeNotice, ...] = ()
    withdrawals: tuple[WithdrawalNotice, ...] = ()
    ordered_sections: tuple[DigestSection, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in ("generated_at", "period_start"):
            if getattr(self, name).tzinfo is None:
                raise ValueError(f"Digest.{name} must be timezone-aware")
        ordered = sorted(self.sections, key=lambda s: (s.priority, s.rule_name.casefold()))
        object.__setattr__(self, "ordered_sections", tuple(s for s in ordered if s.items))

    @property
    def item_count(self) -> int:
        """Distinct items across sections (an item matching two rules counts once)."""
        return len({item.item_id for section in self.sections for item in section.items})

    @property
    def notice_count(self) -> int:
        """Edit and withdrawal notices."""
        return len(self.changes) + len(self.withdrawals)

    @property
    def notice_summary(self) -> str:
        """ "2 changed, 1 withdrawn" ("" without notices)."""
        parts = [f"{len(self.changes)} changed"] if self.changes else []
        parts += [f"{len(self.withdrawals)} withdrawn"] if self.withdrawals else []
        return ", ".join(parts)

    @property
    def is_heartbeat(self) -> bool:
        """True when nothing matched or changed: the message only proves the daemon is alive."""
        return not self.ordered_sections and not self.notice_count

    @property
    def rule_names(self) -> tuple[str, ...]:
        """Names of the rules the message is about: matches first, then notices; each once."""
        names = [s.rule_name for s in self.ordered_sections]
        names += [n.rule_name for n in self.changes]
        names += [n.rule_name for n in self.withdrawals]
        return tuple(dict.fromkeys(names))

    @property
    def items(self) -> tuple[DigestItem, ...]:
        """Every item in the order shown, each once."""
        seen: dict[str, DigestItem] = {}
        for section in self.ordered_sections:
            for item in section.items:
                seen.setdefault(item.item_id, item)
        return tuple(seen.values())

    @property
    def coverage_problem(self) -> Literal["unconfigured", "unchecked"] | None:
        """Why "no new matches" would mean nothing: no sources, or none checked this period."""
        if self.kind != "digest" or self.sources_checked > 0:
            return None
        return "unconfigured" if self.sources_configured == 0 else "unchecked"

    @property
    def first_item(self) -> DigestItem | None:
        """The first item shown (an alert's subject names it)."""
        sections = self.ordered_sections
        return sections[0].items[0] if sections else None
