"""Real Chromium (Debian's chromium + chromium-driver) driven by Selenium, and a live server."""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from crawler.config import Config
from crawler.store.store import Store
from crawler.web.server import BackgroundServer

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,900",
)


def require_chromium() -> None:
    """Skip without Chromium, except in CI (CI=true), where a missing browser is a failure."""
    present = all(Path(p).exists() or shutil.which(Path(p).name) for p in (CHROMIUM, CHROMEDRIVER))
    if present:
        return
    if os.environ.get("CI") == "true":
        pytest.fail("chromium and chromium-driver are required in CI (apt-get install them)")
    pytest.skip("chromium/chromium-driver not installed")


@contextmanager
def chromium(profile: Path) -> Iterator[webdriver.Chrome]:
    """A headless Chromium with a fresh profile directory."""
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    service = Service(executable_path=shutil.which("chromedriver") or CHROMEDRIVER)
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


@contextmanager
def live_server(config: Config, store: Store, host: str) -> Iterator[str]:
    """The console served by uvicorn in a thread; yields its base URL."""
    port = free_port(host)
    server = BackgroundServer(config, store, host, port)
    server.start()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()
