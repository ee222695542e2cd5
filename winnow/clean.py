"""`clean(text) -> Article`: the whole pipeline, read top to bottom."""

from __future__ import annotations

from winnow.article import Article, assemble
from winnow.errors import InvalidInput
from winnow.lines import split_lines
from winnow.model import MODES, PagePrediction, WinnowModel, default_model
from winnow.page import page_text


def resolve_threshold(model: WinnowModel, mode: str, threshold: float | None) -> float:
    """One knob: a mode names a threshold chosen at training time; `threshold` overrides it."""
    if threshold is not None:
        if isinstance(threshold, bool) or not isinstance(threshold, int | float):
            raise InvalidInput(f"threshold must be a number in [0, 1], got {threshold!r}")
        if not 0.0 <= threshold <= 1.0:
            raise InvalidInput(f"threshold must be in [0, 1], got {threshold}")
        return float(threshold)
    if mode not in MODES:
        raise InvalidInput(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    return model.threshold(mode)


def clean(
    text: str,
    *,
    model: WinnowModel | None = None,
    mode: str = "balanced",
    threshold: float | None = None,
) -> Article:
    """The article in raw page text: title, body paragraphs, captions, meta, per-line labels.

    `mode` is "precision", "balanced" or "recall" (thresholds picked when the model was
    trained); `threshold` in [0, 1] overrides it. The default model loads once per process.
    """
    if not isinstance(text, str):
        raise InvalidInput(f"text must be str, got {type(text).__name__}")
    model = model or default_model()
    cut = resolve_threshold(model, mode, threshold)
    return analyse(split_lines(text), model, cut)[1]


def analyse(
    lines: list[str], model: WinnowModel, threshold: float
) -> tuple[PagePrediction, Article]:
    """The model's per-line prediction and the article, for lines already split (the labelling
    tool shows both; `clean` keeps the article)."""
    prediction = model.predict_page(page_text(lines), threshold=threshold)
    return prediction, assemble(lines, prediction, threshold, model.relative_cut)
