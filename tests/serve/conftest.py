"""Fixtures for the service: one app per session (the model loads once), a client, a page, and
a check of responses against the OpenAPI document."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from tests.conftest import DEFAULT_MODEL, LABELS
from winnow.labels import read_page
from winnow.serve.app import create_app
from winnow.serve.ops import OPENAPI_FILE

DOC_URI = "urn:winnow:openapi"


@pytest.fixture(scope="session")
def app():
    return create_app({"TESTING": True, "MODEL": str(DEFAULT_MODEL)})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def page_text() -> str:
    """An ordinary labelled page of the repository: a few dozen lines of a news article."""
    return read_page(sorted(LABELS.rglob("*.tsv"))[0]).text


@pytest.fixture(scope="session")
def openapi() -> dict:
    return json.loads(OPENAPI_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def check_openapi(openapi):
    """`check(path, method, response)`: the body matches the documented schema for its status."""
    registry = Registry().with_resource(DOC_URI, DRAFT202012.create_resource(openapi))

    def check(path: str, method: str, response) -> None:
        responses = openapi["paths"][path][method.lower()]["responses"]
        documented = responses.get(str(response.status_code), responses.get("default"))
        assert documented is not None, f"{method} {path} {response.status_code} is not documented"
        if "$ref" in documented:
            documented = _resolve(openapi, documented["$ref"])
        mimetype = response.mimetype
        assert mimetype in documented["content"], (mimetype, path, response.status_code)
        if mimetype != "application/json":
            return
        schema = documented["content"][mimetype]["schema"]
        validator = Draft202012Validator(
            {"$ref": DOC_URI + _pointer_to(openapi, schema)}, registry=registry
        )
        validator.validate(response.get_json())

    return check


def _resolve(doc: dict, ref: str) -> dict:
    node = doc
    for part in ref.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _pointer_to(doc: dict, target: dict, prefix: str = "#") -> str:
    """The JSON pointer of `target` (a node of `doc`, found by identity)."""
    stack = [(doc, prefix)]
    while stack:
        node, pointer = stack.pop()
        if node is target:
            return pointer
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, child in items:
            if isinstance(child, dict | list):
                escaped = str(key).replace("~", "~0").replace("/", "~1")
                stack.append((child, f"{pointer}/{escaped}"))
    raise LookupError("schema not found in the document")
