"""The OpenAPI document: valid OpenAPI 3.1, every /api route in it, real answers fit it."""

from __future__ import annotations

import re
from typing import Any

from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from starlette.routing import Route
from starlette.testclient import TestClient

from crawler.web.openapi import OPENAPI_PATH
from tests.web.fixtures import PASSWORD, SMTP_SECRET, Archive

RU = '"стратегическая стабильность"'


def _document(client: TestClient) -> dict[str, Any]:
    answer = client.get(OPENAPI_PATH)
    assert answer.status_code == 200
    document: dict[str, Any] = answer.json()
    return document


def test_document_is_valid_openapi(client: TestClient) -> None:
    document = _document(client)
    validate(document)  # raises on any structural error
    assert document["openapi"].startswith("3.")
    assert client.get("/api").json()["openapi"] == OPENAPI_PATH


def test_every_api_route_is_documented_and_nothing_else(client: TestClient) -> None:
    routes = {
        re.sub(r"\{(\w+)(:\w+)?\}", r"{\1}", route.path): route.methods or set()
        for route in client.app.routes  # type: ignore[attr-defined]
        if isinstance(route, Route) and route.path.startswith("/api")
    }
    documented = _document(client)["paths"]
    assert set(routes) == set(documented)
    for path, methods in routes.items():
        operations = {m.upper() for m in documented[path] if m != "parameters"}
        assert operations == methods - {"HEAD"}, path


def _validator(document: dict[str, Any], schema: dict[str, Any]) -> Draft202012Validator:
    """A JSON Schema 2020-12 validator for `schema`, its `#/components` refs resolving."""
    return Draft202012Validator({"components": document["components"], **schema})


def _answer_schema(document: dict[str, Any], path: str, status: int) -> dict[str, Any]:
    response = document["paths"][path]["get"]["responses"][str(status)]
    schema: dict[str, Any] = response["content"]["application/json"]["schema"]
    return schema


def _check(document: dict[str, Any], path: str, answer: Any, status: int = 200) -> None:
    assert answer.status_code == status, answer.text
    errors = list(
        _validator(document, _answer_schema(document, path, status)).iter_errors(answer.json())
    )
    assert not errors, [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors]


def test_real_answers_fit_the_schemas(client: TestClient, archive: Archive) -> None:
    """Every endpoint's answers (success and failure) validate against the document."""
    document = _document(client)
    items = client.get("/api/items", params={"limit": 10})
    _check(document, "/api/items", items)
    listed = items.json()["items"]
    assert len(listed) == len(archive.ids)
    _check(document, "/api/items", client.get("/api/items", params={"limit": "x"}), 400)
    for item in listed:
        _check(document, "/api/items/{item_id}", client.get(f"/api/items/{item['id']}"))
    _check(document, "/api/items/{item_id}", client.get("/api/items/999999"), 404)
    found = client.get("/api/search", params={"q": RU, "limit": 1})
    _check(document, "/api/search", found)
    assert found.json()["results"] and found.json()["next_before"] is not None
    _check(document, "/api/search", client.get("/api/search", params={"q": "a AND"}), 400)
    _check(document, "/api/search", client.get("/api/search", params={"q": "x", "since": "3"}), 400)
    _check(document, "/api/sources", client.get("/api/sources"))
    _check(document, "/api/rules", client.get("/api/rules"))
    for query in ("a OR", "a OR b"):
        _check(document, "/api/rules/check", client.get("/api/rules/check", params={"q": query}))
    deliveries = client.get("/api/deliveries")
    _check(document, "/api/deliveries", deliveries)
    assert deliveries.json()["errors"]
    _check(document, "/api", client.get("/api"))


def test_the_document_needs_a_login_off_loopback_and_shows_no_secret(
    remote_client: TestClient,
) -> None:
    assert remote_client.get(OPENAPI_PATH).status_code == 401
    answer = remote_client.get(OPENAPI_PATH, headers={"authorization": f"Bearer {PASSWORD}"})
    assert answer.status_code == 200
    assert PASSWORD not in answer.text and SMTP_SECRET not in answer.text


def test_a_broken_schema_is_caught() -> None:
    """The check above would notice an answer that drifted from the document."""
    document = {"components": {"schemas": {"A": {"type": "object", "required": ["x"]}}}}
    validator = _validator(document, {"$ref": "#/components/schemas/A"})
    assert not validator.is_valid({"y": 1})
    assert validator.is_valid({"x": 1})
