"""The errors a page itself can cause while it is parsed: the only ones extraction swallows.

Anything else raised inside `extract_article` or `extract_listing` is a bug (ours or a
library's) and must reach the spider, which counts it by type as an extraction error
(``presswatch/extraction_error/<Type>``) instead of reporting an empty page.

* `lxml.etree.LxmlError`: the parser, XPath or serializer refused the document;
* `UnicodeError`: bytes or characters no codec accepts;
* `RecursionError`: a document nested deeper than Python's stack allows.
"""

from __future__ import annotations

from lxml import etree

__all__ = ["PARSE_ERRORS"]

PARSE_ERRORS: tuple[type[Exception], ...] = (etree.LxmlError, UnicodeError, RecursionError)
