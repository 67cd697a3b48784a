"""Dry runs (`presswatch sources test`): write items as JSON lines to a file, store nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any

from crawler.crawl.runtime import runtime_of
from crawler.items import ArticleItem


class CollectPipeline:
    """Appends each item to the runtime's dry-run output file."""

    def __init__(self, output: Path | None) -> None:
        self.output = output
        self.handle: IO[str] | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> CollectPipeline:
        return cls(runtime_of(crawler).dry_run_output)

    def open_spider(self) -> None:
        path = self.output
        self.handle = path.open("a", encoding="utf-8") if path else None

    def process_item(self, item: ArticleItem) -> ArticleItem:
        if self.handle is not None:
            self.handle.write(json.dumps(item.to_json(), ensure_ascii=False) + "\n")
            self.handle.flush()
        return item

    def close_spider(self) -> None:
        if self.handle is not None:
            self.handle.close()
