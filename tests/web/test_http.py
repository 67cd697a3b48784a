"""Every page and API endpoint over HTTP (Starlette's TestClient), and the login rules."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from alerts.feeds import write_feeds
from crawler.cli.main import cli
from crawler.config import Config, load_config
from crawler.errors import PresswatchError, UsageError
from crawler.web.app import create_app
from crawler.web.auth import CSRF_COOKIE, SESSION_COOKIE, Guard, needs_auth
from crawler.web.feeds import FeedLink
from crawler.web.server import BackgroundServer
from tests.web.fixtures import PASSWORD, SMTP_SECRET, Archive, write_config

RU = '"стратегическая стабильность"'


def _no_secrets(text: str) -> None:
    assert PASSWORD not in text and SMTP_SECRET not in text


def test_search_page_finds_the_inflected_russian_phrase(
    client: TestClient, archive: Archive
) -> None:
    response = client.get("/search", params={"q": RU})
    assert response.status_code == 200
    html = response.text
    assert f'href="/items/{archive.ids["https://ruritania.example/1"]}' in html
    assert f'href="/items/{archive.ids["https://ruritania.example/2"]}' in html
    assert "<mark>стратегической стабильности</mark>" in html
    assert "Freedonia" not in html.split('id="results"')[1]
    assert "rules:" in html and "my-search" in html  # Save as rule
    _no_secrets(html)


def test_search_filters_and_bad_parameters(client: TestClient, archive: Archive) -> None:
    html = client.get("/search", params={"q": "stability", "source": "freedonia-mfa"}).text
    results = html.split('id="results"')[1]
    assert results.count('class="result"') == 1
    assert client.get("/search", params={"q": "stability", "since": "March"}).status_code == 400
    assert client.get("/search", params={"q": "x", "limit": "0"}).status_code == 400


def test_search_syntax_error_points_at_the_column(client: TestClient) -> None:
    response = client.get("/search", params={"q": "stability AND ("})
    assert response.status_code == 400
    assert "column 16" in response.text
    assert "stability AND (\n" + " " * 15 + "^" in response.text


def test_search_without_index_lookup_says_so(client: TestClient, archive: Archive) -> None:
    html = client.get("/search", params={"q": "/stab/"}).text
    assert 'id="scan-note"' in html


def test_output_is_escaped(client: TestClient) -> None:
    html = client.get("/search", params={"q": "instability"}).text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    echoed = client.get("/search", params={"q": '"<img src=x onerror=alert(1)>"'}).text
    assert "<img src=x" not in echoed


def test_item_page(client: TestClient, archive: Archive) -> None:
    item_id = archive.ids["https://ruritania.example/1"]
    html = client.get(f"/items/{item_id}").text
    assert "Брифинг официального представителя" in html
    assert "<mark>стратегической стабильности</mark>" in html
    assert "strategic-stability" in html  # rule matching now, and stored
    assert "550 mailbox &lt;b&gt;unavailable&lt;/b&gt;" in html  # the delivery and its error
    with_query = client.get(f"/items/{item_id}", params={"q": "вооружениями"}).text
    assert "<mark>вооружениями</mark>" in with_query
    assert client.get("/items/999999").status_code == 404


def test_sources_page(client: TestClient) -> None:
    html = client.get("/sources").text
    for source in ("ruritania-mfa", "freedonia-mfa", "wire"):
        assert source in html
    assert html.count('<svg class="spark"') == 3
    assert re.findall(r'<td class="count">(\d+)</td>', html) == ["2", "2", "2"]
    assert '<a class="feed" href="https://wire.example/feed.xml"' in html
    _no_secrets(html)


def test_rules_page_and_playground(client: TestClient, archive: Archive) -> None:
    html = client.get("/rules").text
    assert "strategic-stability" in html and "cpec" in html
    tried = client.get("/rules", params={"q": '"سی پیک" OR CPEC'}).text
    assert "1 of the newest" in tried
    broken = client.get("/rules", params={"q": "a NEAR/x b"})
    assert broken.status_code == 400
    assert 'id="query-error"' in broken.text and "column 3" in broken.text
    assert "rule &#39;playground&#39;" not in broken.text
    rule = client.get("/rules/strategic-stability").text
    assert "Брифинг официального представителя" in rule
    assert client.get("/rules/nope").status_code == 404


def test_deliveries_page_and_preview(client: TestClient) -> None:
    html = client.get("/deliveries").text
    assert "analyst" in html and "550 mailbox" in html
    preview = client.get("/deliveries/preview/analyst")
    assert preview.status_code == 200
    assert "sandbox" in preview.headers["content-security-policy"]
    assert client.get("/deliveries/preview/nobody").status_code == 404
    _no_secrets(html + preview.text)


def test_json_api(client: TestClient, archive: Archive) -> None:
    index = client.get("/api").json()
    assert (
        "GET /api/search?q=&source=&rule=&lang=&since=&until=&limit=&before=" in index["endpoints"]
    )
    listed = client.get("/api/items", params={"limit": 2}).json()["items"]
    assert len(listed) == 2 and listed[0]["id"] > listed[1]["id"]
    item_id = archive.ids["https://ruritania.example/1"]
    item = client.get(f"/api/items/{item_id}").json()
    assert item["item"]["language"] == "ru"
    assert item["hits"][0]["rule_id"] == "strategic-stability"
    assert item["deliveries"][0]["status"] == "failed"
    assert client.get("/api/items/999999").status_code == 404
    found = client.get("/api/search", params={"q": RU}).json()
    assert {r["id"] for r in found["results"]} == {
        archive.ids["https://ruritania.example/1"],
        archive.ids["https://ruritania.example/2"],
    }
    bad = client.get("/api/search", params={"q": "a AND"})
    assert bad.status_code == 400 and bad.json()["column"] == 6
    assert client.get("/api/search").status_code == 400
    sources = client.get("/api/sources").json()["sources"]
    assert [s["id"] for s in sources] == ["ruritania-mfa", "freedonia-mfa", "wire"]
    assert [s["item_count"] for s in sources] == [2, 2, 2]
    rules = client.get("/api/rules").json()["rules"]
    assert rules[0]["matches"] == 2
    assert client.get("/api/rules/check", params={"q": "a OR"}).json()["ok"] is False
    assert client.get("/api/rules/check", params={"q": "a OR b"}).json()["ok"] is True
    deliveries = client.get("/api/deliveries").json()
    assert deliveries["errors"][0]["last_error"].startswith("550")
    everything = "".join(
        client.get(path).text
        for path in (
            "/api/items",
            f"/api/items/{item_id}",
            "/api/sources",
            "/api/rules",
            "/api/deliveries",
        )
    )
    _no_secrets(everything)


def test_security_headers(client: TestClient) -> None:
    response = client.get("/sources")
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"


def test_loopback_needs_no_login() -> None:
    assert not needs_auth("127.0.0.1") and not needs_auth("::1") and not needs_auth("localhost")
    assert needs_auth("127.0.0.2") and needs_auth("0.0.0.0") and needs_auth("192.168.1.5")


def test_non_loopback_requires_login(remote_client: TestClient) -> None:
    page = remote_client.get("/search", params={"q": "x"})
    assert page.status_code == 303 and page.headers["location"].startswith("/login?next=")
    api = remote_client.get("/api/items")
    assert api.status_code == 401
    login = remote_client.get("/login")
    assert login.status_code == 200
    token = re.search(r'name="csrf" value="([^"]+)"', login.text)
    assert token is not None
    assert remote_client.cookies.get(CSRF_COOKIE) == token.group(1)
    csrf = token.group(1)
    # Wrong password, and a form without its CSRF token, open no session.
    wrong = remote_client.post("/login", data={"csrf": csrf, "password": "guess"})
    assert wrong.status_code == 401 and SESSION_COOKIE not in wrong.headers.get("set-cookie", "")
    forged = remote_client.post("/login", data={"csrf": "x" * 43, "password": PASSWORD})
    assert forged.status_code == 403
    foreign = remote_client.post(
        "/login",
        data={"csrf": csrf, "password": PASSWORD},
        headers={"origin": "https://evil.example"},
    )
    assert foreign.status_code == 403
    ok = remote_client.post("/login?next=/sources", data={"csrf": csrf, "password": PASSWORD})
    assert ok.status_code == 303 and ok.headers["location"] == "/sources"
    cookie = ok.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert remote_client.get("/sources").status_code == 200
    assert remote_client.get("/api/items").status_code == 200
    assert remote_client.post("/logout", data={"csrf": "wrong" * 9}).status_code == 403
    assert remote_client.post("/logout", data={"csrf": csrf}).status_code == 303
    assert remote_client.get("/sources").status_code == 303


def test_bearer_password_opens_the_api(remote_client: TestClient) -> None:
    good = remote_client.get("/api/rules", headers={"authorization": f"Bearer {PASSWORD}"})
    assert good.status_code == 200
    bad = remote_client.get("/api/rules", headers={"authorization": "Bearer nope"})
    assert bad.status_code == 401


def test_login_never_redirects_off_site(remote_client: TestClient) -> None:
    login = remote_client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', login.text)
    assert csrf is not None
    ok = remote_client.post(
        "/login?next=//evil.example/x", data={"csrf": csrf.group(1), "password": PASSWORD}
    )
    assert ok.headers["location"] == "/search"


def test_https_sessions_get_secure_cookies(archive: Archive) -> None:
    guard = Guard.from_config(archive.config.settings.web, "0.0.0.0")
    app = create_app(archive.config, archive.store, guard)
    with TestClient(app, base_url="https://console.example", follow_redirects=False) as secure:
        login = secure.get("/login")
        assert "secure" in login.headers["set-cookie"].lower()
        csrf = re.search(r'name="csrf" value="([^"]+)"', login.text)
        assert csrf is not None
        ok = secure.post("/login", data={"csrf": csrf.group(1), "password": PASSWORD})
        assert "secure" in ok.headers["set-cookie"].lower()


def test_non_loopback_without_password_is_refused(tmp_path: Path) -> None:
    config_dir = write_config(tmp_path, f"sqlite:///{tmp_path / 'db.sqlite'}")
    settings = config_dir / "presswatch.yaml"
    settings.write_text(settings.read_text().split("web:")[0], encoding="utf-8")
    config = load_config(config_dir, {"PW_TEST_SMTP": "x"})
    with pytest.raises(UsageError, match="needs a password"):
        Guard.from_config(config.settings.web, "0.0.0.0")
    result = CliRunner().invoke(
        cli,
        ["--config", str(config_dir), "serve", "--host", "127.0.0.2", "--port", "1"],
        env={"PW_TEST_SMTP": "x"},
    )
    assert result.exit_code == 2 and "web.password" in result.output


def test_short_web_password_is_a_config_error(tmp_path: Path) -> None:
    config_dir = write_config(tmp_path, f"sqlite:///{tmp_path / 'db.sqlite'}")
    result = CliRunner().invoke(
        cli,
        ["--config", str(config_dir), "check-config"],
        env={"PW_TEST_WEB": "short", "PW_TEST_SMTP": "x"},
    )
    assert result.exit_code == 2, result.output
    assert "web.password" in result.output and "at least 12 characters" in result.output


def test_background_server_reports_a_taken_port(archive: Archive) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = BackgroundServer(archive.config, archive.store, "127.0.0.1", port)
        with pytest.raises(PresswatchError, match=f"cannot serve the console on 127.0.0.1:{port}"):
            server.start()


def test_run_serve_fails_clearly_when_the_console_cannot_listen(tmp_path: Path) -> None:
    config_dir = write_config(tmp_path, f"sqlite:///{tmp_path / 'db.sqlite'}")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        settings = config_dir / "presswatch.yaml"
        settings.write_text(settings.read_text() + f"  port: {port}\n", encoding="utf-8")
        result = CliRunner().invoke(
            cli,
            ["--config", str(config_dir), "run", "--once", "--serve"],
            env={"PW_TEST_WEB": PASSWORD, "PW_TEST_SMTP": "x"},
        )
    assert result.exit_code == 1, result.output
    assert f"cannot serve the console on 127.0.0.1:{port}" in result.output


def _csrf(client: TestClient) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get("/sources").text)
    assert found is not None
    return found.group(1)


def test_test_now_on_an_unreachable_source_says_why(client: TestClient) -> None:
    csrf = _csrf(client)
    assert client.post("/sources/wire/test", data={"csrf": "forged" * 8}).status_code == 403
    assert client.post("/sources/nope/test", data={"csrf": csrf}).status_code == 404
    page = client.post("/sources/wire/test", data={"csrf": csrf})
    assert page.status_code == 200
    assert 'id="test-nothing"' in page.text
    assert 'id="test-messages"' in page.text or 'id="test-failure"' in page.text


def test_test_now_lists_what_a_live_source_shows(tmp_path: Path) -> None:
    from crawler.demo.config import write_demo_config
    from crawler.demo.server import DemoServer
    from crawler.store.store import Store

    with DemoServer(0) as site:
        write_demo_config(tmp_path, site.base_url)
        config = load_config(tmp_path)
        store = Store.from_config(config)
        try:
            guard = Guard.from_config(config.settings.web, "127.0.0.1")
            with TestClient(create_app(config, store, guard)) as client:
                page = client.post("/sources/demo-wire/test", data={"csrf": _csrf(client)})
        finally:
            store.close()
    assert page.status_code == 200, page.text
    assert page.text.count("<li><a href=") == 1  # the wire carries one statement
    assert "Freedonia" in page.text


def test_published_feeds_are_linked(archive: Archive) -> None:
    """The hook for Atom feeds (issue 17): pages advertise them, the rules page links each."""
    guard = Guard.from_config(archive.config.settings.web, "127.0.0.1")

    def feeds(config: Config) -> list[FeedLink]:
        rule = config.rules[0].id
        return [
            FeedLink("All matches", "/feeds/all.atom"),
            FeedLink(f"Matches of {rule} <b>", f"/feeds/{rule}.atom", rule_id=rule),
        ]

    with TestClient(create_app(archive.config, archive.store, guard, feeds)) as client:
        page = client.get("/rules").text
        head = page.split("</head>")[0]
        assert 'rel="alternate" type="application/atom+xml" title="All matches"' in head
        assert "Matches of strategic-stability &lt;b&gt;" in head
        rule = archive.config.rules[0].id
        assert f'<a class="feed" href="/feeds/{rule}.atom"' in page
        assert 'rel="alternate"' in client.get("/search").text
    with TestClient(create_app(archive.config, archive.store, guard)) as client:
        assert "application/atom+xml" not in client.get("/rules").text  # none until feeds exist


def test_written_feeds_are_linked_and_served(archive: Archive) -> None:
    """Feeds alerts.feeds wrote under <data_dir>/feeds/ are advertised and served; a name
    that is not one of the config's feeds is not (no path taken from the request)."""
    guard = Guard.from_config(archive.config.settings.web, "127.0.0.1")
    assert write_feeds(archive.config, archive.store)
    rule = archive.config.rules[0].id
    with TestClient(create_app(archive.config, archive.store, guard)) as client:
        page = client.get("/rules").text
        assert f'<a class="feed" href="/feeds/rule-{rule}.atom"' in page
        answer = client.get(f"/feeds/rule-{rule}.atom")
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("application/atom+xml")
        parsed = feedparser.parse(answer.content)
        assert parsed.version == "atom10" and not parsed.bozo
        assert client.get("/feeds/presswatch.yaml").status_code == 404
        assert client.get("/feeds/..%2Fconfig%2Fpresswatch.yaml").status_code == 404


def test_search_without_a_query_lists_the_newest_items_passing_the_filters(
    client: TestClient, archive: Archive
) -> None:
    """What the sources page's source links open: that source's newest items."""
    page = client.get("/search", params={"source": "wire"})
    assert page.status_code == 200
    listed = [int(i) for i in re.findall(r'href="/items/(\d+)"', page.text)]
    wire = [archive.ids["https://wire.example/2"], archive.ids["https://wire.example/1"]]
    assert listed == sorted(wire, reverse=True)
    everything = client.get("/search").text
    assert len(re.findall(r'href="/items/(\d+)"', everything)) == len(archive.ids)
    first = client.get("/search", params={"limit": 1}).text
    older = re.search(r'href="(/search\?[^"]+)" id="more"', first)
    assert older is not None and "before=" in older.group(1)
    assert client.get("/search", params={"lang": "xx"}).text.count("No stored item passes") == 1


def test_root_opens_the_search(client: TestClient) -> None:
    answer = client.get("/", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/search"
