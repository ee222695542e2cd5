"""The Flask application factory: `create_app()` loads the model once, views only read it.

Configuration comes in three layers: the defaults below, then `WINNOW_*` environment variables
(`WINNOW_MAX_BYTES=1048576` sets `MAX_BYTES`), then the `overrides` mapping (tests). gunicorn
calls `winnow.serve.app:create_app()` once per worker process (no preload), so a HUP makes new
workers load the model anew.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask import Flask, current_app
from flask.json.provider import DefaultJSONProvider

from winnow.lines import replace_lone_surrogates
from winnow.model import WinnowModel, load_model

DEFAULTS: dict[str, object] = {
    "MODEL": None,  # a model folder; None: $WINNOW_MODEL, else models/default
    "MAX_BYTES": 5 * 1024 * 1024,  # request body limit (413 above it)
    "MAX_LINES": 200_000,  # lines one request may carry, all documents of a batch together
    "MAX_BATCH": 64,  # documents in one POST /clean/batch
}


@dataclass(frozen=True)
class Limits:
    """What one request may carry: read by the payload parser."""

    max_lines: int
    max_batch: int


@dataclass(frozen=True)
class Service:
    """What the views read: the model (loaded once) and the limits."""

    model: WinnowModel
    limits: Limits


class JSONProvider(DefaultJSONProvider):
    """UTF-8 JSON in the order fields are built; never fails on a lone surrogate."""

    ensure_ascii = False
    sort_keys = False

    def dumps(self, obj, **kwargs) -> str:
        return replace_lone_surrogates(super().dumps(obj, **kwargs))


def create_app(overrides: Mapping[str, object] | None = None) -> Flask:
    from winnow.serve import api, errors, metrics, ops

    app = Flask(__name__)
    app.json = JSONProvider(app)
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("WINNOW")
    app.config.update(overrides or {})
    app.config["MAX_CONTENT_LENGTH"] = _positive_int(app.config, "MAX_BYTES")
    limits = Limits(_positive_int(app.config, "MAX_LINES"), _positive_int(app.config, "MAX_BATCH"))

    model = load_model(app.config["MODEL"])  # verifies the sha256 before unpickling
    app.extensions["winnow"] = Service(model=model, limits=limits)

    errors.register(app)
    metrics.register(app, model)
    app.register_blueprint(api.bp)
    app.register_blueprint(ops.bp)
    return app


def service() -> Service:
    """The current app's model and limits (set once by `create_app`)."""
    return current_app.extensions["winnow"]


def _positive_int(config: Mapping[str, object], key: str) -> int:
    value = config[key]
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"WINNOW_{key} must be a positive integer, got {value!r}")
    return value
