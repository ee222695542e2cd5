"""Every line of a raw page with the current model's label, its p_content and why it is unsure.

The pipeline is `winnow.clean`'s (`winnow.clean.analyse`), so the labels shown are exactly
what `clean()` returns; its per-line prediction gives the kind and title probabilities that
say which boilerplate labels are guesses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from winnow.clean import analyse, resolve_threshold
from winnow.lines import split_lines
from winnow.model import KIND_LABELS, WinnowModel
from winnow.page import page_text

# A line is worth a look when its p_content sits this close to the threshold (kept or dropped
# is a coin flip), when the model's best boilerplate kind has less than KIND_UNSURE of the
# probability, or when the chosen title had less than TITLE_UNSURE. A body line whose kind
# model is at least KIND_HINT sure of a kind gets that kind as a hint: on data/labels and
# ko-hand such lines were that kind (a caption, a byline, a related link) 72% of the time.
UNSURE_MARGIN = 0.2
KIND_UNSURE = 0.4
TITLE_UNSURE = 0.5
KIND_HINT = 0.9
# Without a model every line starts as X ("other boilerplate"): the person labels from scratch.
FALLBACK_LABEL = "X"


@dataclass(frozen=True)
class Row:
    """One raw line as the page shows it. `label` is "" on lines without a visible character
    (filled in when the page is saved), unless an opened file gave them one."""

    text: str
    label: str
    p: float | None = None  # p_content; None on blank lines or without a model
    unsure: str | None = None  # "content" | "title" | "kind" | None
    blank: bool = False  # no visible character: not labelled by hand
    hint: str | None = None  # the kind the model also sees in a body line

    def to_dict(self) -> dict:
        out = {"text": self.text, "label": self.label, "blank": self.blank}
        out["p"] = None if self.p is None else round(self.p, 3)
        out["unsure"] = self.unsure
        out["hint"] = self.hint
        return out


@dataclass(frozen=True)
class Prelabel:
    rows: list[Row]
    threshold: float | None


def prelabel(text: str, model: WinnowModel | None, mode: str = "balanced") -> Prelabel:
    """The page's rows, pre-labelled by `model` (every visible line X when `model` is None)."""
    return prelabel_lines(split_lines(text), model, mode)


def prelabel_lines(lines: list[str], model: WinnowModel | None, mode: str) -> Prelabel:
    """As `prelabel`, for lines already split (a labelled page's own lines)."""
    lines = list(lines)
    page = page_text(lines)
    if model is None:
        visible = set(page.nonblank.tolist())
        rows = [_blank_or(line, i in visible, FALLBACK_LABEL) for i, line in enumerate(lines)]
        return Prelabel(rows, None)
    cut = resolve_threshold(model, mode, None)
    prediction, article = analyse(lines, model, cut)
    rows = [_blank_or(line, False, "") for line in lines]
    for result, kinds in zip(article.lines, prediction.kind_probs, strict=True):
        unsure, hint = _judge(result, kinds, cut, prediction.title_prob)
        rows[result.number - 1] = Row(
            result.text, result.label, result.p_content, unsure, hint=hint
        )
    return Prelabel(rows, cut)


def _blank_or(line: str, visible: bool, label: str) -> Row:
    return Row(text=line, label=label) if visible else Row(text=line, label="", blank=True)


def _judge(
    result, kinds: np.ndarray, cut: float, title_prob: float
) -> tuple[str | None, str | None]:
    """(why the line is unsure or None, the kind a body line may rather be or None)."""
    hint = None
    best = KIND_LABELS[int(np.argmax(kinds))]
    if result.label == "B" and best != "B" and kinds.max() >= KIND_HINT:
        hint = best
    if abs(result.p_content - cut) < UNSURE_MARGIN:
        return "content", hint
    if result.label == "T" and title_prob < TITLE_UNSURE:
        return "title", hint
    if (result.label not in ("T", "B") and kinds.max() < KIND_UNSURE) or hint:
        return "kind", hint
    return None, hint


def fill_labels(lines: list[str], labels: list[str]) -> list[str]:
    """Labels with "" kept for empty lines and filled in for whitespace-only ones: those need a
    label in the file, and take the nearest visible line's above (else below, else X), as a
    lone line in a block takes the block's label (GUIDELINE.md). Done at saving time, so the
    neighbours' final labels count."""
    out = list(labels)
    previous = [""] * len(out)
    last = ""
    for i, label in enumerate(out):
        previous[i] = last
        if label:
            last = label
    following = ""
    for i in reversed(range(len(out))):
        if out[i]:
            following = out[i]
        elif lines[i] != "":
            out[i] = previous[i] or following or FALLBACK_LABEL
    return out
