"""From per-line probabilities to the article: title, body paragraphs, captions, meta.

Only selects lines: every string in an `Article` is a line of the input (or lines of it joined
by `\\n`), in page order, so winnow never invents or reorders text.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from winnow.model import KIND_LABELS, PagePrediction

# Captions and meta belong to the article when they sit this close to its title or body
# (counted in non-blank lines): bylines and copyright lines follow the last paragraph.
SPAN_BEFORE, SPAN_AFTER = 3, 6


@dataclass(frozen=True)
class LineResult:
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
    kept = rows[keep]
    if not len(kept):
        return ()
    breaks = np.flatnonzero(np.diff(kept) > 1) + 1
    return tuple("\n".join(lines[i] for i in run) for run in np.split(kept, breaks))


def assemble(lines: list[str], pred: PagePrediction, threshold: float) -> Article:
    rows, p = pred.rows, pred.p_content
    keep = p >= threshold
    title_row = pred.title_row
    if title_row is not None and keep[:title_row].any():
        title_row = None  # the title opens the article: one picked below body text is not one
    if title_row is not None:
        keep[title_row] = False
    labels = np.array(KIND_LABELS, dtype=object)[np.argmax(pred.kind_probs, axis=1)]
    labels[keep] = "B"
    if title_row is not None:
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
        return tuple(lines[i] for i in rows[(labels == label) & in_span])

    chars = np.fromiter((len(lines[i]) for i in rows), dtype=float, count=len(rows))
    certainty = np.maximum(p, 1 - p)
    confidence = float(certainty @ chars / chars.sum()) if chars.sum() else 1.0
    return Article(
        title=lines[rows[title_row]] if title_row is not None else None,
        paragraphs=_paragraphs(rows, keep, lines),
        captions=pick("C"),
        meta=pick("M"),
        lines=tuple(
            LineResult(int(i) + 1, lines[i], str(lab), float(pi))
            for i, lab, pi in zip(rows, labels, p, strict=True)
        ),
        confidence=confidence,
        threshold=threshold,
    )
