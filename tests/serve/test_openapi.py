"""/openapi.json: a valid OpenAPI 3.1 document that describes exactly the app's routes."""

from __future__ import annotations

import json

from openapi_spec_validator import validate

from winnow import __version__
from winnow.serve.errors import HTTP_CODES

IMPLICIT = {"HEAD", "OPTIONS"}  # Flask answers these for every GET route by itself


def test_document_is_valid_openapi_31(openapi):
    assert openapi["openapi"].startswith("3.1.")
    validate(openapi)
    assert openapi["info"]["version"] == __version__


def test_document_describes_exactly_the_routes(app, openapi):
    served = {
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods - IMPLICIT
    }
    documented = {
        (path, method.upper()) for path, item in openapi["paths"].items() for method in item
    }
    assert served == documented


def test_every_operation_documents_its_errors(openapi):
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            assert "default" in operation["responses"], (path, method)
            if method == "post":
                for status in ("400", "413", "415", "422"):
                    assert status in operation["responses"], (path, status)


def test_error_codes_of_werkzeug_errors_are_documented(openapi):
    documented = set(openapi["components"]["schemas"]["ErrorCode"]["enum"])
    assert set(HTTP_CODES.values()) <= documented


def test_served_document_is_the_file(client, openapi):
    r = client.get("/openapi.json")
    assert r.status_code == 200 and r.mimetype == "application/json"
    assert json.loads(r.get_data()) == openapi
