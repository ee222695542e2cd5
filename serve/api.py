"""`POST /clean` and `POST /clean/batch`: parse, clean with the app's model, answer.

JSON by default; `Accept: text/plain` on /clean gives the title, a blank line and the body (as
`winnow clean` prints them).
"""

from __future__ import annotations

import time

from flask import Blueprint, Response, jsonify, request

from winnow.article import Article
from winnow.clean import clean
from winnow.model import WinnowModel
from winnow.serve import metrics
from winnow.serve.app import service
from winnow.serve.payload import Document, read_batch, read_document

bp = Blueprint("api", __name__)


@bp.post("/clean")
def clean_page():
    started = time.perf_counter()
    svc = service()
    doc = read_document(request, svc.limits)
    article = clean_document(doc, svc.model)
    if request.accept_mimetypes.best_match(("application/json", "text/plain")) == "text/plain":
        response = Response(as_text(article), mimetype="text/plain")
    else:
        body = result(doc, article)
        body["model"] = model_ref(svc.model)
        body["elapsed_ms"] = _elapsed_ms(started)
        response = jsonify(body)
    name = f"{svc.model.name} {svc.model.version}"
    response.headers["X-Winnow-Model"] = name.encode("ascii", "replace").decode()
    return response


@bp.post("/clean/batch")
def clean_batch():
    started = time.perf_counter()
    svc = service()
    docs = read_batch(request, svc.limits)
    results = []
    for doc in docs:
        doc_started = time.perf_counter()
        item = result(doc, clean_document(doc, svc.model))
        item["elapsed_ms"] = _elapsed_ms(doc_started)
        results.append(item)
    body = {"results": results, "model": model_ref(svc.model), "elapsed_ms": _elapsed_ms(started)}
    return jsonify(body)


def clean_document(doc: Document, model: WinnowModel) -> Article:
    opts = doc.options
    article = clean(doc.text, model=model, mode=opts.mode, threshold=opts.threshold)
    metrics.record_page(article)
    return article


def result(doc: Document, article: Article) -> dict:
    """`Article.to_dict` with the options asked for, and the page's url/lang echoed back."""
    opts = doc.options
    body = article.to_dict(include=opts.include, lines=opts.lines)
    for key in ("url", "lang"):
        value = getattr(opts, key)
        if value is not None:
            body[key] = value
    return body


def as_text(article: Article) -> str:
    head = f"{article.title}\n\n" if article.title else ""
    return f"{head}{article.text}\n"


def model_ref(model: WinnowModel) -> dict:
    return {"name": model.name, "version": model.version}


def _elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
