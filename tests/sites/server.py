"""A threaded HTTP server on 127.0.0.1 serving an in-memory fixture site, with request logs."""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

BASE_TOKEN = b"__BASE__"
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
ALLOW_ALL_ROBOTS = "User-agent: *\nAllow: /\n"
HTML = "text/html; charset=utf-8"


@dataclass
class Route:
    """One response: a fixed body, or a `stream` of chunks; optional delay and slow drip.

    `delay` sleeps before the status line; `drip` sleeps between `chunk_size` chunks sent
    with chunked transfer encoding; `declared_length` claims a longer Content-Length than
    sent and then drops the connection (a truncated transfer).  `__BASE__` in a body is
    replaced by the server's base URL when `templated`.
    """

    status: int = 200
    body: bytes = b""
    content_type: str = HTML
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drip: float | None = None
    chunk_size: int = 1
    stream: Callable[[], Iterable[bytes]] | None = None
    length: int | None = None
    declared_length: int | None = None
    validators: bool = True
    templated: bool = True
    version: int = 0

    @property
    def etag(self) -> str:
        """A strong ETag of the body template and version."""
        digest = hashlib.sha1(self.body).hexdigest()[:16]
        return f'"{digest}-{self.version}"'

    @property
    def last_modified(self) -> datetime:
        """Deterministic: one hour after EPOCH per change."""
        return EPOCH + timedelta(hours=self.version)

    @property
    def has_validators(self) -> bool:
        return self.validators and self.status == 200 and self.stream is None


@dataclass(frozen=True)
class RequestRecord:
    """One request the server received."""

    method: str
    path: str
    headers: dict[str, str]
    status: int

    @property
    def if_none_match(self) -> str | None:
        return self.headers.get("if-none-match")

    @property
    def if_modified_since(self) -> str | None:
        return self.headers.get("if-modified-since")


class Site:
    """A generated site: path (with query) -> Route, robots.txt, and its article list."""

    def __init__(self, name: str = "Fixture Ministry of Foreign Affairs", seed: int = 0) -> None:
        self.name = name
        self.seed = seed
        self.routes: dict[str, Route] = {}
        self.robots_txt: str | None = ALLOW_ALL_ROBOTS
        self.validators = True
        self.articles: list[Any] = []
        self.renderers: list[Callable[[Site], None]] = []

    def add(self, path: str, body: bytes | str = b"", **options: Any) -> Route:
        """Set the response of `path`; the version goes up when the body changes."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        old = self.routes.get(path)
        route = Route(body=data, **options)
        if old is not None:
            route.version = old.version + (old.body != data)
        self.routes[path] = route
        return route

    def route(self, path: str) -> Route | None:
        """The route of a full path, else of the path without its query."""
        return self.routes.get(path) or self.routes.get(urlsplit(path).path)

    def mark_changed(self, path: str) -> Route:
        """Bump a route's version: new ETag and a later Last-Modified, same body."""
        route = self.routes[path]
        route.version += 1
        return route

    def render(self) -> None:
        """Re-render every generated page from the current article list."""
        for renderer in self.renderers:
            renderer(self)

    def add_article(self, **fields: Any) -> Any:
        """Add one article (see generators.add_article) and re-render listings and feeds."""
        from tests.sites.generators import add_article

        return add_article(self, **fields)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    fixture: FixtureSiteServer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default stderr access log."""

    def do_GET(self) -> None:
        self.server.fixture.handle(self, head=False)

    def do_HEAD(self) -> None:
        self.server.fixture.handle(self, head=True)

    def do_POST(self) -> None:
        self.server.fixture.handle(self, head=False)


class FixtureSiteServer:
    """Serve a Site on 127.0.0.1 (or `host`):<free port>; a context manager or start()/stop()."""

    def __init__(self, site: Site | None = None, host: str = "127.0.0.1") -> None:
        self.site = site if site is not None else Site()
        self.host = host  # another loopback address (127.0.0.2) is another host name
        self.requests: list[RequestRecord] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ---------------------------------------------------------------------

    def start(self) -> FixtureSiteServer:
        """Bind a free port and serve in a daemon thread."""
        httpd = _HTTPServer((self.host, 0), _Handler)
        httpd.fixture = self
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; sleeping handlers wake up and give up."""
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None

    def __enter__(self) -> FixtureSiteServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- addresses and counters -----------------------------------------------------------

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the fixture server is not running")
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str = "/") -> str:
        """Absolute URL of a path on this server."""
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def count(self, path: str, method: str | None = "GET") -> int:
        """Requests received for this exact path (with query); any method when None."""
        with self._lock:
            return sum(1 for r in self.requests if r.path == path and method in (None, r.method))

    @property
    def counts(self) -> Counter[tuple[str, str]]:
        """(method, path) -> number of requests."""
        with self._lock:
            return Counter((r.method, r.path) for r in self.requests)

    def paths(self, method: str = "GET") -> list[str]:
        """Requested paths in arrival order."""
        with self._lock:
            return [r.path for r in self.requests if r.method == method]

    def records(self, path: str) -> list[RequestRecord]:
        """Every request for this exact path, with the headers it carried."""
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def reset_counts(self) -> None:
        """Forget every request received so far."""
        with self._lock:
            self.requests.clear()

    # --- serving -------------------------------------------------------------------------

    def handle(self, handler: _Handler, *, head: bool) -> None:
        """Answer one request."""
        path = handler.path
        route = self._resolve(path)
        status = self._status(handler, route)
        headers = {k.lower(): v for k, v in handler.headers.items()}
        with self._lock:
            self.requests.append(RequestRecord(handler.command, path, headers, status))
        if route.delay and self._stopping.wait(route.delay):
            return
        try:
            self._respond(handler, route, status, head=head)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            handler.close_connection = True

    def _resolve(self, path: str) -> Route:
        if urlsplit(path).path == "/robots.txt":
            robots = self.site.robots_txt
            if robots is None:
                return Route(status=404, body=b"not found", content_type="text/plain")
            return Route(body=robots.encode(), content_type="text/plain", validators=False)
        route = self.site.route(path)
        return route if route is not None else Route(status=404, body=b"<h1>Not found</h1>")

    def _status(self, handler: _Handler, route: Route) -> int:
        if not (self.site.validators and route.has_validators):
            return route.status
        etags = handler.headers.get("If-None-Match")
        if etags is not None:
            wanted = {tag.strip().removeprefix("W/") for tag in etags.split(",")}
            return 304 if route.etag in wanted or "*" in wanted else route.status
        since = handler.headers.get("If-Modified-Since")
        if since:
            try:
                when = parsedate_to_datetime(since)
            except (TypeError, ValueError):
                return route.status
            if when.tzinfo is not None and route.last_modified <= when:
                return 304
        return route.status

    def _body(self, route: Route) -> bytes:
        if route.templated and BASE_TOKEN in route.body:
            return route.body.replace(BASE_TOKEN, self.base_url.encode())
        return route.body

    def _respond(self, handler: _Handler, route: Route, status: int, *, head: bool) -> None:
        handler.send_response(status)
        for name, value in route.headers.items():
            handler.send_header(name, value)
        if self.site.validators and route.has_validators:
            handler.send_header("ETag", route.etag)
            handler.send_header("Last-Modified", format_datetime(route.last_modified, True))
        if status == 304:
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        handler.send_header("Content-Type", route.content_type)
        if route.stream is not None:
            self._send_stream(handler, route, head=head)
        elif route.drip is not None:
            self._send_drip(handler, self._body(route), route, head=head)
        else:
            self._send_body(handler, self._body(route), route, head=head)

    def _send_body(self, handler: _Handler, body: bytes, route: Route, *, head: bool) -> None:
        declared = route.declared_length
        handler.send_header("Content-Length", str(declared or len(body)))
        if declared is not None:
            handler.send_header("Connection", "close")
            handler.close_connection = True
        handler.end_headers()
        if not head:
            handler.wfile.write(body)
            handler.wfile.flush()

    def _send_stream(self, handler: _Handler, route: Route, *, head: bool) -> None:
        assert route.stream is not None
        if route.length is not None:
            handler.send_header("Content-Length", str(route.length))
        else:
            handler.send_header("Connection", "close")
            handler.close_connection = True
        handler.end_headers()
        if head:
            return
        for chunk in route.stream():
            if self._stopping.is_set():
                handler.close_connection = True
                return
            handler.wfile.write(chunk)

    def _send_drip(self, handler: _Handler, body: bytes, route: Route, *, head: bool) -> None:
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        if head:
            return
        assert route.drip is not None
        for start in range(0, len(body), max(1, route.chunk_size)):
            piece = body[start : start + max(1, route.chunk_size)]
            handler.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            handler.wfile.flush()
            if self._stopping.wait(route.drip):
                handler.close_connection = True
                return
        handler.wfile.write(b"0\r\n\r\n")
        handler.wfile.flush()
