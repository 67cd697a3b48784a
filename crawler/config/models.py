"""Pydantic models of every config file: presswatch.yaml, sources/*.yaml, rules/*.yaml."""

from __future__ import annotations

import fnmatch
import re
from datetime import time, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    SecretStr,
    Tag,
    field_validator,
    model_validator,
)

from crawler.config.durations import ByteSize, Duration

_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+$")
_LABEL = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
_DOMAIN = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(?:\.{_LABEL})*$")
_CRON_FIELD = re.compile(r"^[\d*/,\-A-Za-z?LW#]+$")


class Strict(BaseModel):
    """Base of every config model: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


_DOMAIN_RULE = re.compile(r"(\*\.)?[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?")


def _check_id(value: str) -> str:
    if not _ID.match(value):
        raise ValueError(
            f'invalid id "{value}": use lower-case letters, digits, ".", "_" or "-" (max 64)'
        )
    return value


def _check_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        message = f'unknown timezone "{value}" (use an IANA name like Asia/Karachi)'
        raise ValueError(message) from exc
    return value


def _check_email(value: str) -> str:
    if not _EMAIL.match(value.strip()):
        raise ValueError(f'invalid email address "{value}"')
    return value.strip()


def _check_domain(value: str) -> str:
    host = value.strip().lower().rstrip(".")
    if not _DOMAIN.match(host):
        raise ValueError(f'invalid domain name "{value}" (e.g. mail.example.org)')
    return host


def _check_cron(value: str) -> str:
    fields = value.split()
    if len(fields) != 5 or not all(_CRON_FIELD.match(f) for f in fields):
        raise ValueError(f'invalid cron expression "{value}" (five fields: "0 */2 * * *")')
    from apscheduler.triggers.cron import CronTrigger

    try:
        CronTrigger.from_crontab(value)
    except ValueError as exc:
        raise ValueError(f'invalid cron expression "{value}": {exc}') from exc
    return value


_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def _parse_clock(value: Any) -> Any:
    """`08:00` or `8:00` (24-hour); anything else is told the format, not a parse error."""
    if isinstance(value, time):
        return value
    match = _CLOCK.match(str(value).strip())
    if match is None:
        raise ValueError(f'invalid time "{value}": write HH:MM on a 24-hour clock, e.g. "08:00"')
    return time(int(match.group(1)), int(match.group(2)))


Identifier = Annotated[str, AfterValidator(_check_id)]
ClockTime = Annotated[time, BeforeValidator(_parse_clock)]
TimezoneName = Annotated[str, AfterValidator(_check_timezone)]
EmailAddress = Annotated[str, AfterValidator(_check_email)]
DomainName = Annotated[str, AfterValidator(_check_domain)]
CronExpression = Annotated[str, AfterValidator(_check_cron)]
HttpUrl = Annotated[str, Field(pattern=r"^https?://[^\s/$.?#][^\s]*$")]


# --- presswatch.yaml -------------------------------------------------------------------------


class DatabaseConfig(Strict):
    """Where the store lives; SQLite under data_dir when url is unset."""

    url: str | None = None
    busy_timeout: Duration = timedelta(seconds=30)
    echo: bool = False


BROKER_SCHEMES = ("redis://", "rediss://", "amqp://", "amqps://", "pyamqp://")


def _check_broker(value: str) -> str:
    if not value.startswith(BROKER_SCHEMES):
        raise ValueError(f"must start with one of {', '.join(BROKER_SCHEMES)}")
    return value


BrokerUrl = Annotated[str, AfterValidator(_check_broker)]


class CeleryConfig(Strict):
    """crawl.celery: the broker the scheduler enqueues crawls on and workers consume (issue 20).

    `routes` maps a queue name to the source ids (or shell patterns such as `eu-*`) crawled
    from it; a source matching none goes to `queue`.
    """

    broker_url: BrokerUrl = "redis://127.0.0.1:6379/0"
    result_backend: BrokerUrl | None = None
    queue: Identifier = "presswatch"
    routes: dict[Identifier, list[str]] = Field(default_factory=dict)
    # Redis redelivers a task whose worker died after this long without an ack.
    visibility_timeout: Duration = timedelta(hours=1)

    def queue_of(self, source_id: str) -> str:
        """The queue `source_id` is routed to (the first route that names it)."""
        for queue, patterns in self.routes.items():
            if any(fnmatch.fnmatchcase(source_id, p) for p in patterns):
                return queue
        return self.queue

    def queues(self) -> list[str]:
        return [self.queue, *(q for q in self.routes if q != self.queue)]


class CrawlConfig(Strict):
    """Crawl defaults shared by every source (a source may override some)."""

    user_agent: str = "presswatch/{version} (+https://github.com/presswatch/presswatch)"
    contact: str = ""
    concurrency: int = Field(default=8, ge=1, le=64)
    concurrency_per_domain: int = Field(default=2, ge=1, le=16)
    download_delay: Duration = timedelta(seconds=1)
    autothrottle: bool = True
    timeout: Duration = timedelta(seconds=30)
    max_download_size: ByteSize = 20 * 1024 * 1024
    retries: int = Field(default=3, ge=0, le=10)
    obey_robots_txt: bool = True
    parallel_sources: int = Field(default=2, ge=1, le=32)
    source_timeout: Duration = timedelta(minutes=15)
    allow_private_addresses: bool = False
    # An article page that could not be fetched is tried again on later runs, after
    # article_retry_after, then twice that, ...; at most article_retries times.
    article_retries: int = Field(default=3, ge=0, le=20)
    article_retry_after: Duration = timedelta(hours=1)
    # local: each crawl in a child process of the daemon; celery: enqueued for `presswatch worker`.
    executor: Literal["local", "celery"] = "local"
    celery: CeleryConfig = CeleryConfig()

    @field_validator("user_agent")
    @classmethod
    def _names_presswatch(cls, value: str) -> str:
        if "presswatch" not in value.lower():
            raise ValueError("the user agent must name presswatch so site operators know us")
        return value

    def resolved_user_agent(self) -> str:
        """The User-Agent header: `{version}` filled in, the contact appended if missing."""
        from crawler import __version__

        agent = self.user_agent.replace("{version}", __version__)
        if self.contact and self.contact not in agent:
            agent = f"{agent} (+{self.contact})"
        return agent


class SmtpConfig(Strict):
    """An SMTP relay; the password should come from ${ENV}."""

    host: str
    port: int = Field(default=587, ge=1, le=65535)
    security: Literal["starttls", "tls", "none"] = "starttls"
    username: str | None = None
    password: SecretStr | None = None
    timeout: Duration = timedelta(seconds=30)


class MailConfig(Strict):
    """How messages leave: the outbox directory by default, or SMTP."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    transport: Literal["outbox", "smtp"] = "outbox"
    from_address: str = Field(default="presswatch <presswatch@localhost>", alias="from")
    reply_to: EmailAddress | None = None
    subject_prefix: str = "presswatch"
    message_id_domain: DomainName | None = None
    smtp: SmtpConfig | None = None

    @model_validator(mode="after")
    def _smtp_needs_settings(self) -> MailConfig:
        if self.transport == "smtp" and self.smtp is None:
            raise ValueError("transport is smtp but no smtp: section is given")
        return self


Cadence = Literal["digest", "immediate"]
ALL_CADENCES: tuple[Cadence, ...] = ("digest", "immediate")
_WEBHOOK_SECRET = re.compile(r"^whsec_[A-Za-z0-9+/]+={0,2}$")


class EndpointBase(Strict):
    """Keys every endpoint shares: its name in the ledger and which cadences it takes."""

    # Several endpoints of one kind need names ("slack", "teams"); the default is the kind.
    name: Identifier | None = None
    cadences: list[Cadence] = Field(default_factory=lambda: list(ALL_CADENCES), min_length=1)
    enabled: bool = True

    @property
    def kind(self) -> str:
        """The notifier kind: the one key among email/apprise/webhook this endpoint has."""
        raise NotImplementedError

    @property
    def key(self) -> str:
        """The endpoint's identity in the delivery ledger, unique within its recipient."""
        return self.name or self.kind


class EmailEndpoint(EndpointBase):
    """Mail through the `mail:` transport (SMTP or the outbox)."""

    email: EmailAddress

    @property
    def kind(self) -> str:
        return "email"


class AppriseEndpoint(EndpointBase):
    """A chat or push service through an Apprise URL (slack://, tgram://, json://...)."""

    apprise: SecretStr  # URLs carry tokens: give them as ${VAR}
    # Items listed per rule in a digest before "and N more" (the chat summary).
    top_items: int = Field(default=5, ge=1, le=50)

    @property
    def kind(self) -> str:
        return "apprise"


class WebhookEndpoint(EndpointBase):
    """A signed JSON POST (Standard Webhooks headers) to an http(s) URL."""

    webhook: HttpUrl
    secret: SecretStr | None = None  # whsec_<base64>; signs each request when set
    timeout: Duration = timedelta(seconds=10)

    @property
    def kind(self) -> str:
        return "webhook"

    @field_validator("secret")
    @classmethod
    def _standard_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _WEBHOOK_SECRET.match(value.get_secret_value()):
            raise ValueError('the webhook secret must be "whsec_" followed by base64')
        return value


ENDPOINT_KINDS = ("email", "apprise", "webhook")


def _endpoint_kind(value: Any) -> str | None:
    """The tag of an endpoint: which one of email/apprise/webhook it has (None: unclear).

    Tags are "<kind>-endpoint", not the bare key, so that error locations (which carry the
    tag) read `endpoints[0].secret` rather than `endpoints[0].webhook.secret`: the config
    loader drops location parts that are not keys of the file.
    """
    if isinstance(value, EndpointBase):
        return f"{value.kind}-endpoint"
    if not isinstance(value, dict):
        return None
    present = [kind for kind in ENDPOINT_KINDS if kind in value]
    return f"{present[0]}-endpoint" if len(present) == 1 else None


Endpoint = Annotated[
    Annotated[EmailEndpoint, Tag("email-endpoint")]
    | Annotated[AppriseEndpoint, Tag("apprise-endpoint")]
    | Annotated[WebhookEndpoint, Tag("webhook-endpoint")],
    Discriminator(
        _endpoint_kind,
        custom_error_type="endpoint_kind",
        custom_error_message="an endpoint needs exactly one of email:, apprise:, webhook:",
    ),
]


class RecipientConfig(Strict):
    """A reader: where the digest goes, when, and what it covers.

    The short form gives `address:` (one email endpoint taking both cadences, as before
    notifiers existed); the long form lists `endpoints:`, each with its own cadences.
    """

    id: Identifier | None = None
    address: str = ""  # an email address; "" when the reader has endpoints only
    name: str | None = None
    timezone: TimezoneName | None = None
    digest_time: ClockTime = time(8, 0)
    rules: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    immediate: bool = True
    enabled: bool = True
    endpoints: list[Endpoint] = Field(default_factory=list)

    @field_validator("address")
    @classmethod
    def _email_or_empty(cls, value: str) -> str:
        return _check_email(value) if value.strip() else ""

    @model_validator(mode="after")
    def _reachable(self) -> RecipientConfig:
        if not self.address and not self.endpoints:
            raise ValueError("give address: or endpoints:")
        if not self.address and not self.id:
            raise ValueError("a recipient without address: needs an id:")
        keys = [endpoint.key for endpoint in self.endpoints]
        doubled = sorted({key for key in keys if keys.count(key) > 1})
        if doubled:
            raise ValueError(
                f"endpoint name {doubled[0]!r} is used twice: give each endpoint its own name:"
            )
        return self

    @property
    def key(self) -> str:
        """The stable identity used in the delivery ledger."""
        return self.id or self.address.lower()

    @property
    def resolved_endpoints(self) -> tuple[EndpointBase, ...]:
        """The enabled endpoints; the short form is one email endpoint named "email"."""
        if not self.endpoints:
            cadences: list[Cadence] = list(ALL_CADENCES) if self.immediate else ["digest"]
            return (EmailEndpoint(email=self.address, cadences=cadences),)
        return tuple(endpoint for endpoint in self.endpoints if endpoint.enabled)

    @property
    def addresses(self) -> tuple[str, ...]:
        """Every email address of this reader, lower-cased: `address` and email endpoints."""
        found = [self.address] + [e.email for e in self.endpoints if isinstance(e, EmailEndpoint)]
        return tuple(dict.fromkeys(a.lower() for a in found if a))

    def endpoint(self, key: str) -> EndpointBase | None:
        """The enabled endpoint named `key` (None when removed or disabled)."""
        return next((e for e in self.resolved_endpoints if e.key == key), None)


class SchedulerConfig(Strict):
    """The daemon's clock."""

    max_concurrent_crawls: int = Field(default=2, ge=1, le=32)
    jitter: Duration = timedelta(seconds=60)
    misfire_grace_time: Duration = timedelta(minutes=10)
    retry_every: Duration = timedelta(minutes=5)
    maintenance_cron: CronExpression = "30 3 * * *"
    shutdown_grace: Duration = timedelta(seconds=30)
    # A second `presswatch run` on the same PostgreSQL database waits as standby (issue 20).
    standby: bool = False


class DeliveryConfig(Strict):
    """Retry policy of the delivery ledger."""

    max_attempts: int = Field(default=20, ge=1)
    backoff_initial: Duration = timedelta(minutes=1)
    backoff_max: Duration = timedelta(hours=2)


class HealthConfig(Strict):
    """Thresholds of source health states."""

    failing_after: int = Field(default=3, ge=1)
    default_expect_new_within: Duration | None = None
    # A run whose article pages failed above this share of those it tried is `degraded`.
    degraded_above: float = Field(default=0.3, ge=0.0, le=1.0)


class RetentionConfig(Strict):
    """How long items are kept (`presswatch db gc`, and the daemon's maintenance job)."""

    items: Duration = timedelta(days=180)


class EvidenceConfig(Strict):
    """WARC copies of matched items' HTTP responses (docs/evidence.md)."""

    enabled: bool = True
    # Where the WARC files go; default <data_dir>/evidence.
    dir: Path | None = None
    # Evidence older than this is dropped by `db gc` (never before its item is).
    retention: Duration = timedelta(days=365)
    # A crawl starts a new file once its current one is this big.
    max_file_size: ByteSize = 100 * 1024 * 1024
    # `status` warns above this total; nothing is deleted for size alone.
    max_total_size: ByteSize = 10 * 1024 * 1024 * 1024

    @model_validator(mode="after")
    def _sizes(self) -> EvidenceConfig:
        if self.max_file_size < 1_000_000:
            raise ValueError("evidence.max_file_size must be at least 1MB")
        if self.max_total_size < self.max_file_size:
            raise ValueError("evidence.max_total_size must be at least max_file_size")
        return self


class RecheckInterval(Strict):
    """Items younger than `below` (since they were sent) are rechecked `every` so often."""

    below: Duration
    every: Duration

    @model_validator(mode="after")
    def _positive(self) -> RecheckInterval:
        # Three hours at least: the day's budget is counted from the observations an item
        # keeps (8), which must reach back a whole day.
        if self.every < timedelta(hours=3):
            raise ValueError("every must be at least 3h")
        if self.below <= timedelta(0):
            raise ValueError("below must be positive")
        return self


def _default_intervals() -> list[RecheckInterval]:
    return [
        RecheckInterval(below=timedelta(days=1), every=timedelta(hours=6)),
        RecheckInterval(below=timedelta(days=7), every=timedelta(days=1)),
        RecheckInterval(below=timedelta(days=30), every=timedelta(days=3)),
    ]


class RechecksConfig(Strict):
    """Rechecks of sent items: withdrawals and edits (docs/evidence.md#withdrawals)."""

    enabled: bool = True
    # How long after it was sent an item is rechecked.
    window: Duration = timedelta(days=30)
    # Decreasing frequency as the item ages; `below` ascending.
    intervals: list[RecheckInterval] = Field(default_factory=_default_intervals, min_length=1)
    # A 404/410 counts as a withdrawal when seen twice at least this far apart.
    confirm_after: Duration = timedelta(hours=6)
    # Requests per source per (rolling) day; the most overdue items first.
    budget_per_source_per_day: int = Field(default=50, ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> RechecksConfig:
        belows = [interval.below for interval in self.intervals]
        if belows != sorted(set(belows)):
            raise ValueError("rechecks.intervals must be in ascending order of `below`")
        if self.window <= timedelta(0):
            raise ValueError("rechecks.window must be positive")
        if self.confirm_after <= timedelta(0):
            raise ValueError("rechecks.confirm_after must be positive")
        return self


class SourceRechecks(Strict):
    """A source's own recheck settings (`rechecks: false` turns them off)."""

    enabled: bool = True
    # Overrides rechecks.budget_per_source_per_day for this source.
    budget_per_day: int | None = Field(default=None, ge=0)


def _source_rechecks(value: Any) -> Any:
    """`true` / `false` stand for `{enabled: ...}`; anything but a mapping is told the forms."""
    if isinstance(value, bool):
        return {"enabled": value}
    if value is None or isinstance(value, dict | SourceRechecks):
        return value
    raise ValueError(f"write true, false or {{enabled: ..., budget_per_day: N}} (got {value!r})")


SourceRechecksSetting = Annotated[SourceRechecks, BeforeValidator(_source_rechecks)]


class LoggingConfig(Strict):
    """Log level and line format."""

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    format: Literal["text", "json"] = "text"


class WebConfig(Strict):
    """`presswatch serve` (and `run --serve`): where the console listens and who may use it."""

    host: str = Field(default="127.0.0.1", min_length=1)
    port: int = Field(default=8080, ge=1, le=65535)
    # Required for any bind other than 127.0.0.1, ::1 or localhost; give it as ${VAR}.
    password: SecretStr | None = None
    # auto: the session cookie is Secure when the request came over HTTPS.
    secure_cookies: Literal["auto", "always", "never"] = "auto"
    session_lifetime: Duration = timedelta(hours=12)

    @field_validator("password")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 12:
            raise ValueError("the web password must be at least 12 characters")
        return value


class FeedsConfig(Strict):
    """Atom feeds of the latest matches, per rule and per recipient, under <data_dir>/feeds/."""

    enabled: bool = True
    entries: int = Field(default=50, ge=1, le=1000)
    # Where readers fetch the feeds from (their self links); None: the file:// path.
    base_url: HttpUrl | None = None


class SettingsConfig(Strict):
    """presswatch.yaml: everything that is not a source or a rule."""

    database: DatabaseConfig = DatabaseConfig()
    data_dir: Path = Path("data")
    timezone: TimezoneName = "UTC"
    crawl: CrawlConfig = CrawlConfig()
    mail: MailConfig = MailConfig()
    recipients: list[RecipientConfig] = Field(default_factory=list)
    groups: dict[Identifier, list[str]] = Field(default_factory=dict)
    scheduler: SchedulerConfig = SchedulerConfig()
    delivery: DeliveryConfig = DeliveryConfig()
    health: HealthConfig = HealthConfig()
    retention: RetentionConfig = RetentionConfig()
    logging: LoggingConfig = LoggingConfig()
    web: WebConfig = WebConfig()
    feeds: FeedsConfig = FeedsConfig()
    evidence: EvidenceConfig = EvidenceConfig()
    rechecks: RechecksConfig = RechecksConfig()


# --- sources/*.yaml --------------------------------------------------------------------------


class Schedule(Strict):
    """When a source is crawled: an interval or a cron expression."""

    every: Duration | None = None
    cron: CronExpression | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Schedule:
        if (self.every is None) == (self.cron is None):
            raise ValueError("give exactly one of every: or cron:")
        if self.every is not None and self.every < timedelta(minutes=1):
            raise ValueError("every: must be at least 1m")
        return self


class ListingSelectors(Strict):
    """Where items sit on a listing page (CSS, or XPath when starting with / or ()."""

    item: str | None = None
    link: str | None = None
    title: str | None = None
    date: str | None = None


class ArticleSelectorsConfig(Strict):
    """Per-source selectors on article pages; general extraction fills the rest."""

    title: str | None = None
    date: str | None = None
    body: str | None = None


class Pagination(Strict):
    """How to reach older listing pages."""

    next: str | None = None
    url_pattern: str | None = None
    # The number url_pattern's {page} gets for the page after the first listing URL
    # (2 for ?page=2; 1 for default_1.shtml after default.shtml; 0 for zero-based pagers).
    first_page: int = Field(default=2, ge=0)
    max_pages: int = Field(default=1, ge=1, le=100)

    @field_validator("url_pattern")
    @classmethod
    def _has_page_slot(cls, value: str | None) -> str | None:
        if value is not None and "{page}" not in value:
            raise ValueError('url_pattern must contain "{page}"')
        return value


class SourceBase(Strict):
    """Keys every source kind shares."""

    id: Identifier
    name: str
    country: str | None = None
    organisation: str | None = None
    languages: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    schedule: Schedule = Schedule(every=timedelta(hours=1))
    allowed_domains: list[str] = Field(default_factory=list)
    backfill: int = Field(default=20, ge=0)
    enabled: bool = True
    verified: bool = True
    expect_new_within: Duration | None = None
    download_delay: Duration | None = None
    allow_private_addresses: bool = False
    timezone: TimezoneName | None = None
    notes: str | None = None
    # Rechecks of this source's sent items: false, or {enabled, budget_per_day}.
    rechecks: SourceRechecksSetting = SourceRechecks()

    @field_validator("allowed_domains")
    @classmethod
    def _domain_patterns(cls, value: list[str]) -> list[str]:
        cleaned = [domain.strip().lower() for domain in value]
        for domain in cleaned:
            if domain != "*" and not _DOMAIN_RULE.fullmatch(domain):
                raise ValueError(f"{domain!r} is not a host name, '*.' + a host name, or '*'")
        return cleaned


class FeedSource(SourceBase):
    """RSS 0.9x/1.0/2.0, Atom or JSON Feed URLs."""

    kind: Literal["feed"]
    urls: list[HttpUrl] = Field(min_length=1)
    follow: bool = False
    # Identity from an entry's guid/id (rss2email's trust-guid): link-less entries are kept
    # and entries differing only by #fragment stay distinct. false: the link alone.
    trust_guid: bool = True
    article: ArticleSelectorsConfig = ArticleSelectorsConfig()


class ListingSource(SourceBase):
    """HTML listing pages whose links lead to articles."""

    kind: Literal["listing"]
    urls: list[HttpUrl] = Field(min_length=1)
    selectors: ListingSelectors = ListingSelectors()
    article: ArticleSelectorsConfig = ArticleSelectorsConfig()
    pagination: Pagination = Pagination()


class SitemapSource(SourceBase):
    """XML sitemaps, sitemap indexes and Google News sitemaps."""

    kind: Literal["sitemap"]
    urls: list[HttpUrl] = Field(min_length=1)
    url_pattern: str | None = None
    lastmod_within: Duration | None = None
    article: ArticleSelectorsConfig = ArticleSelectorsConfig()

    @field_validator("url_pattern")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"invalid regular expression: {exc}") from exc
        return value


class SpiderSource(SourceBase):
    """A custom spider by name; `params` are checked against its Params model at load
    (`crawler.config.spidercheck`), once the spider files and plugins are loaded."""

    kind: Literal["spider"]
    spider: str
    urls: list[HttpUrl] = Field(default_factory=list)
    params: dict[str, Any] = Field(default_factory=dict)
    article: ArticleSelectorsConfig = ArticleSelectorsConfig()


SourceConfig = Annotated[
    FeedSource | ListingSource | SitemapSource | SpiderSource, Field(discriminator="kind")
]


class SourcesFile(Strict):
    """One file under sources/: a list of sources."""

    sources: list[SourceConfig] = Field(default_factory=list)


# --- rules/*.yaml ----------------------------------------------------------------------------


class RuleConfig(Strict):
    """A keyword rule: what a reader must not miss."""

    id: Identifier
    name: str
    query: str = Field(min_length=1)
    sources: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)
    fields: Literal["all", "title", "body"] = "all"
    mode: Literal["digest", "immediate"] = "digest"
    priority: int = Field(default=50, ge=0, le=1000)
    recipients: list[str] = Field(default_factory=list)
    enabled: bool = True
    # A revision of a matched item (new match, passage changed or gone, title or date
    # changed): notify at once, add to the digest, or ignore (docs/evidence.md, issue 18).
    on_edit: Literal["notify", "digest", "ignore"] = "notify"


class RulesFile(Strict):
    """One file under rules/: a list of rules."""

    rules: list[RuleConfig] = Field(default_factory=list)
