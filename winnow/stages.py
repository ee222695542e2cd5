"""The model's input matrices, built the same way for training and for serving.

Stage 1 sees each line with its neighbours' features and the lexical scores. A page-type model
reads a profile of the whole page (how much of it is prose, lists, numbers; how sure stage 1
is), because what counts as content differs on a product page. Stage 2 sees everything stage 1
saw plus the stage-1 probabilities around the line (jusText's "what are my neighbours?"
question, learned instead of hand-tuned), the page's best contiguous run of likely content at
three cuts, and the page type. The title stage is in `winnow.title`.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from winnow.features import (
    BASE_FEATURES,
    NEIGHBOUR_COLUMNS,
    NEIGHBOUR_OFFSETS,
    neighbour_names,
    quantile,
    shifted,
    window_sum,
)

LEXICAL_HEADS = ("content", "C", "M", "N", "L", "A", "S", "X")
BASE_INDEX = {name: i for i, name in enumerate(BASE_FEATURES)}  # column of each base feature
_NEIGHBOUR_INDEX = [BASE_INDEX[c] for c in NEIGHBOUR_COLUMNS]

STAGE1_FEATURES = [
    *BASE_FEATURES,
    *[f"lex_{h}" for h in LEXICAL_HEADS],
    *neighbour_names([*NEIGHBOUR_COLUMNS, "lex_content"]),
]


def stage1_matrix(base: np.ndarray, lex: np.ndarray) -> np.ndarray:
    """Base features, lexical scores, and both for the lines around."""
    around = np.concatenate([base[:, _NEIGHBOUR_INDEX], lex[:, :1]], axis=1)
    return np.concatenate([base, lex, shifted(around)], axis=1)


@njit(cache=True)
def window_mean(x, radius):  # pragma: no cover - compiled
    """Means of x over rows i-radius..i+radius, clipped at the page's ends."""
    n = len(x)
    out = window_sum(x, radius)
    for i in range(n):
        out[i] /= max(min(i + radius + 1, n) - max(i - radius, 0), 1)
    return out


PAGE_TYPES = ("article", "forum", "product", "listing", "documentation", "service")
PROFILE_FEATURES = [
    "log_lines",
    "sentence_frac",
    "bullet_frac",
    "hangul",
    "han",
    "latin",
    "p1_q50",
    "p1_q75",
    "p1_q90",
    "p1_frac_high",
    "p1_char_share",
    "lex_mean",
    "numbers_frac",
    "dated_frac",
    "headline_frac",
    "short_frac",
    "segment_share",
    "high_len_mean",
]
_P = {
    name: BASE_INDEX[name]
    for name in (
        "page_log_lines",
        "page_sentence_frac",
        "page_bullet_frac",
        "page_hangul",
        "page_han",
        "page_latin",
        "log_len",
        "n_numbers",
        "n_date",
        "lead_title_run",
        "n_nonspace",
    )
}


def page_profile(x1: np.ndarray, p1: np.ndarray) -> np.ndarray:
    """One row describing the whole page, for the page-type model: what share of it reads as
    prose, as numbers, as headlines; how confident stage 1 is and where. Not its blank lines:
    many extractors drop them, and a page without them must not turn into another type."""
    if not len(p1):
        return np.zeros((1, len(PROFILE_FEATURES)), dtype=np.float32)
    first = x1[0]
    log_len = x1[:, _P["log_len"]]
    chars = x1[:, _P["n_nonspace"]]
    high = p1 >= 0.5
    lo, hi = best_segment(log_len * (p1 - 0.5))
    row = [
        first[_P["page_log_lines"]],
        first[_P["page_sentence_frac"]],
        first[_P["page_bullet_frac"]],
        first[_P["page_hangul"]],
        first[_P["page_han"]],
        first[_P["page_latin"]],
        *(quantile(p1, q) for q in (0.5, 0.75, 0.9)),
        _share(high),
        chars[high].sum() / max(chars.sum(), 1.0),
        x1[:, len(BASE_FEATURES)].mean(),
        _share(x1[:, _P["n_numbers"]] > 0),
        _share(x1[:, _P["n_date"]] > 0),
        _share(x1[:, _P["lead_title_run"]] >= 4),
        _share(chars < 20),
        max(hi - lo + 1, 0) / len(p1),
        log_len[high].mean() if high.any() else 0.0,
    ]
    return np.array([row], dtype=np.float32)


def _share(mask: np.ndarray) -> float:
    """mask.mean() (the same number) without numpy's float conversion of the whole mask."""
    return np.count_nonzero(mask) / len(mask)


CONTEXT_OFFSETS = (-5, -3, -2, -1, 1, 2, 3, 5)
MEAN_RADII = (2, 5, 10, 25)  # windows of the stage-1 probability means
SEGMENT_CUTS = (0.3, 0.5, 0.7)
STAGE2_FEATURES = [
    "p1",
    *[f"p1@{o:+d}" for o in CONTEXT_OFFSETS],
    *[f"p1_mean_{r}" for r in MEAN_RADII],
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
    "p1_rel_top",
    *[f"type_{t}" for t in PAGE_TYPES],
    *STAGE1_FEATURES,
]


CERTAIN = (0.03, 0.97)  # stage-1 probabilities that stage 2 never overturns (measured on OOF)


def uncertain(p1: np.ndarray) -> np.ndarray:
    """Rows stage 2 re-scores; the others keep p1 (about half of a page's lines)."""
    return (p1 > CERTAIN[0]) & (p1 < CERTAIN[1])


def stage2_matrix(
    p1: np.ndarray, x1: np.ndarray, page_type: np.ndarray, rows: np.ndarray | None = None
) -> np.ndarray:
    """Stage 1's inputs plus context from the stage-1 probabilities of the page's lines and
    the page-type model's probabilities (what counts as content differs on a product page);
    for the lines in `rows` (a mask or indices) only, when given."""
    n = len(p1)
    context = np.empty((n, len(STAGE2_FEATURES) - len(STAGE1_FEATURES)))
    if n:
        _p1_context(p1, x1[:, BASE_INDEX["log_len"]], context)
        # numpy's log1p and mean, so training's matrices are these numbers exactly
        context[:, _LOG_COLUMNS] = np.log1p(context[:, _LOG_COLUMNS])
        dist = context[:, _SIGNED_LOG_COLUMNS]
        context[:, _SIGNED_LOG_COLUMNS] = np.sign(dist) * np.log1p(np.abs(dist))
        context[:, _C["page_p1_mean"]] = p1.mean()
        context[:, _C["type_article"] :] = np.asarray(page_type, dtype=np.float32)
    if rows is not None:
        context, x1 = context[rows], x1[rows]
    return np.concatenate([context.astype(np.float32), x1], axis=1)


_C = {name: i for i, name in enumerate(STAGE2_FEATURES[: -len(STAGE1_FEATURES)])}
_LOG_COLUMNS = [_C[k] for k in ("dist_content_before", "dist_content_after", "content_run")]
_SIGNED_LOG_COLUMNS = [_C[f"seg{int(c * 10)}_dist"] for c in SEGMENT_CUTS]


# Where `_p1_context` writes (compiled code reads module-level integers as constants).
_AROUND, _MEAN, _MEAN_5, _MAX_3 = _C["p1@-5"], _C["p1_mean_2"], _C["p1_mean_5"], _C["p1_max_3"]
_BEFORE_MAX, _AFTER_MAX = _C["p1_before_max"], _C["p1_after_max"]
_DIST_BEFORE, _DIST_AFTER, _RUN = (
    _C["dist_content_before"],
    _C["dist_content_after"],
    _C["content_run"],
)
_FRAC, _MAIN_DIST, _IN_MAIN = _C["page_p1_frac"], _C["main2_dist"], _C["in_main2"]
_BEFORE_MAIN, _AFTER_MAIN, _SEGMENTS = _C["before_main2"], _C["after_main2"], _C["seg3_in"]
_RANK, _REL_MAX, _REL_TOP = _C["p1_rank"], _C["p1_rel_max"], _C["p1_rel_top"]


@njit(cache=True, nogil=True)
def _p1_context(p1, log_len, out):  # pragma: no cover - compiled
    """Fill `out` (rows × context columns of STAGE2_FEATURES) from the stage-1 probabilities:
    p1 at the offsets around, window means, the best smoothed p1 before and after, lines to
    the nearest likely line (p1 > 0.5) and its run, the page's main run of likely lines
    around its densest point, the best content segment at three cuts and p1's rank.
    Distances come out raw; `stage2_matrix` takes their log and fills the page-level mean
    and the page type."""
    n = len(p1)
    out[:] = np.nan
    out[:, 0] = p1
    for k, off in enumerate(CONTEXT_OFFSETS):
        for i in range(max(0, -off), min(n, n - off)):
            out[i, _AROUND + k] = p1[i + off]
    for k, r in enumerate(MEAN_RADII):
        out[:, _MEAN + k] = window_mean(p1, r)
    for i in range(n):  # p1_max_3: the neighbours within 3 lines, at least 0
        best = 0.0
        for j in range(max(0, i - 3), min(n, i + 4)):
            if j != i:
                best = max(best, p1[j])
        out[i, _MAX_3] = best
    _max_before_after(out[:, _MEAN], out[:, _BEFORE_MAX], out[:, _AFTER_MAX])
    _content_distances(p1 > 0.5, out[:, _DIST_BEFORE], out[:, _DIST_AFTER], out[:, _RUN])
    out[:, _FRAC] = (p1 > 0.5).sum() / n
    center = np.argmax(window_mean(p1 * log_len, 5))
    lo, hi = run_bounds(out[:, _MEAN_5] >= 0.3, center)
    for i in range(n):
        out[i, _MAIN_DIST] = (i - center) / n
        out[i, _IN_MAIN] = lo <= i <= hi
        out[i, _BEFORE_MAIN] = i < lo
        out[i, _AFTER_MAIN] = i > hi
    for k, cut in enumerate(SEGMENT_CUTS):
        lo, hi = best_segment(log_len * (p1 - cut))
        for i in range(n):
            out[i, _SEGMENTS + 2 * k] = lo <= i <= hi
            out[i, _SEGMENTS + 2 * k + 1] = i - lo if i < lo else (i - hi if i > hi else 0)
    order = np.argsort(p1, kind="mergesort")
    for k in range(n):
        out[order[k], _RANK] = k / max(n - 1, 1)
    out[:, _REL_MAX] = p1 / max(p1.max(), 1e-6)
    likely = p1[p1 >= 0.3]
    out[:, _REL_TOP] = p1 / (quantile(likely, 0.9) if len(likely) else 1.0)


@njit(cache=True)
def _max_before_after(x, before, after):  # pragma: no cover - compiled
    """The largest x strictly before and strictly after each row (0 at the page's ends)."""
    n = len(x)
    before[0] = 0.0
    for i in range(1, n):
        before[i] = max(before[i - 1], x[i - 1]) if i > 1 else x[0]
    after[n - 1] = 0.0
    for i in range(n - 2, -1, -1):
        after[i] = max(after[i + 1], x[i + 1]) if i < n - 2 else x[n - 1]


@njit(cache=True)
def _content_distances(high, before, after, run):  # pragma: no cover - compiled
    """Lines to the nearest likely line before and after (n+1 when none), and the length of
    the run of likely lines each likely line sits in (0 elsewhere)."""
    n = len(high)
    last = -1
    for i in range(n):
        before[i] = i - last if last >= 0 else n + 1
        last = i if high[i] else last
    nxt = n
    for i in range(n - 1, -1, -1):
        after[i] = nxt - i if nxt < n else n + 1
        nxt = i if high[i] else nxt
    i = 0
    while i < n:
        j = i
        while j < n and high[j] == high[i]:
            j += 1
        run[i:j] = (j - i) if high[i] else 0
        i = j


@njit(cache=True)
def run_bounds(mask, center):  # pragma: no cover - compiled
    """First and last index of the run of True holding `center`; (center, center - 1) when
    `center` is False."""
    if not mask[center]:
        return center, center - 1
    lo, hi = center, center
    while lo > 0 and mask[lo - 1]:
        lo -= 1
    while hi < len(mask) - 1 and mask[hi + 1]:
        hi += 1
    return lo, hi


@njit(cache=True)
def best_segment(gain):  # pragma: no cover - compiled
    """First and last row of the contiguous run with the largest total gain (maximum
    subarray; the latest start among equal minima of the prefix sum, the first best end)."""
    cum = 0.0
    low = 0.0
    start = 0
    best, best_start, best_end = -np.inf, 0, 0
    for k in range(len(gain) + 1):
        if k:
            cum += gain[k - 1]
        if cum <= low:
            low = cum
            start = k
        if cum - low > best:
            best, best_start, best_end = cum - low, start, k
    return best_start, best_end - 1


assert len(STAGE1_FEATURES) == len(BASE_FEATURES) + len(LEXICAL_HEADS) + len(NEIGHBOUR_OFFSETS) * (
    len(NEIGHBOUR_COLUMNS) + 1
)
