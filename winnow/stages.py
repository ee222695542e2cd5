"""The model's input matrices, built the same way for training and for serving.

Stage 1 sees each line with its neighbours' features and the lexical scores. Stage 2 sees the
stage-1 probabilities around the line (jusText's "what are my neighbours?" question, learned
instead of hand-tuned) and where the line sits relative to the page's densest run of likely
content. The title stage scores the lines around where the body starts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from winnow.features import (
    BASE_FEATURES,
    NEIGHBOUR_COLUMNS,
    NEIGHBOUR_OFFSETS,
    neighbour_names,
    shifted,
)
from winnow.page import PageText

LEXICAL_HEADS = ("content", "C", "M", "N", "L", "A", "S", "X")
_BASE_INDEX = {name: i for i, name in enumerate(BASE_FEATURES)}
_NEIGHBOUR_INDEX = [_BASE_INDEX[c] for c in NEIGHBOUR_COLUMNS]

STAGE1_FEATURES = [
    *BASE_FEATURES,
    *[f"lex_{h}" for h in LEXICAL_HEADS],
    *neighbour_names([*NEIGHBOUR_COLUMNS, "lex_content"]),
]


def stage1_matrix(base: np.ndarray, lex: np.ndarray) -> np.ndarray:
    """Base features, lexical scores, and both for the lines around."""
    around = np.concatenate([base[:, _NEIGHBOUR_INDEX], lex[:, :1]], axis=1)
    return np.concatenate([base, lex, shifted(around)], axis=1)


def _window_mean(x: np.ndarray, radius: int) -> np.ndarray:
    cum = np.concatenate([[0.0], np.cumsum(x, dtype=np.float64)])
    n = len(x)
    idx = np.arange(n)
    lo, hi = np.clip(idx - radius, 0, n), np.clip(idx + radius + 1, 0, n)
    return (cum[hi] - cum[lo]) / np.maximum(hi - lo, 1)


def _distance_to(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lines to the nearest True before and after each line (n+1 when there is none)."""
    n = len(mask)
    idx = np.arange(n)
    last = np.maximum.accumulate(np.where(mask, idx, -1))
    before = np.concatenate([[-1], last[:-1]])
    nxt = np.minimum.accumulate(np.where(mask, idx, n)[::-1])[::-1]
    after = np.concatenate([nxt[1:], [n]])
    return np.where(before >= 0, idx - before, n + 1), np.where(after < n, after - idx, n + 1)


def _run_lengths(mask: np.ndarray) -> np.ndarray:
    """For each True, the length of its run of Trues; 0 elsewhere."""
    if not len(mask):
        return np.zeros(0)
    run_id = np.cumsum(np.concatenate([[True], mask[1:] != mask[:-1]]))
    return np.bincount(run_id)[run_id] * mask


CONTEXT_OWN = [
    "log_len",
    "ends_sentence",
    "sentence_like",
    "starts_bullet",
    "n_separators",
    "frac_punct",
    "dup_count",
    "gap_before",
    "gap_after",
    "pos",
    "len_rank",
    "n_copyright",
    "n_byline",
    "n_date",
]
_OWN_INDEX = [_BASE_INDEX[c] for c in CONTEXT_OWN]
CONTEXT_OFFSETS = (-5, -3, -2, -1, 1, 2, 3, 5)
SEGMENT_CUTS = (0.3, 0.5, 0.7)
STAGE2_FEATURES = [
    "p1",
    *[f"p1@{o:+d}" for o in CONTEXT_OFFSETS],
    *[f"p1_mean_{r}" for r in (2, 5, 10, 25)],
    "p1_max_3",
    "p1_before_max",
    "p1_after_max",
    "dist_content_before",
    "dist_content_after",
    "content_run",
    "page_p1_mean",
    "page_p1_frac",
    "main2_dist",
    "in_main2",
    "before_main2",
    "after_main2",
    *[f"seg{int(c * 10)}_{k}" for c in SEGMENT_CUTS for k in ("in", "dist")],
    "p1_rank",
    "p1_rel_max",
    "lex_content",
    *CONTEXT_OWN,
]


def stage2_matrix(p1: np.ndarray, base: np.ndarray, lex: np.ndarray) -> np.ndarray:
    """Context features from the stage-1 probabilities of a page's lines."""
    n = len(p1)
    cols: list[np.ndarray] = [p1]
    cols.append(shifted(p1[:, None], CONTEXT_OFFSETS))
    smooth = _window_mean(p1, 2)
    for radius in (2, 5, 10, 25):
        cols.append(_window_mean(p1, radius)[:, None])
    high = p1 > 0.5
    around = shifted(p1[:, None], (-3, -2, -1, 1, 2, 3))
    window_max = np.where(np.isnan(around), 0.0, around).max(axis=1, initial=0.0)
    before_max = np.concatenate([[0.0], np.maximum.accumulate(smooth)[:-1]]) if n else smooth
    after_max = (
        np.concatenate([np.maximum.accumulate(smooth[::-1])[::-1][1:], [0.0]]) if n else smooth
    )
    d_before, d_after = _distance_to(high)
    mass = _window_mean(p1 * base[:, _BASE_INDEX["log_len"]], 5)
    center = int(np.argmax(mass)) if n else 0
    main = _window_mean(p1, 5) >= 0.3
    lo, hi = _run_bounds(main, center)
    idx = np.arange(n)
    cols.extend(
        c[:, None]
        for c in (
            window_max,
            before_max,
            after_max,
            np.log1p(d_before),
            np.log1p(d_after),
            np.log1p(_run_lengths(high)),
            np.full(n, p1.mean() if n else 0.0),
            np.full(n, high.mean() if n else 0.0),
            (idx - center) / max(n, 1),
            (idx >= lo) & (idx <= hi),
            idx < lo,
            idx > hi,
        )
    )
    weight = base[:, _BASE_INDEX["log_len"]]
    for cut in SEGMENT_CUTS:
        inside, dist = _segment_features(p1, weight, cut)
        cols.extend([inside[:, None], dist[:, None]])
    rank = np.empty(n)
    rank[np.argsort(p1, kind="stable")] = idx / max(n - 1, 1)
    cols.extend([rank[:, None], (p1 / max(p1.max(initial=0.0), 1e-6))[:, None], lex[:, :1]])
    cols.append(base[:, _OWN_INDEX])
    return np.concatenate([c.reshape(n, -1) for c in cols], axis=1).astype(np.float32)


def best_segment(gain: np.ndarray) -> tuple[int, int]:
    """First and last row of the contiguous run with the largest total gain (maximum subarray)."""
    if not len(gain):
        return 0, -1
    cum = np.concatenate([[0.0], np.cumsum(gain)])
    low = np.minimum.accumulate(cum)
    start_of = np.maximum.accumulate(np.where(cum == low, np.arange(len(cum)), 0))
    end = int(np.argmax(cum - low))
    return int(start_of[end]), end - 1


def _segment_features(
    p: np.ndarray, weight: np.ndarray, cut: float
) -> tuple[np.ndarray, np.ndarray]:
    """Inside the page's best content segment at this cut, and signed distance to it."""
    lo, hi = best_segment(weight * (p - cut))
    idx = np.arange(len(p))
    inside = (idx >= lo) & (idx <= hi)
    dist = np.where(idx < lo, idx - lo, np.where(idx > hi, idx - hi, 0))
    return inside, np.sign(dist) * np.log1p(np.abs(dist))


def _run_bounds(mask: np.ndarray, center: int) -> tuple[int, int]:
    if not len(mask) or not mask[center]:
        return center, center - 1  # an empty run
    breaks = np.flatnonzero(~mask)
    lo, hi = breaks[breaks < center], breaks[breaks > center]
    return (int(lo[-1]) + 1 if len(lo) else 0), (int(hi[0]) - 1 if len(hi) else len(mask) - 1)


# ---- title -------------------------------------------------------------------------------
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
]
_TITLE_OWN_INDEX = [_BASE_INDEX[c] for c in TITLE_OWN]
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
    mass = _window_mean(high.astype(float), 5)
    center = int(np.argmax(mass))
    lo, _ = _run_bounds(mass > 0.15, center)
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
    log_len = base[cand, _BASE_INDEX["log_len"]]
    rank = np.argsort(np.argsort(-log_len, kind="stable"), kind="stable") / max(len(cand) - 1, 1)
    offset = cand - start
    lo, hi = np.minimum(cand, start), np.maximum(cand, start)
    between = (cand[None, :] > lo[:, None]) & (cand[None, :] < hi[:, None])
    longer = (between & (log_len[None, :] >= log_len[:, None])).sum(axis=1).astype(float)
    padded = np.concatenate([[np.nan], p2, [np.nan, np.nan]])
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
    own = base[np.ix_(cand, _TITLE_OWN_INDEX)]
    return np.concatenate([np.column_stack(cols), own], axis=1).astype(np.float32)


assert len(STAGE1_FEATURES) == len(BASE_FEATURES) + len(LEXICAL_HEADS) + len(NEIGHBOUR_OFFSETS) * (
    len(NEIGHBOUR_COLUMNS) + 1
)
