"""Request bodies -> `Document`s: every check on what a client sent, each failure a typed 4xx.

`POST /clean` takes `text/plain; charset=utf-8` (options in the query string) or
`application/json` (`{"text": …, options…}`); `POST /clean/batch` a JSON list of such objects.
A batch is checked whole before any page is cleaned, so it fails or succeeds as one.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass

from flask import Request

from winnow.model import MODES
from winnow.serve.app import Limits
from winnow.serve.errors import ApiError

INCLUDABLE = ("captions", "meta")
OPTION_KEYS = ("url", "lang", "mode", "threshold", "include", "lines")
MAX_URL, MAX_LANG = 8192, 64
_TRUE, _FALSE = ("true", "1", "yes"), ("false", "0", "no")
_UTF8 = ("utf-8", "utf8")


@dataclass(frozen=True)
class Options:
    mode: str = "balanced"
    threshold: float | None = None
    include: tuple[str, ...] = ()
    lines: bool = False
    url: str | None = None  # echoed back: lets a scraper match results to pages
    lang: str | None = None  # echoed back: the model itself reads any language


@dataclass(frozen=True)
class Document:
    text: str
    options: Options


def read_document(request: Request, limits: Limits) -> Document:
    """The page and options of `POST /clean`."""
    if request.mimetype == "application/json":
        if request.args:
            raise _invalid("with a JSON body, options go in the body, not the query string")
        doc = document_from_json(json_body(request), "body")
    elif request.mimetype == "text/plain":
        _require_utf8(request)
        doc = Document(_decode(request.get_data()), options_from_query(request.args))
    else:
        raise _unsupported(request, "text/plain; charset=utf-8 or application/json")
    check_lines([doc], limits)
    return doc


def read_batch(request: Request, limits: Limits) -> list[Document]:
    """The documents of `POST /clean/batch`, in order, all checked before any is cleaned."""
    if request.mimetype != "application/json":
        raise _unsupported(request, "application/json (a list of documents)")
    if request.args:
        raise _invalid("options go in each document, not the query string")
    body = json_body(request)
    if not isinstance(body, list):
        raise ApiError(400, "invalid_batch", "the body must be a JSON list of documents")
    if len(body) > limits.max_batch:
        raise ApiError(
            413,
            "too_many_documents",
            f"{len(body)} documents; one batch takes at most {limits.max_batch} (WINNOW_MAX_BATCH)",
        )
    docs = [document_from_json(item, f"documents[{i}]") for i, item in enumerate(body)]
    check_lines(docs, limits)
    return docs


def json_body(request: Request) -> object:
    _require_utf8(request)
    data = request.get_data()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise _bad_utf8(err) from None
    try:
        return json.loads(text)
    except RecursionError:
        raise ApiError(400, "malformed_json", "the JSON is nested too deeply") from None
    except ValueError as err:  # JSONDecodeError, or an integer with too many digits
        raise ApiError(400, "malformed_json", f"the body is not valid JSON: {err}") from None


def document_from_json(obj: object, where: str) -> Document:
    if not isinstance(obj, dict):
        raise ApiError(400, "invalid_document", f"{where} must be a JSON object with a text field")
    if "text" not in obj:
        raise ApiError(400, "missing_text", f"{where} has no text field")
    text = obj["text"]
    if not isinstance(text, str):
        raise ApiError(400, "invalid_text", f"{where}.text must be a string")
    unknown = sorted(set(obj) - {"text", *OPTION_KEYS})
    if unknown:
        raise _invalid(
            f"{where}: unknown field {unknown[0]!r}; known: text, {', '.join(OPTION_KEYS)}"
        )
    return Document(text, options_from_json(obj, where))


def options_from_json(obj: Mapping[str, object], where: str) -> Options:
    include = obj.get("include")
    include = [] if include is None else include
    if not isinstance(include, list) or not all(isinstance(x, str) for x in include):
        raise _invalid(f"{where}.include must be a list of {' and '.join(INCLUDABLE)}")
    lines = obj.get("lines", False)
    if not isinstance(lines, bool):
        raise _invalid(f"{where}.lines must be true or false")
    return Options(
        mode=_mode(obj.get("mode", "balanced"), f"{where}.mode"),
        threshold=_threshold(obj.get("threshold"), f"{where}.threshold"),
        include=_include(include, f"{where}.include"),
        lines=lines,
        url=_short_string(obj.get("url"), f"{where}.url", MAX_URL),
        lang=_short_string(obj.get("lang"), f"{where}.lang", MAX_LANG),
    )


def options_from_query(args: Mapping[str, str]) -> Options:
    unknown = sorted(set(args) - set(OPTION_KEYS))
    if unknown:
        raise _invalid(f"unknown query parameter {unknown[0]!r}; known: {', '.join(OPTION_KEYS)}")
    for key in set(args) - {"include"}:
        if len(args.getlist(key)) > 1:
            raise _invalid(f"query parameter {key!r} is given more than once")
    include = [part for value in args.getlist("include") for part in value.split(",") if part]
    return Options(
        mode=_mode(args.get("mode", "balanced"), "mode"),
        threshold=_query_threshold(args.get("threshold")),
        include=_include(include, "include"),
        lines=_query_bool(args.get("lines", "false"), "lines"),
        url=_short_string(args.get("url"), "url", MAX_URL),
        lang=_short_string(args.get("lang"), "lang", MAX_LANG),
    )


def count_lines(text: str) -> int:
    """Lines as `split_lines` counts them (\\n, \\r\\n or \\r end one), without splitting."""
    if not text:
        return 0
    breaks = text.count("\n") + text.count("\r") - text.count("\r\n")
    return breaks + (0 if text[-1] in "\r\n" else 1)


def check_lines(docs: list[Document], limits: Limits) -> None:
    """Bound the work of one request: cleaning time grows with its lines."""
    total = sum(count_lines(doc.text) for doc in docs)
    if total > limits.max_lines:
        raise ApiError(
            413,
            "too_many_lines",
            f"{total} lines; one request takes at most {limits.max_lines} (WINNOW_MAX_LINES)",
        )


def _mode(value: object, where: str) -> str:
    if not isinstance(value, str) or value not in MODES:
        raise _invalid(f"{where} must be one of {', '.join(MODES)}, got {value!r}")
    return value


def _threshold(value: object, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _invalid(f"{where} must be a number in [0, 1], got {value!r}")
    if not (math.isfinite(value) and 0.0 <= value <= 1.0):
        raise _invalid(f"{where} must be in [0, 1], got {value!r}")
    return float(value)


def _query_threshold(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        raise _invalid(f"threshold must be a number in [0, 1], got {value!r}") from None
    return _threshold(number, "threshold")


def _include(values: list[str], where: str) -> tuple[str, ...]:
    bad = [v for v in values if v not in INCLUDABLE]
    if bad:
        raise _invalid(f"{where} takes {' and '.join(INCLUDABLE)}, got {bad[0]!r}")
    return tuple(v for v in INCLUDABLE if v in values)


def _query_bool(value: str, key: str) -> bool:
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise _invalid(f"{key} must be true or false, got {value!r}")


def _short_string(value: object, where: str, limit: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise _invalid(f"{where} must be a string of at most {limit} characters")
    return value


def _require_utf8(request: Request) -> None:
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in _UTF8:
        raise _unsupported(request, f"UTF-8 (charset={charset} is not supported)")


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise _bad_utf8(err) from None


def _bad_utf8(err: UnicodeDecodeError) -> ApiError:
    return ApiError(400, "invalid_utf8", f"the body is not UTF-8: {err.reason} at byte {err.start}")


def _unsupported(request: Request, expected: str) -> ApiError:
    got = request.content_type or "no Content-Type"
    return ApiError(415, "unsupported_media_type", f"send {expected}; got {got}")


def _invalid(message: str) -> ApiError:
    return ApiError(422, "invalid_option", message)
