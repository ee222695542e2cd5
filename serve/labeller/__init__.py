"""The labelling tool: a page served on loopback that pre-labels raw text with the current model
and saves corrected labels into the labels folder (`winnow label`).

`create_app` builds it like the service (defaults, then overrides); the model loads once here
and the views only read it. Without a usable model the tool still opens and saves pages, every
line starting as X, and says why at the top of the page.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from winnow.errors import ModelError
from winnow.model import WinnowModel, load_model

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


def create_app(overrides: dict | None = None, *, model: WinnowModel | None = None) -> Flask:
    """`overrides`: LABELS_DIR (default data/labels), MODEL (a model folder; None = default),
    MODE (threshold the unsure marks refer to). `model` skips loading (tests share one)."""
    app = Flask(__name__)
    app.config.from_mapping(
        LABELS_DIR="data/labels",
        MODEL=None,
        MODE="balanced",
        MAX_CONTENT_LENGTH=20_000_000,
    )
    app.json.sort_keys = False  # headers keep their file order
    app.config.update(overrides or {})
    app.config["LABELS_DIR"] = Path(app.config["LABELS_DIR"]).resolve()
    state = {"model": model, "model_error": None}
    if model is None:
        try:
            state["model"] = load_model(app.config["MODEL"])
        except ModelError as err:
            state["model_error"] = str(err)
    app.extensions["labeller"] = state

    from winnow.serve.labeller import views

    app.register_blueprint(views.bp)
    return app
