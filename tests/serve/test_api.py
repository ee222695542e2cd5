"""POST /clean and /clean/batch: the contract, checked against the library and the OpenAPI doc."""

from __future__ import annotations

import pytest

from winnow import clean
from winnow.lines import split_lines
from winnow.serve.api import as_text

TEXT = "text/plain; charset=utf-8"


def body_lines(result: dict) -> list[str]:
    return [line for p in result["paragraphs"] for line in p.split("\n")]


def is_subsequence(part: list[str], whole: list[str]) -> bool:
    it = iter(whole)
    return all(any(x == y for y in it) for x in part)


def library_result(app, text: str, **options) -> dict:
    include = options.pop("include", ())
    lines = options.pop("lines", False)
    article = clean(text, model=app.extensions["winnow"].model, **options)
    return article.to_dict(include=include, lines=lines)


def without_envelope(result: dict) -> dict:
    return {k: v for k, v in result.items() if k not in ("model", "elapsed_ms", "url", "lang")}


def test_text_body_gives_the_library_result(app, client, page_text, check_openapi):
    r = client.post("/clean", data=page_text.encode(), content_type=TEXT)
    assert r.status_code == 200
    check_openapi("/clean", "POST", r)
    got = r.get_json()
    assert without_envelope(got) == library_result(app, page_text)
    assert set(got) >= {"title", "text", "paragraphs", "confidence", "model", "elapsed_ms"}
    assert not {"captions", "meta", "lines"} & set(got)
    model = app.extensions["winnow"].model
    assert got["model"] == {"name": model.name, "version": model.version}
    assert got["elapsed_ms"] >= 0
    assert got["text"] == "\n\n".join(got["paragraphs"])
    assert is_subsequence(body_lines(got), split_lines(page_text))
    assert r.headers["X-Winnow-Model"] == f"{model.name} {model.version}"


def test_json_body_with_every_option(app, client, page_text, check_openapi):
    doc = {
        "text": page_text,
        "url": "https://example.org/a",
        "lang": "de",
        "mode": "recall",
        "include": ["meta", "captions"],
        "lines": True,
    }
    r = client.post("/clean", json=doc)
    assert r.status_code == 200
    check_openapi("/clean", "POST", r)
    got = r.get_json()
    expected = library_result(
        app, page_text, mode="recall", include=("captions", "meta"), lines=True
    )
    assert without_envelope(got) == expected
    assert got["url"] == "https://example.org/a" and got["lang"] == "de"
    raw = split_lines(page_text)
    for line in got["lines"]:
        assert raw[line["line"] - 1] == line["text"]
        assert 0 <= line["p"] <= 1 and line["label"] in "TBCMNLASX"
    assert len(got["lines"]) == sum(1 for x in raw if x.strip())


def test_query_options_match_json_options(client, page_text):
    query = "/clean?mode=precision&include=captions&include=meta&lines=yes&url=u&lang=ko"
    by_query = client.post(query, data=page_text.encode(), content_type=TEXT).get_json()
    by_json = client.post(
        "/clean",
        json={
            "text": page_text,
            "mode": "precision",
            "include": ["captions", "meta"],
            "lines": True,
            "url": "u",
            "lang": "ko",
        },
    ).get_json()
    by_query.pop("elapsed_ms"), by_json.pop("elapsed_ms")
    assert by_query == by_json
    comma = client.post("/clean?include=captions,meta", data=b"x", content_type=TEXT).get_json()
    assert "captions" in comma and "meta" in comma


@pytest.mark.parametrize("mode", ["precision", "balanced", "recall"])
def test_mode_and_threshold_choose_the_cut(app, client, mode):
    model = app.extensions["winnow"].model
    got = client.post("/clean", json={"text": "a\nb", "mode": mode}).get_json()
    assert got["threshold"] == round(model.threshold(mode), 4)
    got = client.post(f"/clean?mode={mode}&threshold=0.25", data=b"a\nb", content_type=TEXT)
    assert got.get_json()["threshold"] == 0.25  # threshold overrides mode


def test_accept_text_plain_gives_title_blank_line_body(app, client, page_text, check_openapi):
    r = client.post(
        "/clean", data=page_text.encode(), content_type=TEXT, headers={"Accept": "text/plain"}
    )
    assert r.status_code == 200 and r.mimetype == "text/plain"
    check_openapi("/clean", "POST", r)
    article = clean(page_text, model=app.extensions["winnow"].model)
    assert r.get_data(as_text=True) == as_text(article)
    if article.title:
        assert r.get_data(as_text=True).startswith(article.title + "\n\n")
    json_preferred = client.post(
        "/clean",
        data=b"x",
        content_type=TEXT,
        headers={"Accept": "application/json, text/plain;q=0.5"},
    )
    assert json_preferred.mimetype == "application/json"


def test_json_body_with_accept_text_plain(client):
    r = client.post("/clean", json={"text": "a"}, headers={"Accept": "text/plain"})
    assert r.status_code == 200 and r.mimetype == "text/plain"


def test_batch_results_in_order(app, client, page_text, check_openapi):
    docs = [
        {"text": page_text, "url": "https://example.org/1"},
        {"text": "", "lang": "en"},
        {"text": page_text, "mode": "precision", "lines": True, "include": ["meta"]},
    ]
    r = client.post("/clean/batch", json=docs)
    assert r.status_code == 200
    check_openapi("/clean/batch", "POST", r)
    got = r.get_json()
    assert len(got["results"]) == 3
    assert without_envelope(got["results"][0]) == library_result(app, page_text)
    assert got["results"][0]["url"] == "https://example.org/1"
    assert got["results"][1]["paragraphs"] == [] and got["results"][1]["lang"] == "en"
    third = library_result(app, page_text, mode="precision", lines=True, include=("meta",))
    assert without_envelope(got["results"][2]) == third
    model = app.extensions["winnow"].model
    assert got["model"] == {"name": model.name, "version": model.version}


def test_empty_batch(client, check_openapi):
    r = client.post("/clean/batch", json=[])
    assert r.status_code == 200 and r.get_json()["results"] == []
    check_openapi("/clean/batch", "POST", r)


def test_one_bad_document_fails_the_whole_batch_before_any_cleaning(client):
    from prometheus_client import REGISTRY

    def pages() -> float:
        return REGISTRY.get_sample_value("winnow_pages_classified_total")

    before = pages()
    r = client.post("/clean/batch", json=[{"text": "fine"}, {"text": "x", "mode": "fast"}])
    assert r.status_code == 422
    assert "documents[1].mode" in r.get_json()["error"]["message"]
    assert pages() == before
