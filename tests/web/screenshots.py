"""Screenshots of the console's main pages for docs/ (run by hand, not a test).

    python -m tests.web.screenshots            # writes docs/console-*.png
    python -m tests.web.screenshots /tmp/shots # elsewhere, to look before replacing

Runs the offline demo, serves the console over its store, and photographs the pages in
headless Chromium (the same setup as the browser tests).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import urllib.parse
from pathlib import Path

from crawler.config import load_config
from crawler.store.store import Store
from tests.web.browser import chromium, live_server

DOCS = Path(__file__).resolve().parents[2] / "docs"
PAGES = {
    "console-search.png": "/search?q=" + urllib.parse.quote('"стратегическая стабильность"'),
    "console-item.png": "/items/{item}?q=" + urllib.parse.quote('"strategic stability"'),
    "console-sources.png": "/sources",
    "console-rules.png": "/rules?q=" + urllib.parse.quote('"strategic stability" NEAR/x talks'),
    "console-deliveries.png": "/deliveries",
}


def main(out: Path = DOCS) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="presswatch-shots-") as tmp:
        code = "from crawler.cli.main import main; main()"
        subprocess.run([sys.executable, "-c", code, "demo", "--keep", tmp], check=True)
        config = load_config(Path(tmp) / "config")
        store = Store.from_config(config)
        try:
            with (
                live_server(config, store, "127.0.0.1") as base,
                chromium(Path(tmp) / "profile") as browser,
            ):
                browser.set_window_size(1280, 860)
                for name, path in PAGES.items():
                    browser.get(base + path.format(item=11))
                    if name == "console-search.png":  # show "Save as rule" open
                        browser.find_element("css selector", "#save-rule summary").click()
                    browser.save_screenshot(str(out / name))
                    print(f"wrote {out / name}")
        finally:
            store.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DOCS)
