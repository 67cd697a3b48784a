"""Who may use the console: loopback binds are open, any other bind needs the password.

The password comes from `web.password` (give it as ${VAR}); only its SHA-256 is kept and
compared in constant time. A login opens a server-side session (a random token in an
HttpOnly, SameSite=Strict cookie, Secure over HTTPS or when `web.secure_cookies: always`);
sessions end when the server restarts. Every form that changes anything carries a CSRF
token that must equal the one in its own cookie (double submit) and an Origin, when the
browser sends one, naming this server.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

from crawler.config.models import WebConfig
from crawler.errors import UsageError

LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
SESSION_COOKIE = "presswatch_session"
CSRF_COOKIE = "presswatch_csrf"
CSRF_FIELD = "csrf"


def needs_auth(host: str) -> bool:
    """Any bind other than 127.0.0.1, ::1 or localhost needs a login (127.0.0.2 too)."""
    return host.strip("[]").casefold() not in LOOPBACK


def _digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode("utf-8")).digest()


@dataclass
class Guard:
    """Password check, sessions and CSRF tokens for one server."""

    required: bool
    password_digest: bytes | None = None
    secure_cookies: str = "auto"
    lifetime: timedelta = timedelta(hours=12)
    _sessions: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def from_config(cls, web: WebConfig, host: str) -> Guard:
        """Raises UsageError for a non-loopback bind without a password."""
        required = needs_auth(host)
        if required and web.password is None:
            raise UsageError(
                f"serving on {host} needs a password: set web.password in presswatch.yaml "
                "(as ${PRESSWATCH_WEB_PASSWORD}), or bind to 127.0.0.1"
            )
        digest = _digest(web.password.get_secret_value()) if web.password is not None else None
        return cls(required, digest, web.secure_cookies, web.session_lifetime)

    def password_ok(self, given: str) -> bool:
        if self.password_digest is None:
            return False
        return hmac.compare_digest(_digest(given), self.password_digest)

    def open_session(self) -> str:
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._sessions[token] = time.monotonic() + self.lifetime.total_seconds()
        return token

    def close_session(self, token: str | None) -> None:
        with self._lock:
            self._sessions.pop(token or "", None)

    def allowed(self, request: Request) -> bool:
        """Loopback servers allow everyone; others a live session or the password as bearer."""
        if not self.required:
            return True
        auth = request.headers.get("authorization", "")
        if auth.startswith("Bearer ") and self.password_ok(auth[len("Bearer ") :]):
            return True
        token = request.cookies.get(SESSION_COOKIE, "")
        with self._lock:
            expires = self._sessions.get(token)
            if expires is None:
                return False
            if expires < time.monotonic():
                del self._sessions[token]
                return False
        return True

    def secure(self, request: Request) -> bool:
        if self.secure_cookies == "auto":
            return request.url.scheme == "https"
        return self.secure_cookies == "always"

    def set_session_cookie(self, response: Response, request: Request, token: str) -> None:
        response.set_cookie(
            SESSION_COOKIE,
            token,
            max_age=int(self.lifetime.total_seconds()),
            httponly=True,
            samesite="strict",
            secure=self.secure(request),
        )


def csrf_token(request: Request) -> str:
    """The request's CSRF token (from its cookie), or a new one to set with `keep_csrf`."""
    token = request.cookies.get(CSRF_COOKIE)
    if token and len(token) >= 32:
        return token
    token = getattr(request.state, "new_csrf", None) or secrets.token_urlsafe(32)
    request.state.new_csrf = token
    return token


def keep_csrf(request: Request, response: Response, guard: Guard) -> None:
    """Set the CSRF cookie when csrf_token() made a new token for this request."""
    token = getattr(request.state, "new_csrf", None)
    if token:
        response.set_cookie(
            CSRF_COOKIE, token, httponly=True, samesite="strict", secure=guard.secure(request)
        )


def csrf_ok(request: Request, submitted: object) -> bool:
    """The form's token equals its cookie, and the Origin (if sent) is this server."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if not (isinstance(submitted, str) and cookie and hmac.compare_digest(submitted, cookie)):
        return False
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == request.headers.get("host", "")
