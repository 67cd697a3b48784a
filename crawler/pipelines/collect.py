"""Dry runs (`presswatch sources test`): write items as JSON lines to a file, store nothing."""

from __future__ import annotations

import json
from typing import IO

from crawler.crawl.runtime import current_runtime
from crawler.items import ArticleItem


class CollectPipeline:
    """Appends each item to the runtime's dry-run output file."""

    def __init__(self) -> None:
        self.handle: IO[str] | None = None

    def open_spider(self) -> None:
        path = current_runtime().dry_run_output
        self.handle = path.open("a", encoding="utf-8") if path else None

    def process_item(self, item: ArticleItem) -> ArticleItem:
        if self.handle is not None:
            self.handle.write(json.dumps(item.to_json(), ensure_ascii=False) + "\n")
            self.handle.flush()
        return item

    def close_spider(self) -> None:
        if self.handle is not None:
            self.handle.close()
