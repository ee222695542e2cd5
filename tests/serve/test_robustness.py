"""Strange input never gives a 500 or hangs: each case gets a correct result or its 4xx.

The property tests send arbitrary text and arbitrary JSON; whatever comes back is a 200 or a
documented 4xx, and a 200's body lines are a subsequence of the input's lines.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.serve.test_api import body_lines, is_subsequence
from winnow.lines import split_lines

TEXT = "text/plain; charset=utf-8"
PROPERTY = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def post_text(client, text: str):
    return client.post("/clean", data=text.encode("utf-8"), content_type=TEXT)


def assert_article_of(response, text: str) -> dict:
    assert response.status_code == 200, response.get_data(as_text=True)
    got = response.get_json()
    lines = split_lines(text)
    assert is_subsequence(body_lines(got), lines)
    assert got["title"] is None or got["title"] in lines
    return got


@pytest.mark.parametrize(
    "text",
    [
        "Title\x00 here\nBody \x00line one is here.\n\x00",
        "\ufeffTitle\nThe body of the page goes on here.",
        "".join(chr(c) for c in range(32) if c not in (10, 13)) + "\x7f\x85\u2028\u2029\nend",
        "a\r\nb\rc\n\r\n",
        "",
        "   \n\t\n \u3000 \n",
    ],
    ids=["nul", "bom", "control", "mixed-newlines", "empty", "whitespace"],
)
def test_odd_text_bodies(client, text):
    got = assert_article_of(post_text(client, text), text)
    assert "\x00" not in json.dumps(got) and "\ufeff" not in json.dumps(got)


@pytest.mark.parametrize("text", ["", "  \n\t\n"])
def test_empty_and_blank_pages_have_no_article(client, text):
    got = post_text(client, text).get_json()
    assert got["title"] is None and got["text"] == "" and got["paragraphs"] == []


def test_lone_surrogates_in_json(client):
    body = (
        b'{"text": "Title \\ud800 here\\nbody \\udfff line\\n\\udc00", '
        b'"lines": true, "url": "\\ud801"}'
    )
    r = client.post("/clean", data=body, content_type="application/json")
    assert r.status_code == 200
    raw = r.get_data()
    raw.decode("utf-8")  # valid UTF-8 out, whatever came in
    got = json.loads(raw)
    assert [line["text"] for line in got["lines"]] == [
        "Title \ufffd here",
        "body \ufffd line",
        "\ufffd",
    ]
    assert got["url"] == "\ufffd"


def test_a_2mb_single_line(client):
    text = "word " * 400_000
    got = assert_article_of(post_text(client, text), text)
    assert len(body_lines(got)) <= 1


def test_200000_short_lines(client):
    text = "\n".join(f"item {i}" for i in range(200_000))
    assert_article_of(post_text(client, text), text)


def test_one_line_over_the_default_limit_is_refused_before_cleaning(client):
    r = post_text(client, "x\n" * 200_001)
    assert r.status_code == 413 and r.get_json()["error"]["code"] == "too_many_lines"


@given(text=st.text(max_size=400))
@PROPERTY
def test_any_text_body(client, text):
    assert_article_of(post_text(client, text), text)


@given(
    text=st.text(
        alphabet=st.characters(codec=None) | st.characters(categories=["Cs"]), max_size=200
    )
)
@PROPERTY
def test_any_text_in_json_including_surrogates(client, text):
    r = client.post("/clean", data=json.dumps({"text": text}), content_type="application/json")
    assert_article_of(r, text)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
OPTION_VALUES = st.fixed_dictionaries(
    {},
    optional={
        "text": st.text(max_size=100) | JSON_VALUES,
        "mode": st.sampled_from(["precision", "balanced", "recall"]) | JSON_VALUES,
        "threshold": st.floats(0, 1) | JSON_VALUES,
        "include": st.lists(st.sampled_from(["captions", "meta"])) | JSON_VALUES,
        "lines": st.booleans() | JSON_VALUES,
        "url": st.text(max_size=20) | JSON_VALUES,
        "lang": st.text(max_size=5) | JSON_VALUES,
    },
)


@given(doc=JSON_VALUES | OPTION_VALUES)
@PROPERTY
def test_any_json_document(client, doc):
    r = client.post("/clean", data=json.dumps(doc), content_type="application/json")
    assert r.status_code == 200 or 400 <= r.status_code < 500, r.get_data(as_text=True)
    if r.status_code == 200:
        assert_article_of(r, doc["text"])
    else:
        assert r.get_json()["error"]["code"]


@given(docs=st.lists(OPTION_VALUES, max_size=4) | JSON_VALUES)
@PROPERTY
def test_any_json_batch(client, docs):
    r = client.post("/clean/batch", data=json.dumps(docs), content_type="application/json")
    assert r.status_code == 200 or 400 <= r.status_code < 500, r.get_data(as_text=True)
    if r.status_code == 200:
        for doc, result in zip(docs, r.get_json()["results"], strict=True):
            assert is_subsequence(body_lines(result), split_lines(doc["text"]))


@given(
    query=st.dictionaries(
        st.sampled_from(["mode", "threshold", "include", "lines", "url", "lang", "x"]),
        st.text(max_size=10),
        max_size=4,
    ),
    body=st.binary(max_size=200),
)
@PROPERTY
def test_any_query_and_bytes(client, query, body):
    r = client.post("/clean", query_string=query, data=body, content_type=TEXT)
    assert r.status_code == 200 or 400 <= r.status_code < 500, r.get_data(as_text=True)
