"""Operational routes: liveness, readiness, the model card, metrics, the OpenAPI document."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, Response, jsonify

from winnow import __version__
from winnow.serve import metrics
from winnow.serve.app import service

OPENAPI_FILE = Path(__file__).resolve().parent / "openapi.json"

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
def healthz():
    """Alive: the process answers (says nothing about the model)."""
    return jsonify({"status": "ok", "winnow": __version__})


@bp.get("/readyz")
def readyz():
    """Ready: this worker holds a loaded, verified model (a worker only serves once it has one:
    `create_app` loads it before the first request)."""
    model = service().model
    return jsonify(
        {
            "status": "ready",
            "model": {"name": model.name, "version": model.version},
            "compiled_trees": model.compiled,
        }
    )


@bp.get("/version")
def version():
    """The card of the model this worker serves (name, version, corpora, thresholds, cv…)."""
    return jsonify(service().model.card)


@bp.get("/metrics")
def prometheus():
    body, content_type = metrics.exposition()
    return Response(body, content_type=content_type)


@bp.get("/openapi.json")
def openapi():
    return Response(openapi_text(), mimetype="application/json")


@lru_cache(maxsize=1)
def openapi_text() -> str:
    return OPENAPI_FILE.read_text(encoding="utf-8")


def openapi_document() -> dict:
    return json.loads(openapi_text())
