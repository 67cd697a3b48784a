"""The JSON API's OpenAPI 3.1 description, served at /api/openapi.json.

Kept by hand beside the handlers rather than generated from docstrings: the answers are
plain dicts, so no framework can infer their shape. tests/web/test_openapi.py keeps it
true: every /api route is described and nothing else is, the document is valid OpenAPI,
and the real answers of every endpoint validate against the schemas here.
"""

from __future__ import annotations

from typing import Any

from crawler.web.auth import SESSION_COOKIE

OPENAPI_PATH = "/api/openapi.json"

_DATETIME = {"type": ["string", "null"], "format": "date-time"}
_STRING_OR_NULL = {"type": ["string", "null"]}


def _object(required: dict[str, Any], **optional: Any) -> dict[str, Any]:
    """A JSON object with `required` properties (others allowed: answers may grow)."""
    return {
        "type": "object",
        "required": sorted(required),
        "properties": required | optional,
    }


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _array(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


_ITEM_FIELDS = {
    "id": {"type": "integer"},
    "source_id": {"type": "string"},
    "title": {"type": "string"},
    "url": {"type": "string"},
    "language": _STRING_OR_NULL,
    "published_at": _DATETIME,
    "first_seen_at": {"type": "string", "format": "date-time"},
}

SCHEMAS: dict[str, Any] = {
    "Item": _object(_ITEM_FIELDS | {"revision": {"type": "integer"}}),
    "ItemWithText": _object(
        _ITEM_FIELDS
        | {
            "revision": {"type": "integer"},
            "summary": {"type": "string"},
            "body": {"type": "string"},
        }
    ),
    "Span": _object(
        {
            "field": {"type": "string", "enum": ["title", "body"]},
            "start": {"type": "integer", "minimum": 0},
            "end": {"type": "integer", "minimum": 0},
        }
    ),
    "Hit": _object(
        {
            "rule_id": {"type": "string"},
            "spans": _array(_ref("Span")),
            "snippets": _array({"type": "string"}),
        }
    ),
    "ItemDetail": _object(
        {
            "item": _ref("ItemWithText"),
            "hits": _array(_ref("Hit")),
            "stored_matches": _array(
                _object({"rule_id": {"type": "string"}, "matched_at": _DATETIME})
            ),
            "relatives": _array(
                _object(
                    {
                        "id": {"type": "integer"},
                        "source_id": {"type": "string"},
                        "title": {"type": "string"},
                        "url": {"type": "string"},
                        "relation": {"type": "string", "enum": ["duplicate", "also published"]},
                    }
                )
            ),
            "revisions": _array(
                _object(
                    {
                        "title": {"type": "string"},
                        "changed_at": _DATETIME,
                        "content_fp": {"type": "string"},
                    }
                )
            ),
            "deliveries": _array(
                _object(
                    {
                        "recipient": {"type": "string"},
                        "rule_id": {"type": "string"},
                        "channel": {"type": "string"},
                        "status": {"type": "string"},
                        "attempts": {"type": "integer"},
                        "sent_at": _DATETIME,
                        "last_error": _STRING_OR_NULL,
                    }
                )
            ),
        }
    ),
    "SearchResult": _object(_ITEM_FIELDS | {"snippets": _array({"type": "string"})}),
    "SearchPage": _object(
        {
            "query": {"type": "string"},
            "results": _array(_ref("SearchResult")),
            "index": {
                "type": "string",
                "enum": ["fts5", "pg_trgm", "none"],
                "description": "the full-text index candidates came from",
            },
            "index_query": {
                **_STRING_OR_NULL,
                "description": "the index query the search ran; null when every item was checked",
            },
            "scan_reason": {**_STRING_OR_NULL, "description": "why there was no index lookup"},
            "examined": {"type": "integer", "description": "candidates the rule engine checked"},
            "next_before": {
                "type": ["integer", "null"],
                "description": "pass as `before` for the next page; null at the end",
            },
        }
    ),
    "Source": _object(
        {
            "id": {"type": "string"},
            "enabled": {"type": "boolean"},
            "schedule": _STRING_OR_NULL,
            "health": {"type": "string"},
            "health_since": _DATETIME,
            "health_detail": _STRING_OR_NULL,
            "last_run_at": _DATETIME,
            "last_success_at": _DATETIME,
            "last_new_item_at": _DATETIME,
            "next_run_at": _DATETIME,
            "item_count": {"type": "integer"},
            "feeds": _array({"type": "string"}),
            "per_day": {
                **_array({"type": "integer", "minimum": 0}),
                "description": "items first seen per day, the last 30 days, oldest first",
            },
        }
    ),
    "Rule": _object(
        {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "query": {"type": "string"},
            "fields": {"type": "string"},
            "mode": {"type": "string"},
            "enabled": {"type": "boolean"},
            "matches": {"type": "integer"},
            "last_match_at": _DATETIME,
        }
    ),
    "QueryCheck": {
        "oneOf": [
            _object({"ok": {"const": True}, "query": {"type": "string"}}),
            _object(
                {
                    "ok": {"const": False},
                    "query": {"type": "string"},
                    "message": {"type": "string"},
                    "column": {"type": "integer", "minimum": 1},
                }
            ),
        ]
    },
    "Deliveries": _object(
        {
            "recipients": _array(
                _object(
                    {"recipient": {"type": "string"}},
                    pending={"type": "integer"},
                    failed={"type": "integer"},
                    dead={"type": "integer"},
                    last_error=_STRING_OR_NULL,
                    last_sent_at=_DATETIME,
                )
            ),
            "errors": _array(
                _object(
                    {
                        "recipient": {"type": "string"},
                        "item_id": {"type": "integer"},
                        "rule_id": {"type": "string"},
                        "channel": {"type": "string"},
                        "status": {"type": "string"},
                        "attempts": {"type": "integer"},
                        "last_error": _STRING_OR_NULL,
                        "next_attempt_at": _DATETIME,
                    }
                )
            ),
        }
    ),
    "Error": _object(
        {"error": {"type": "string"}},
        message={"type": "string"},
        column={"type": "integer"},
        query={"type": "string"},
    ),
}


def _query(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema or {"type": "string"},
    }


_LIMIT = _query("limit", "results per page", {"type": "integer", "minimum": 1, "maximum": 500})
_BEFORE = _query(
    "before", "only items with a smaller id (paging)", {"type": "integer", "minimum": 1}
)
_DAY = {"type": "string", "format": "date"}


def _answer(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_BAD = _answer("a parameter that cannot be used, or a query that does not parse", _ref("Error"))
_AUTH = _answer(
    "a non-loopback console without a session cookie or `Authorization: Bearer`", _ref("Error")
)


def _get(summary: str, ok: dict[str, Any], *parameters: dict[str, Any], **more: Any) -> Any:
    responses = {"200": _answer("OK", ok), "401": _AUTH} | more
    operation: dict[str, Any] = {"summary": summary, "responses": responses}
    if parameters:
        operation["parameters"] = list(parameters)
    return {"get": operation}


PATHS: dict[str, Any] = {
    "/api": _get(
        "The endpoints in one line each",
        _object({"endpoints": {"type": "object"}, "openapi": {"type": "string"}}),
    ),
    OPENAPI_PATH: _get("This document", {"type": "object"}),
    "/api/items": _get(
        "The newest stored items, without text",
        _object({"items": _array(_ref("Item"))}),
        _LIMIT,
        _BEFORE,
        **{"400": _BAD},
    ),
    "/api/items/{item_id}": {
        **_get(
            "One item: text, today's rule hits with spans, relatives, revisions, deliveries",
            _ref("ItemDetail"),
            **{"404": _answer("no such item", _ref("Error"))},
        ),
        "parameters": [
            {"name": "item_id", "in": "path", "required": True, "schema": {"type": "integer"}}
        ],
    },
    "/api/search": _get(
        "Archive search in the rule language, newest stored first",
        _ref("SearchPage"),
        {**_query("q", "a query in the rule language"), "required": True},
        _query("source", "only this source id"),
        _query("rule", "only items this stored rule matched"),
        _query("lang", "language (`ru` also accepts `ru-RU`)"),
        _query("since", "published (else first seen) on or after this day, UTC", _DAY),
        _query("until", "published (else first seen) on or before this day, UTC", _DAY),
        _LIMIT,
        _BEFORE,
        **{"400": _BAD},
    ),
    "/api/sources": _get(
        "Sources: health, last and next run, items per day",
        _object({"sources": _array(_ref("Source"))}),
    ),
    "/api/rules": _get(
        "Rules with their numbers of stored matches", _object({"rules": _array(_ref("Rule"))})
    ),
    "/api/rules/check": _get(
        "Parse a query: ok, or the error and its column",
        _ref("QueryCheck"),
        {**_query("q", "a query in the rule language"), "required": True},
    ),
    "/api/deliveries": _get(
        "The ledger backlog per recipient and the failing deliveries", _ref("Deliveries")
    ),
}


def openapi_document(version: str) -> dict[str, Any]:
    """The OpenAPI document of the JSON API (`version`: presswatch's)."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "presswatch console API",
            "version": version,
            "description": "Read-only JSON API of `presswatch serve` (docs/web.md). "
            "Datetimes are ISO 8601 in UTC.",
        },
        "paths": PATHS,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "web.password; only consoles bound beyond loopback ask",
                },
                "session": {"type": "apiKey", "in": "cookie", "name": SESSION_COOKIE},
            },
        },
        "security": [{}, {"bearer": []}, {"session": []}],
    }
