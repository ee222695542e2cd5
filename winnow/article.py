"""From per-line probabilities to the article: title, body paragraphs, captions, meta.

Only selects lines: every string in an `Article` is a line of the input (or lines of it joined
by `\\n`), in page order, so winnow never invents or reorders text.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import repeat
from typing import NamedTuple

import numpy as np

from winnow.features import quantile
from winnow.model import KIND_LABELS, PagePrediction

# Captions and meta belong to the article when they sit this close to its title or body
# (counted in non-blank lines): bylines and copyright lines follow the last paragraph.
SPAN_BEFORE, SPAN_AFTER = 3, 6


class LineResult(NamedTuple):
    """One non-blank input line: a tuple, because a page makes hundreds of them."""

    number: int  # 1-based, in the input's lines
    text: str
    label: str  # T B C M N L A S X
    p_content: float


@dataclass(frozen=True)
class Article:
    title: str | None
    paragraphs: tuple[str, ...]
    captions: tuple[str, ...]
    meta: tuple[str, ...]
    lines: tuple[LineResult, ...]  # every non-blank input line
    confidence: float  # 0.5 (coin flips) … 1 (every decision certain)
    threshold: float

    @property
    def text(self) -> str:
        """The body: paragraphs joined by blank lines (the title apart, as benchmark golds)."""
        return "\n\n".join(self.paragraphs)

    def to_dict(self, *, include: tuple[str, ...] = (), lines: bool = False) -> dict:
        out: dict = {"title": self.title, "text": self.text, "paragraphs": list(self.paragraphs)}
        if "captions" in include:
            out["captions"] = list(self.captions)
        if "meta" in include:
            out["meta"] = list(self.meta)
        out["confidence"] = round(self.confidence, 4)
        out["threshold"] = round(self.threshold, 4)
        if lines:
            out["lines"] = [
                {"line": r.number, "text": r.text, "label": r.label, "p": round(r.p_content, 4)}
                for r in self.lines
            ]
        return out


def _paragraphs(rows: np.ndarray, keep: np.ndarray, lines: list[str]) -> tuple[str, ...]:
    """Runs of kept lines that are adjacent in the input become one paragraph."""
    kept = rows[keep].tolist()
    paragraphs, run, previous = [], [], -2
    for i in kept:
        if i != previous + 1 and run:
            paragraphs.append("\n".join(run))
            run = []
        run.append(lines[i])
        previous = i
    if run:
        paragraphs.append("\n".join(run))
    return tuple(paragraphs)


_KINDS = np.array(KIND_LABELS, dtype=object)
_CAPTION_OR_META = np.isin(_KINDS, ["C", "M"])
_BOILERPLATE = _KINDS != "B"


def keep_mask(p: np.ndarray, threshold: float, relative_cut: float = 0.0) -> np.ndarray:
    """Above the threshold, and not far below the page's own best lines: on a page whose body
    scores 0.9, a teaser at 0.5 is more likely a teaser than on a page where all is 0.5."""
    keep = p >= threshold
    if relative_cut > 0 and keep.any():
        keep &= p >= relative_cut * quantile(p[keep], 0.9)
    return keep


def line_labels(pred: PagePrediction, threshold: float, relative_cut: float = 0.0):
    """(label per row, kept as body?): content above the cut is body unless the kind model
    calls it a caption or meta line; a dropped line takes its likeliest non-body kind."""
    kinds = pred.kind_probs
    best = np.argmax(kinds, axis=1)
    keep = keep_mask(pred.p_content, threshold, relative_cut) & ~_CAPTION_OR_META[best]
    other = np.argmax(np.where(_BOILERPLATE, kinds, -1.0), axis=1)
    labels = _KINDS[other]
    labels[keep] = "B"
    return labels, keep


def assemble(
    lines: list[str], pred: PagePrediction, threshold: float, relative_cut: float = 0.0
) -> Article:
    rows, p = pred.rows, pred.p_content
    title_row = pred.title_row
    labels, keep = line_labels(pred, threshold, relative_cut)
    # The title opens the article (one picked below body text is not one), and a caption or
    # byline near the body start is no headline.
    if title_row is not None and (
        keep[:title_row].any() or _CAPTION_OR_META[np.argmax(pred.kind_probs[title_row])]
    ):
        title_row = None
    if title_row is not None:
        keep[title_row] = False
        labels[title_row] = "T"

    article_rows = np.flatnonzero(keep)
    if title_row is not None:
        article_rows = np.append(article_rows, title_row)
    if len(article_rows):
        lo, hi = article_rows.min() - SPAN_BEFORE, article_rows.max() + SPAN_AFTER
    else:
        lo, hi = 0, -1
    in_span = (np.arange(len(rows)) >= lo) & (np.arange(len(rows)) <= hi)

    def pick(label: str) -> tuple[str, ...]:
        return tuple(lines[i] for i in rows[(labels == label) & in_span].tolist())

    texts = [lines[i] for i in rows.tolist()]
    chars = np.fromiter(map(len, texts), dtype=float, count=len(texts))
    certainty = np.maximum(p, 1 - p)
    confidence = float(certainty @ chars / chars.sum()) if chars.sum() else 1.0
    return Article(
        title=lines[rows[title_row]] if title_row is not None else None,
        paragraphs=_paragraphs(rows, keep, lines),
        captions=pick("C"),
        meta=pick("M"),
        lines=tuple(  # tuple.__new__ builds each LineResult in C (LineResult._make's body)
            map(
                tuple.__new__,
                repeat(LineResult),
                zip((rows + 1).tolist(), texts, labels.tolist(), p.tolist(), strict=True),
            )
        ),
        confidence=confidence,
        threshold=threshold,
    )
