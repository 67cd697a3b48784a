"""The console's ASGI app: HTML pages and a JSON API over one config and one store."""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from ruamel.yaml import YAML
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from alerts.rules import MatchDocument
from crawler import __version__
from crawler.config import Config
from crawler.errors import QuerySyntaxError
from crawler.store.store import Store
from crawler.store.types import utcnow
from crawler.web import data
from crawler.web.auth import CSRF_FIELD, SESSION_COOKIE, Guard, csrf_ok, csrf_token, keep_csrf
from crawler.web.feeds import FeedLinks, feed_file, published_feeds
from crawler.web.openapi import OPENAPI_PATH, openapi_document
from crawler.web.render import make_environment
from crawler.web.search import SearchFilters, SearchPage, has_index, search

STATIC = Path(__file__).with_name("static")
PAGE_SIZE = 50
# Pages only load their own stylesheet; nothing inline runs, nothing frames them.
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
# A digest preview is an email's HTML (inline styles): shown sandboxed, scripts never run.
PREVIEW_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"


class BadRequest(Exception):
    """A query parameter that cannot be used (shown to the user with status 400)."""


@dataclass
class Console:
    """Everything the handlers share."""

    config: Config
    store: Store
    guard: Guard
    feeds: FeedLinks = published_feeds

    def __post_init__(self) -> None:
        self.templates = make_environment()

    def page(self, request: Request, name: str, status: int = 200, **context: Any) -> Response:
        template = self.templates.get_template(name)
        html = template.render(
            request=request,
            csrf=csrf_token(request),
            logged_in=self.guard.required and SESSION_COOKIE in request.cookies,
            feeds=self.feeds(self.config),
            **context,
        )
        response = HTMLResponse(html, status_code=status)
        keep_csrf(request, response, self.guard)
        return response


def create_app(
    config: Config, store: Store, guard: Guard, feeds: FeedLinks = published_feeds
) -> Starlette:
    """The console for `config`'s store; `guard` decides who may use it.

    `feeds` lists the published Atom feeds the pages link (by default those written under
    `<data_dir>/feeds/`, served at /feeds/NAME).
    """
    console = Console(config, store, guard, feeds)
    routes = [
        Route("/", lambda request: RedirectResponse("/search", 303)),
        Route("/search", _h(console, search_page)),
        Route("/items/{item_id:int}", _h(console, item_page)),
        Route("/sources", _h(console, sources_page)),
        Route("/sources/{source_id}/test", _h(console, source_test), methods=["POST"]),
        Route("/rules", _h(console, rules_page)),
        Route("/rules/{rule_id}", _h(console, rule_page)),
        Route("/deliveries", _h(console, deliveries_page)),
        Route("/deliveries/preview/{recipient}", _h(console, digest_preview)),
        Route("/login", _h(console, login_page), methods=["GET", "POST"]),
        Route("/logout", _h(console, logout), methods=["POST"]),
        Route("/api", _h(console, api_index)),
        Route("/api/items", _h(console, api_items)),
        Route("/api/items/{item_id:int}", _h(console, api_item)),
        Route("/api/search", _h(console, api_search)),
        Route("/api/sources", _h(console, api_sources)),
        Route("/api/rules", _h(console, api_rules)),
        Route("/api/rules/check", _h(console, api_rule_check)),
        Route("/api/deliveries", _h(console, api_deliveries)),
        Route(OPENAPI_PATH, _h(console, api_openapi)),
        Route("/feeds/{name}", _h(console, feed_document)),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    middleware = [Middleware(_GuardMiddleware, guard=guard)]
    return Starlette(routes=routes, middleware=middleware)


Handler = Callable[[Console, Request], Response]


def _h(console: Console, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """Run a sync handler in the thread pool; a BadRequest becomes a 400."""
    from starlette.concurrency import run_in_threadpool

    async def endpoint(request: Request) -> Response:
        if request.method == "POST":
            request.state.form = await request.form()  # read here, where awaiting is possible
        try:
            return await run_in_threadpool(handler, console, request)
        except BadRequest as exc:
            if request.url.path.startswith("/api"):
                return _json({"error": str(exc)}, 400)
            return console.page(request, "error.html", 400, message=str(exc))

    return endpoint


class _GuardMiddleware(BaseHTTPMiddleware):
    """Login for non-loopback binds; security headers on every answer."""

    def __init__(self, app: Any, guard: Guard) -> None:
        super().__init__(app)
        self.guard = guard

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        path = request.url.path
        open_path = path == "/login" or path.startswith("/static/")
        if not open_path and not self.guard.allowed(request):
            if path.startswith("/api"):
                response: Response = _json({"error": "authentication required"}, 401)
                response.headers["WWW-Authenticate"] = 'Bearer realm="presswatch"'
            else:
                target = path + (f"?{request.url.query}" if request.url.query else "")
                response = RedirectResponse("/login?" + urlencode({"next": target}), 303)
        else:
            response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        if not path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"
        return response


# --- parameters ------------------------------------------------------------------------


def _filters(request: Request) -> SearchFilters:
    args = request.query_params
    until = _day(args.get("until"), "until")
    return SearchFilters(
        source=args.get("source") or None,
        rule=args.get("rule") or None,
        language=(args.get("lang") or "").strip() or None,
        since=_day(args.get("since"), "since"),
        until=until + timedelta(days=1) if until is not None else None,
    )


def _day(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.combine(date.fromisoformat(value), time(), UTC)
    except ValueError:
        raise BadRequest(f"{name}: {value!r} is not a date (YYYY-MM-DD)") from None


def _int(request: Request, name: str, default: int | None, top: int | None = None) -> int | None:
    value = request.query_params.get(name)
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise BadRequest(f"{name}: {value!r} is not a number") from None
    if number < 1 or (top is not None and number > top):
        raise BadRequest(f"{name}: must be between 1 and {top or 'any'}")
    return number


def _run_search(
    console: Console, request: Request
) -> tuple[SearchPage | None, dict[str, Any] | None]:
    """The search page's results, or the query's syntax error as text."""
    query = request.query_params.get("q", "").strip()
    if not query:
        return None, None
    filters = _filters(request)
    limit = _int(request, "limit", PAGE_SIZE, 500) or PAGE_SIZE
    before = _int(request, "before", None)
    tags = data.source_tags(console.config)
    try:
        with console.store.connect() as connection:
            return search(connection, query, filters, tags=tags, limit=limit, before=before), None
    except QuerySyntaxError as exc:
        return None, _syntax(query, exc)


def _syntax(query: str, exc: QuerySyntaxError) -> dict[str, Any]:
    return {"message": exc.reason, "column": exc.column, "query": query}


def rule_yaml(query: str) -> str:
    """The YAML to paste under config/rules/ for a search."""
    out = io.StringIO()
    rule = {"id": "my-search", "name": f"Search: {query}"[:120], "query": query}
    YAML().dump({"rules": [rule]}, out)
    return out.getvalue()


# --- pages -----------------------------------------------------------------------------


def search_page(console: Console, request: Request) -> Response:
    page, error = _run_search(console, request)
    args = dict(request.query_params)
    limit = _int(request, "limit", PAGE_SIZE, 500) or PAGE_SIZE
    more = None
    browse = None
    if page is None and error is None:  # no query: the newest items passing the filters
        with console.store.connect() as connection:
            browse = data.recent_items(
                connection, limit, _int(request, "before", None), _filters(request)
            )
        if len(browse) == limit:
            more = "/search?" + urlencode(args | {"before": str(browse[-1]["id"])})
    elif page is not None and page.next_before is not None and len(page.results) >= limit:
        more = "/search?" + urlencode(args | {"before": str(page.next_before)})
    return console.page(
        request,
        "search.html",
        400 if error else 200,
        args=args,
        page=page,
        browse=browse,
        error=error,
        more=more,
        rule_yaml=rule_yaml(args["q"].strip()) if page is not None else None,
        sources=[s.id for s in console.config.sources],
        rules=[r.id for r in console.config.rules],
        q_link=quote(args.get("q", "")),
    )


def item_page(console: Console, request: Request) -> Response:
    item_id = request.path_params["item_id"]
    with console.store.connect() as connection:
        detail = data.item_detail(connection, console.config, item_id)
    if detail is None:
        return console.page(request, "error.html", 404, message=f"no item {item_id}")
    query = request.query_params.get("q", "").strip()
    query_hit = None
    if query:
        item = detail["item"]
        tags = data.source_tags(console.config).get(item["source_id"], frozenset())
        doc = MatchDocument(item["title"], item["body"], item["source_id"], item["language"], tags)
        try:
            query_hit = data.query_hit(doc, query)
        except QuerySyntaxError:
            query_hit = None
    spans = list(query_hit.spans) if query_hit else [s for h in detail["hits"] for s in h.spans]
    return console.page(request, "item.html", detail=detail, spans=spans, query=query)


def sources_page(console: Console, request: Request) -> Response:
    overview = data.sources_overview(console.config, console.store, utcnow())
    return console.page(request, "sources.html", sources=overview)


def source_test(console: Console, request: Request) -> Response:
    """ "Test now": what `presswatch sources test ID` shows; nothing is stored."""
    if not csrf_ok(request, request.state.form.get(CSRF_FIELD)):
        return console.page(request, "error.html", 403, message="expired form, try again")
    source_id = request.path_params["source_id"]
    if not any(s.id == source_id for s in console.config.sources):
        return console.page(request, "error.html", 404, message=f"no source {source_id!r}")
    result = data.test_source(console.config, source_id)
    return console.page(request, "source_test.html", source_id=source_id, result=result)


def rules_page(console: Console, request: Request) -> Response:
    query = request.query_params.get("q", "").strip()
    found: list[Any] = []
    error = None
    with console.store.connect() as connection:
        overview = data.rules_overview(console.config, connection)
        if query:
            try:
                found = data.playground(connection, console.config, query)
            except QuerySyntaxError as exc:
                error = _syntax(query, exc)
    return console.page(
        request,
        "rules.html",
        400 if error else 200,
        rules=overview,
        query=query,
        found=found,
        error=error,
        scanned=data.PLAYGROUND_ITEMS,
        rule_feeds={f.rule_id: f for f in console.feeds(console.config) if f.rule_id},
    )


def rule_page(console: Console, request: Request) -> Response:
    rule_id = request.path_params["rule_id"]
    rule = next((r for r in console.config.rules if r.id == rule_id), None)
    if rule is None:
        return console.page(request, "error.html", 404, message=f"no rule {rule_id!r}")
    with console.store.connect() as connection:
        recent = data.rule_recent_matches(connection, rule_id)
    return console.page(request, "rule.html", rule=rule, recent=recent)


def deliveries_page(console: Console, request: Request) -> Response:
    overview = data.deliveries_overview(console.config, console.store)
    return console.page(request, "deliveries.html", overview=overview)


def digest_preview(console: Console, request: Request) -> Response:
    """The digest the recipient would get now (rendered in a rolled-back transaction)."""
    from alerts.dispatch import deliver_digests

    key = request.path_params["recipient"]
    if not any(r.key == key for r in console.config.settings.recipients):
        return console.page(request, "error.html", 404, message=f"no recipient {key!r}")
    with tempfile.TemporaryDirectory(prefix="presswatch-preview-") as tmp:
        target = Path(tmp) / "digest.html"
        deliver_digests(console.config, console.store, recipient=key, dry_run=True, preview=target)
        html = target.read_text(encoding="utf-8") if target.exists() else ""
    if not html:
        return console.page(request, "error.html", 404, message=f"no digest for {key!r} now")
    return HTMLResponse(html, headers={"Content-Security-Policy": PREVIEW_CSP})


def login_page(console: Console, request: Request) -> Response:
    next_path = request.query_params.get("next", "/search")
    if not next_path.startswith("/") or next_path.startswith("//"):
        next_path = "/search"  # never redirect off-site
    if request.method == "GET":
        return console.page(request, "login.html", next=next_path, error=None)
    form = request.state.form  # read by the endpoint wrapper
    if not csrf_ok(request, form.get(CSRF_FIELD)):
        return console.page(
            request, "login.html", 403, next=next_path, error="expired form, try again"
        )
    password = form.get("password")
    if not (isinstance(password, str) and console.guard.password_ok(password)):
        return console.page(request, "login.html", 401, next=next_path, error="wrong password")
    response = RedirectResponse(next_path, 303)
    console.guard.set_session_cookie(response, request, console.guard.open_session())
    return response


def logout(console: Console, request: Request) -> Response:
    form = request.state.form
    if not csrf_ok(request, form.get(CSRF_FIELD)):
        return console.page(request, "error.html", 403, message="expired form, try again")
    console.guard.close_session(request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/login", 303)
    response.delete_cookie(SESSION_COOKIE)
    return response


# --- JSON API --------------------------------------------------------------------------


def _json(payload: Any, status: int = 200) -> JSONResponse:
    text = json.dumps(payload, ensure_ascii=False, default=_jsonable)
    return JSONResponse(json.loads(text), status_code=status)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


API_DOC = {
    "GET /api/items?limit=&before=": "newest stored items (id, source, title, url, dates)",
    "GET /api/items/{id}": "one item: text, rule hits with spans, relatives, revisions, deliveries",
    "GET /api/search?q=&source=&rule=&lang=&since=&until=&limit=&before=": "archive search",
    "GET /api/sources": "sources: health, last/next run, items per day (30 days)",
    "GET /api/rules": "rules with match counts",
    "GET /api/rules/check?q=": "parse a query: ok, or the error and its column",
    "GET /api/deliveries": "ledger backlog per recipient and failing deliveries",
    f"GET {OPENAPI_PATH}": "this API as an OpenAPI 3.1 document",
}


def api_index(console: Console, request: Request) -> Response:
    return _json({"endpoints": API_DOC, "openapi": OPENAPI_PATH, "documentation": "docs/web.md"})


def feed_document(console: Console, request: Request) -> Response:
    """One of the Atom feeds presswatch wrote (404 for any other name)."""
    path = feed_file(console.config, request.path_params["name"])
    if path is None:
        return console.page(request, "error.html", 404, message="no such feed")
    return Response(path.read_bytes(), media_type="application/atom+xml")


def api_openapi(console: Console, request: Request) -> Response:
    return _json(openapi_document(__version__))


def api_items(console: Console, request: Request) -> Response:
    limit = _int(request, "limit", PAGE_SIZE, 500) or PAGE_SIZE
    with console.store.connect() as connection:
        rows = data.recent_items(connection, limit, _int(request, "before", None))
    return _json({"items": rows})


def api_item(console: Console, request: Request) -> Response:
    with console.store.connect() as connection:
        detail = data.item_detail(connection, console.config, request.path_params["item_id"])
    if detail is None:
        return _json({"error": "no such item"}, 404)
    detail["hits"] = [
        {
            "rule_id": h.rule_id,
            "spans": [{"field": s.field, "start": s.start, "end": s.end} for s in h.spans],
            "snippets": list(h.snippets),
        }
        for h in detail["hits"]
    ]
    return _json(detail)


def api_search(console: Console, request: Request) -> Response:
    if not request.query_params.get("q", "").strip():
        raise BadRequest("q: give a query")
    page, error = _run_search(console, request)
    if error is not None or page is None:
        return _json({"error": "query syntax", **(error or {})}, 400)
    return _json(page.to_json() | {"index": has_index_text(console)})


def has_index_text(console: Console) -> str:
    """The index search candidates come from: FTS5 (SQLite), pg_trgm (PostgreSQL) or none."""
    with console.store.connect() as connection:
        if not has_index(connection):
            return "none"
        return "fts5" if connection.dialect.name == "sqlite" else "pg_trgm"


def api_sources(console: Console, request: Request) -> Response:
    return _json({"sources": data.sources_overview(console.config, console.store, utcnow())})


def api_rules(console: Console, request: Request) -> Response:
    with console.store.connect() as connection:
        return _json({"rules": data.rules_overview(console.config, connection)})


def api_rule_check(console: Console, request: Request) -> Response:
    from alerts.rules import parse_query

    query = request.query_params.get("q", "")
    try:
        parse_query(query)
    except QuerySyntaxError as exc:
        return _json({"ok": False, **_syntax(query, exc)})
    return _json({"ok": True, "query": query})


def api_deliveries(console: Console, request: Request) -> Response:
    return _json(data.deliveries_overview(console.config, console.store))
