"""Prometheus metrics: requests by status, latency, pages and lines classified, model served.

gunicorn runs several worker processes; `winnow serve` points PROMETHEUS_MULTIPROC_DIR at a
fresh folder before any worker starts, so each worker writes its values there and `/metrics`
sums them (prometheus_client's multiprocess mode: totals stay right across workers and reloads).
Without that variable (tests, `flask run`) the process's own registry is exposed.
"""

from __future__ import annotations

import os
import time

from flask import Flask, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

from winnow.article import Article
from winnow.model import WinnowModel

REQUESTS = Counter(
    "winnow_http_requests",
    "HTTP requests answered, by route, method and status",
    ["endpoint", "method", "status"],
)
LATENCY = Histogram(
    "winnow_http_request_duration_seconds",
    "Time from request start to response, by route",
    ["endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
PAGES = Counter("winnow_pages_classified", "Pages cleaned (a batch counts each document)")
LINES = Counter("winnow_lines_classified", "Non-blank lines classified")
MODEL = Gauge(
    "winnow_model_info",
    "1 for the model a live worker serves",
    ["name", "version"],
    multiprocess_mode="livemax",
)
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def record_page(article: Article) -> None:
    PAGES.inc()
    LINES.inc(len(article.lines))


def register(app: Flask, model: WinnowModel) -> None:
    MODEL.labels(model.name, model.version).set(1)
    app.before_request(_start_timer)
    app.after_request(_observe)


def exposition() -> tuple[bytes, str]:
    """The text format: summed over all workers when they share a multiprocess folder."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return generate_latest(registry), CONTENT_TYPE_LATEST


def _start_timer() -> None:
    g.winnow_started = time.perf_counter()


def _observe(response):
    endpoint = request.url_rule.rule if request.url_rule else "unmatched"
    method = request.method if request.method in _METHODS else "other"
    REQUESTS.labels(endpoint, method, str(response.status_code)).inc()
    started = g.get("winnow_started")
    if started is not None:
        LATENCY.labels(endpoint).observe(time.perf_counter() - started)
    return response
