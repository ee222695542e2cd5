"""Every documented error: its status, its code, the JSON shape and the OpenAPI schema."""

from __future__ import annotations

import json

import pytest

from tests.conftest import DEFAULT_MODEL
from winnow.errors import ModelIntegrityError
from winnow.serve.app import create_app

TEXT = "text/plain; charset=utf-8"
JSON = "application/json"


def call(client, method, path, data=None, content_type=None, headers=None):
    return client.open(path, method=method, data=data, content_type=content_type, headers=headers)


CASES = [
    # (id, method, path, body, content type, status, code)
    ("get-clean", "GET", "/clean", None, None, 405, "method_not_allowed"),
    ("put-batch", "PUT", "/clean/batch", b"[]", JSON, 405, "method_not_allowed"),
    ("post-healthz", "POST", "/healthz", b"", TEXT, 405, "method_not_allowed"),
    ("unknown-path", "GET", "/nope", None, None, 404, "not_found"),
    ("bad-utf8-text", "POST", "/clean", b"ok\n\xff\xfe bad", TEXT, 400, "invalid_utf8"),
    ("bad-utf8-json", "POST", "/clean", b'{"text": "\xc3"}', JSON, 400, "invalid_utf8"),
    ("malformed-json", "POST", "/clean", b'{"text": ', JSON, 400, "malformed_json"),
    ("empty-json", "POST", "/clean", b"", JSON, 400, "malformed_json"),
    ("nested-json", "POST", "/clean", b"[" * 100_000 + b"]" * 100_000, JSON, 400, "malformed_json"),
    (
        "huge-int",
        "POST",
        "/clean",
        b'{"text": "a", "threshold": 1' + b"0" * 5000 + b"}",
        JSON,
        400,
        "malformed_json",
    ),
    ("json-not-object", "POST", "/clean", b'["text"]', JSON, 400, "invalid_document"),
    ("missing-text", "POST", "/clean", b'{"mode": "recall"}', JSON, 400, "missing_text"),
    ("null-text", "POST", "/clean", b'{"text": null}', JSON, 400, "invalid_text"),
    ("number-text", "POST", "/clean", b'{"text": 12}', JSON, 400, "invalid_text"),
    ("batch-not-list", "POST", "/clean/batch", b'{"text": "a"}', JSON, 400, "invalid_batch"),
    (
        "batch-item-not-object",
        "POST",
        "/clean/batch",
        b'[{"text": "a"}, "b"]',
        JSON,
        400,
        "invalid_document",
    ),
    ("batch-item-no-text", "POST", "/clean/batch", b"[{}]", JSON, 400, "missing_text"),
    ("no-content-type", "POST", "/clean", b"page", None, 415, "unsupported_media_type"),
    (
        "form",
        "POST",
        "/clean",
        b"a=b",
        "application/x-www-form-urlencoded",
        415,
        "unsupported_media_type",
    ),
    ("html", "POST", "/clean", b"<p>a</p>", "text/html", 415, "unsupported_media_type"),
    (
        "latin1",
        "POST",
        "/clean",
        b"caf\xe9",
        "text/plain; charset=iso-8859-1",
        415,
        "unsupported_media_type",
    ),
    (
        "utf16-json",
        "POST",
        "/clean",
        b'{"text": "a"}',
        "application/json; charset=utf-16",
        415,
        "unsupported_media_type",
    ),
    ("batch-as-text", "POST", "/clean/batch", b"page", TEXT, 415, "unsupported_media_type"),
    ("bad-mode", "POST", "/clean?mode=fast", b"a", TEXT, 422, "invalid_option"),
    ("threshold-above-1", "POST", "/clean?threshold=2", b"a", TEXT, 422, "invalid_option"),
    ("threshold-word", "POST", "/clean?threshold=high", b"a", TEXT, 422, "invalid_option"),
    ("threshold-nan", "POST", "/clean?threshold=nan", b"a", TEXT, 422, "invalid_option"),
    ("bad-include", "POST", "/clean?include=ads", b"a", TEXT, 422, "invalid_option"),
    ("bad-lines", "POST", "/clean?lines=maybe", b"a", TEXT, 422, "invalid_option"),
    ("unknown-param", "POST", "/clean?modee=recall", b"a", TEXT, 422, "invalid_option"),
    (
        "repeated-param",
        "POST",
        "/clean?mode=recall&mode=precision",
        b"a",
        TEXT,
        422,
        "invalid_option",
    ),
    (
        "query-with-json",
        "POST",
        "/clean?mode=recall",
        b'{"text": "a"}',
        JSON,
        422,
        "invalid_option",
    ),
    ("query-with-batch", "POST", "/clean/batch?mode=recall", b"[]", JSON, 422, "invalid_option"),
    (
        "json-bad-mode",
        "POST",
        "/clean",
        b'{"text": "a", "mode": ["recall"]}',
        JSON,
        422,
        "invalid_option",
    ),
    (
        "json-threshold-bool",
        "POST",
        "/clean",
        b'{"text": "a", "threshold": true}',
        JSON,
        422,
        "invalid_option",
    ),
    (
        "json-threshold-string",
        "POST",
        "/clean",
        b'{"text": "a", "threshold": "0.5"}',
        JSON,
        422,
        "invalid_option",
    ),
    (
        "json-threshold-inf",
        "POST",
        "/clean",
        b'{"text": "a", "threshold": 1e999}',
        JSON,
        422,
        "invalid_option",
    ),
    (
        "json-include-string",
        "POST",
        "/clean",
        b'{"text": "a", "include": "meta"}',
        JSON,
        422,
        "invalid_option",
    ),
    (
        "json-include-zero",
        "POST",
        "/clean",
        b'{"text": "a", "include": 0}',
        JSON,
        422,
        "invalid_option",
    ),
    (
        "json-lines-string",
        "POST",
        "/clean",
        b'{"text": "a", "lines": "yes"}',
        JSON,
        422,
        "invalid_option",
    ),
    (
        "json-unknown-field",
        "POST",
        "/clean",
        b'{"text": "a", "txt": "b"}',
        JSON,
        422,
        "invalid_option",
    ),
    ("json-url-number", "POST", "/clean", b'{"text": "a", "url": 5}', JSON, 422, "invalid_option"),
    (
        "json-lang-too-long",
        "POST",
        "/clean",
        json.dumps({"text": "a", "lang": "x" * 65}).encode(),
        JSON,
        422,
        "invalid_option",
    ),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "ctype", "status", "code"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_error(client, openapi, check_openapi, method, path, body, ctype, status, code):
    r = call(client, method, path, body, ctype)
    assert r.status_code == status, r.get_data(as_text=True)
    assert r.mimetype == "application/json"
    error = r.get_json()["error"]
    assert error["code"] == code
    assert error["message"]
    route = path.split("?")[0]
    if route in openapi["paths"] and status not in (404, 405):
        check_openapi(route, method, r)


def test_405_names_the_allowed_methods(client):
    r = client.get("/clean")
    assert "POST" in r.headers["Allow"]
    assert "GET" in client.post("/version").headers["Allow"]


@pytest.fixture(scope="module")
def small_app():
    limits = {"MAX_BYTES": 2000, "MAX_LINES": 50, "MAX_BATCH": 3}
    return create_app({"TESTING": True, "MODEL": str(DEFAULT_MODEL), **limits})


@pytest.mark.parametrize(
    ("path", "body", "ctype", "code"),
    [
        ("/clean", b"x" * 2001, TEXT, "payload_too_large"),
        ("/clean", json.dumps({"text": "x" * 2000}).encode(), JSON, "payload_too_large"),
        ("/clean", b"line\n" * 51, TEXT, "too_many_lines"),
        ("/clean", b"line\r\n" * 51, TEXT, "too_many_lines"),
        ("/clean", json.dumps({"text": "a\n" * 51}).encode(), JSON, "too_many_lines"),
        ("/clean/batch", json.dumps([{"text": "a\n" * 26}] * 2).encode(), JSON, "too_many_lines"),
        ("/clean/batch", json.dumps([{"text": "a"}] * 4).encode(), JSON, "too_many_documents"),
    ],
)
def test_limits_answer_413(small_app, check_openapi, path, body, ctype, code):
    r = small_app.test_client().post(path, data=body, content_type=ctype)
    assert r.status_code == 413, r.get_data(as_text=True)
    assert r.get_json()["error"]["code"] == code
    check_openapi(path, "POST", r)


def test_at_the_limits_is_accepted(small_app):
    client = small_app.test_client()
    assert client.post("/clean", data=b"line\n" * 50, content_type=TEXT).status_code == 200
    assert client.post("/clean", data=b"x" * 2000, content_type=TEXT).status_code == 200
    batch = json.dumps([{"text": "a\n" * 10}] * 3).encode()
    assert client.post("/clean/batch", data=batch, content_type=JSON).status_code == 200


def test_bad_limit_configuration_is_refused():
    with pytest.raises(ValueError, match="WINNOW_MAX_LINES"):
        create_app({"MODEL": str(DEFAULT_MODEL), "MAX_LINES": "many"})


def test_limits_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("WINNOW_MAX_BYTES", "1234")
    monkeypatch.setenv("WINNOW_MODEL", str(DEFAULT_MODEL))
    app = create_app({"TESTING": True})
    assert app.config["MAX_CONTENT_LENGTH"] == 1234
    r = app.test_client().post("/clean", data=b"x" * 1235, content_type=TEXT)
    assert r.status_code == 413 and "1234" in r.get_json()["error"]["message"]


def test_unexpected_failure_is_a_json_500(client, monkeypatch, check_openapi):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("winnow.serve.api.clean", broken)
    r = client.post("/clean", data=b"a", content_type=TEXT)
    assert r.status_code == 500
    assert r.get_json()["error"]["code"] == "internal_error"
    assert "boom" not in r.get_data(as_text=True)  # details go to the log, not the client
    check_openapi("/clean", "POST", r)


def test_model_error_is_a_json_503(client, monkeypatch, check_openapi):
    def broken(*args, **kwargs):
        raise ModelIntegrityError("artifact changed")

    monkeypatch.setattr("winnow.serve.api.clean", broken)
    r = client.post("/clean", data=b"a", content_type=TEXT)
    assert r.status_code == 503
    assert r.get_json()["error"] == {"code": "model_unavailable", "message": "artifact changed"}
    check_openapi("/clean", "POST", r)


def test_missing_model_stops_the_app_factory(tmp_path):
    from winnow.errors import ModelNotFound

    with pytest.raises(ModelNotFound, match="make train"):
        create_app({"MODEL": str(tmp_path / "nothing")})
