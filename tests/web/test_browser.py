"""The console in a real browser: search, filters, highlights, the playground, login."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.ui import WebDriverWait

from tests.web.browser import chromium, live_server, require_chromium
from tests.web.fixtures import PASSWORD, Archive, build_archive

RU = '"стратегическая стабильность"'


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Archive]:
    require_chromium()
    built = build_archive(tmp_path, f"sqlite:///{tmp_path / 'store.db'}")
    try:
        yield built
    finally:
        built.store.close()


@pytest.fixture
def browser(tmp_path: Path, site: Archive) -> Iterator[webdriver.Chrome]:
    with chromium(tmp_path / "profile") as driver:
        yield driver


def _wait(driver: webdriver.Chrome, css: str) -> None:
    WebDriverWait(driver, 20).until(
        expected_conditions.presence_of_element_located((By.CSS_SELECTOR, css))
    )


def _search(driver: webdriver.Chrome, base: str, query: str) -> None:
    driver.get(f"{base}/search")
    box = driver.find_element(By.ID, "q")
    box.clear()
    box.send_keys(query)
    driver.find_element(By.ID, "search-button").click()
    _wait(driver, "#summary")


def test_search_russian_phrase_filter_and_item_highlights(
    browser: webdriver.Chrome, site: Archive
) -> None:
    with live_server(site.config, site.store, "127.0.0.1") as base:
        _search(browser, base, RU)
        results = browser.find_elements(By.CSS_SELECTOR, "#results .result")
        assert len(results) == 2
        marks = {m.text for m in browser.find_elements(By.CSS_SELECTOR, "#results mark")}
        assert "стратегической стабильности" in marks

        # A filter: the English phrase, then only one source.
        _search(browser, base, "stability")
        assert len(browser.find_elements(By.CSS_SELECTOR, "#results .result")) == 1
        _search(browser, base, "stability OR стабильности")
        assert len(browser.find_elements(By.CSS_SELECTOR, "#results .result")) == 3
        Select(browser.find_element(By.ID, "filter-source")).select_by_value("ruritania-mfa")
        browser.find_element(By.ID, "search-button").click()
        _wait(browser, "#summary")
        titles = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "#results .title")]
        assert len(titles) == 2 and all("Freedonia" not in t for t in titles)

        # The item page highlights the query's hits in the text.
        _search(browser, base, RU)
        link = browser.find_element(By.PARTIAL_LINK_TEXT, "Брифинг")
        link.click()
        _wait(browser, "#item-body")
        body_marks = [m.text for m in browser.find_elements(By.CSS_SELECTOR, "#item-body mark")]
        assert body_marks == ["стратегической стабильности"]
        assert "ruritania-mfa" in browser.find_element(By.CSS_SELECTOR, ".meta").text


def test_playground_shows_the_parse_error_column(browser: webdriver.Chrome, site: Archive) -> None:
    with live_server(site.config, site.store, "127.0.0.1") as base:
        browser.get(f"{base}/rules")
        box = browser.find_element(By.ID, "playground-query")
        box.send_keys("stability AND (")
        browser.find_element(By.ID, "playground-button").click()
        _wait(browser, "#query-error")
        error = browser.find_element(By.ID, "query-error").text
        assert "column 16" in error
        assert error.rstrip().endswith("^")  # the caret line under the query
        box = browser.find_element(By.ID, "playground-query")
        box.clear()
        box.send_keys('"strategic stability"')
        browser.find_element(By.ID, "playground-button").click()
        _wait(browser, "#playground-summary")
        assert browser.find_element(By.ID, "playground-summary").text.startswith("1 of")


def test_login_required_on_a_non_loopback_bind(browser: webdriver.Chrome, site: Archive) -> None:
    with live_server(site.config, site.store, "127.0.0.2") as base:
        browser.get(f"{base}/sources")
        _wait(browser, "#login-form")
        assert "/login" in browser.current_url
        browser.find_element(By.ID, "password").send_keys("not the password")
        browser.find_element(By.ID, "login-button").click()
        _wait(browser, "#login-error")
        browser.find_element(By.ID, "password").send_keys(PASSWORD)
        browser.find_element(By.ID, "login-button").click()
        _wait(browser, "#sources")
        assert browser.current_url == f"{base}/sources"
        browser.find_element(By.CSS_SELECTOR, ".logout button").click()
        _wait(browser, "#login-form")
        browser.get(f"{base}/rules")
        _wait(browser, "#login-form")
