"""The title stage: which line, near where the body starts, is the headline.

A title is judged by where it sits (just above the body), what it looks like (a short line
without a final stop, often in Title Case) and what repeats it (the document title on the
first line, breadcrumbs, share text). Only lines around the body start are candidates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from winnow.page import PageText
from winnow.stages import BASE_INDEX, run_bounds, window_mean

TITLE_BEFORE, TITLE_AFTER = 40, 5
TITLE_OWN = [
    "log_len",
    "n_words",
    "ends_sentence",
    "frac_punct",
    "frac_digit",
    "frac_title_words",
    "frac_upper",
    "dup_count",
    "starts_bullet",
    "n_separators",
    "n_date",
    "n_byline",
    "gap_before",
    "gap_after",
    "pos",
    "indent",
    "frac_hangul",
    "frac_han",
    "frac_latin",
    "shingle_repeat",
    "shingle_first_line",
]
_TITLE_OWN_INDEX = [BASE_INDEX[c] for c in TITLE_OWN]
TITLE_FEATURES = [
    "p1",
    "p2",
    "lex_content",
    "offset_to_body",
    "log_abs_offset",
    "in_first_line",
    "equals_first_line",
    "cand_len_rank",
    "longer_between",
    "p2@+1",
    "p2@+2",
    "p2@-1",
    *TITLE_OWN,
]


def body_start(p2: np.ndarray, threshold: float) -> int:
    """Row of the first line of the page's main content run (0 when nothing is content)."""
    high = p2 >= threshold
    if not high.any():
        return 0
    mass = window_mean(high.astype(float), 5)
    center = int(np.argmax(mass))
    lo, _ = run_bounds(mass > 0.15, center)
    first = np.flatnonzero(high[lo:])
    return lo + int(first[0]) if len(first) else center


def title_candidates(n: int, start: int) -> np.ndarray:
    return np.arange(max(0, start - TITLE_BEFORE), min(n, start + TITLE_AFTER + 1))


@dataclass
class LineScores:
    """What the earlier stages know of a page's non-blank lines."""

    base: np.ndarray
    lex: np.ndarray
    p1: np.ndarray
    p2: np.ndarray


def title_matrix(page: PageText, cand: np.ndarray, start: int, s: LineScores) -> np.ndarray:
    """Features of the title candidates `cand` (rows of the page's non-blank lines)."""
    p1, p2, base, lex = s.p1, s.p2, s.base, s.lex
    if not len(cand):
        return np.zeros((0, len(TITLE_FEATURES)), dtype=np.float32)
    first_line = page.lines[page.nonblank[0]].strip()
    texts = [page.lines[page.nonblank[j]].strip() for j in cand]
    in_first = np.array([len(t) >= 8 and t in first_line for t in texts], dtype=float)
    equal_first = np.array([t == first_line for t in texts], dtype=float)
    log_len = base[cand, BASE_INDEX["log_len"]]
    rank = np.argsort(np.argsort(-log_len, kind="stable"), kind="stable") / max(len(cand) - 1, 1)
    offset = cand - start
    lo, hi = np.minimum(cand, start), np.maximum(cand, start)
    between = (cand[None, :] > lo[:, None]) & (cand[None, :] < hi[:, None])
    longer = (between & (log_len[None, :] >= log_len[:, None])).sum(axis=1).astype(float)
    padded = np.full(len(p2) + 3, np.nan)
    padded[1:-2] = p2
    cols = [
        p1[cand],
        p2[cand],
        lex[cand, 0],
        offset,
        np.log1p(np.abs(offset)),
        in_first,
        equal_first,
        rank,
        longer,
        padded[cand + 2],
        padded[cand + 3],
        padded[cand],
    ]
    out = np.empty((len(cand), len(TITLE_FEATURES)), dtype=np.float32)
    for k, col in enumerate(cols):
        out[:, k] = col
    out[:, len(cols) :] = base[cand][:, _TITLE_OWN_INDEX]
    return out
