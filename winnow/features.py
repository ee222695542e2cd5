"""Line features for a whole page at once: the only featurizer (training and serving call it).

Three layers over the page's arrays (see `page.py`), numpy and compiled loops (`scan.py` and the
`@njit` functions here), never a Python loop per line:
1. `line_features`: what a line is on its own — length, words, script mix, punctuation,
   sentence endings (Korean 다/요 endings and CJK stops included), list and bullet marks,
   indentation, brackets, bylines, e-mail/URL/date/copyright patterns, repetition in the page.
2. `page_relative`: where a line sits in its page — position, blank-line structure, its
   length rank and the text density around it, its distance to the page's densest run of long
   sentence-like lines, and whether it lies before that run or after the first footer-like line.
3. `with_neighbours`: the same numbers for the lines around it.
Rows are the page's non-blank lines (`PageText.nonblank`); blank lines are never classified.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from winnow import charclass as cc
from winnow import scan
from winnow.page import PageText, encode

FEATURE_VERSION = 5


# Keyword families, found in the lower-cased page (`scan.count_keywords`); the lists stay short:
# the lexical model learns the rest. A Latin word must follow a non-letter.
KEYWORDS = {
    "url": ("http", "www."),
    "copyright": ("©", "ⓒ", "copyright", "무단", "版权"),
    "byline": ("기자", "by ", "記者", "记者"),
}

LINE_FEATURES = [
    "n_chars",
    "n_nonspace",
    "log_len",
    "n_words",
    "mean_word_len",
    *[f"frac_{k}" for k in cc.PRIMARY_CLASSES if k != "space"],
    "frac_upper",
    "frac_title_words",
    "indent",
    "starts_bullet",
    "starts_number",
    "starts_opener",
    "ends_sentence",
    "ends_ko",
    "ends_colon",
    "ends_digit",
    "ends_punct",
    "n_sentences",
    "n_separators",
    "n_email",
    *[f"n_{k}" for k in KEYWORDS],
    "n_bracketed",
    "n_numbers",
    "n_date",
    "dup_count",
    "dup_first",
    "shingle_repeat",
    "shingle_first_line",
    "title_run",
    "lead_title_run",
    "starts_lower",
]
REGION_SIGNALS = ("short", "dated", "sentence", "bullet", "headline", "repeated", "byline")
REGION_RADII = (5, 15)
PAGE_FEATURES = [
    "pos",
    "pos_from_end",
    "log_index",
    "log_index_from_end",
    "gap_before",
    "gap_after",
    "block_size",
    "pos_in_block",
    "len_rank",
    "len_rel_max",
    "density_2",
    "density_5",
    "density_10",
    "sentence_like",
    "main_dist",
    "main_abs_dist",
    "in_main",
    "before_main",
    "after_main",
    "pos_in_main",
    "after_footer",
    "page_log_lines",
    "page_blank_frac",
    "page_sentence_frac",
    "page_hangul",
    "page_han",
    "page_kana",
    "page_latin",
    "page_median_len",
    "page_bullet_frac",
    "wrap_ratio",
    *[f"around{r}_{name}" for name in REGION_SIGNALS for r in REGION_RADII],
]
BASE_FEATURES = LINE_FEATURES + PAGE_FEATURES
NEIGHBOUR_COLUMNS = [
    "log_len",
    "starts_lower",
    "wrap_ratio",
    "ends_sentence",
    "sentence_like",
    "starts_bullet",
    "frac_punct",
    "frac_digit",
    "n_separators",
    "gap_before",
    "shingle_repeat",
]
NEIGHBOUR_OFFSETS = (-3, -2, -1, 1, 2, 3)


_KEYWORDS = scan.keyword_table(KEYWORDS)
_S = {name: i for i, name in enumerate(scan.SCAN_COLUMNS)}  # columns of scan_lines


@njit(cache=True)
def quantile(x, q):  # pragma: no cover - compiled
    """np.quantile(x, q) (linear interpolation, same rounding) without its ~20 µs of overhead;
    compiled code calls it too."""
    s = np.sort(x)
    at = (len(s) - 1) * q
    lo = int(np.floor(at))
    hi = min(lo + 1, len(s) - 1)
    a, b, t = s[lo], s[hi], at - lo
    return b - (b - a) * (1 - t) if t >= 0.5 else a + (b - a) * t


def _keyword_counts(page: PageText) -> dict[str, np.ndarray]:
    lower = page.text.lower()
    # a few letters lower-case to two code points; there the page is searched as it is
    lower_cp = encode(lower) if len(lower) == len(page.text) else page.cp
    counts = scan.count_keywords(lower_cp, page.flags, page.line_id, page.n_lines, _KEYWORDS)
    out = {f"n_{family}": counts[:, i] for i, family in enumerate(KEYWORDS)}
    out["n_bracketed"] = scan.count_brackets(page.cp, page.line_id, page.n_lines)
    return out


def _shingle_overlap(page: PageText) -> dict[str, np.ndarray]:
    """Per line: share of its 8-character shingles found in other lines, and in the first line.

    A teaser "Headline Sentence…" shares its headline with a list elsewhere; the headline
    shares its words with the document title on the first line; body text shares little.
    Shingles are sampled by hash value, so equal text yields equal samples at any offset.
    """
    if not len(page.nonblank):
        return {
            "shingle_repeat": np.zeros(page.n_lines),
            "shingle_first_line": np.zeros(page.n_lines),
        }
    hashes, lines = scan.sampled_shingles(page.cp, page.flags, page.line_id, page.n_lines)
    repeated, first_hits, per_line = scan.shingle_counts(
        hashes, lines, page.n_lines, page.nonblank[0]
    )
    per_line = np.maximum(per_line, 1)
    return {"shingle_repeat": repeated / per_line, "shingle_first_line": first_hits / per_line}


def line_features(page: PageText) -> dict[str, np.ndarray]:
    """Features of each line on its own, for all lines (blank ones included)."""
    bounds = np.stack([page.starts, page.ends])
    classes, counts, keys = scan.scan_lines(page.cp, page.flags, cc.PRIMARY, bounds)
    n_chars = page.ends - page.starts
    n_nonspace = n_chars - classes[:, 0]
    has = n_nonspace > 0
    two = n_nonspace >= 2
    f_first, f_last, f_prev = (counts[:, _S[k]] for k in ("f_first", "f_last", "f_prev"))
    n_words = counts[:, _S["words"]]
    ends_ko = has & (
        ((f_last & cc.KO_ENDING) != 0)
        | (two & ((f_last & cc.SENT_END) != 0) & ((f_prev & cc.KO_ENDING) != 0))
    )
    ends_sentence = has & (
        ((f_last & cc.SENT_END) != 0)
        | (two & ((f_last & cc.CLOSER) != 0) & ((f_prev & cc.SENT_END) != 0))
        | ends_ko
    )
    dup_count, dup_first = scan.line_repeats(keys, has)
    denom = np.maximum(n_nonspace, 1)
    feats = {
        "n_chars": n_chars,
        "n_nonspace": n_nonspace,
        "log_len": np.log1p(n_nonspace),
        "n_words": n_words,
        "mean_word_len": n_nonspace / np.maximum(n_words, 1),
        **{f"frac_{k}": classes[:, i] / denom for i, k in enumerate(cc.PRIMARY_CLASSES) if i},
        "frac_upper": counts[:, _S["upper"]] / denom,
        "frac_title_words": counts[:, _S["title_words"]] / np.maximum(n_words, 1),
        "indent": counts[:, _S["indent"]],
        "starts_bullet": has & ((f_first & cc.BULLET) != 0),
        "starts_number": has & ((f_first & cc.DIGIT) != 0),
        "starts_opener": has & ((f_first & cc.OPENER) != 0),
        "ends_sentence": ends_sentence,
        "ends_ko": ends_ko,
        "ends_colon": has & (counts[:, _S["last_cp"]] == ord(":")),
        "ends_digit": has & ((f_last & cc.DIGIT) != 0),
        "ends_punct": has & ((f_last & cc.PUNCT) != 0),
        "n_sentences": counts[:, _S["sentences"]],
        "n_separators": counts[:, _S["separators"]],
        **_keyword_counts(page),
        "n_numbers": counts[:, _S["numbers"]],
        "n_date": counts[:, _S["dates"]],
        "n_email": counts[:, _S["emails"]],
        "dup_count": dup_count,
        "dup_first": dup_first,
        **_shingle_overlap(page),
        "title_run": counts[:, _S["title_run"]],
        "lead_title_run": counts[:, _S["lead_title_run"]],
        "starts_lower": has & ((f_first & cc.LATIN) != 0) & ((f_first & cc.UPPER) == 0),
    }
    return feats


def _region_character(lf, nb, nchar, sentence_like) -> dict[str, np.ndarray]:
    """What the lines around are like: the share of short, dated, sentence-like, bulleted,
    headline-like, repeated and byline lines within 5 and 15 lines (the line itself left out).

    A comment thread is long sentences between short names, dates and vote counts; a link
    list is headline after headline; an article is sentence after sentence.
    """
    signals = {
        "short": nchar < 20,
        "dated": lf["n_date"][nb] > 0,
        "sentence": sentence_like,
        "bullet": lf["starts_bullet"][nb],
        "headline": lf["lead_title_run"][nb] >= 4,
        "repeated": lf["shingle_repeat"][nb] > 0.5,
        "byline": lf["n_byline"][nb] > 0,
    }
    x = np.column_stack(list(signals.values())).astype(np.float64)
    out = {}
    for radius in REGION_RADII:
        share = _shares_around(x, radius)
        for k, name in enumerate(signals):
            out[f"around{radius}_{name}"] = share[:, k]
    return out


@njit(cache=True, nogil=True)
def _shares_around(x, radius):  # pragma: no cover - compiled
    """Per row and column: the mean of x over rows i-radius..i+radius (clipped at the ends),
    row i left out."""
    n, k = x.shape
    out = np.empty((n, k))
    for c in range(k):
        out[:, c] = window_sum(x[:, c], radius) - x[:, c]
    for i in range(n):
        width = max(min(i + radius + 1, n) - max(i - radius, 0) - 1, 1)
        for c in range(k):
            out[i, c] /= width
    return out


def _blank_structure(gap_before, gap_after, block_size, pos_in_block) -> dict[str, np.ndarray]:
    """Blank lines around a line and the block it sits in; unknown (NaN) on a page with no
    blank line between two others, where an extractor dropped them: there the whole page is
    one block, which on a page that has blank lines would mean a menu or a list."""
    if not (gap_before[1:] > 0).any():
        unknown = np.full(len(gap_before), np.nan)
        return dict.fromkeys(("gap_before", "gap_after", "block_size", "pos_in_block"), unknown)
    return {
        "gap_before": np.minimum(gap_before, 5),
        "gap_after": np.minimum(gap_after, 5),
        "block_size": np.log1p(block_size),
        "pos_in_block": np.minimum(pos_in_block, 20),
    }


DENSITY_RADII = (2, 5, 10)


@njit(cache=True, nogil=True)
def _layout(nb, n_lines, log_chars, sentence_like, copyright):  # pragma: no cover - compiled
    """The page's layout from its non-blank lines `nb`: per row the blank lines before and
    after it, the size of its block (lines between blank lines) and its place in it, and the
    text density (log length summed over 2, 5, 10 lines around, relative to the page's
    densest); the page's main run — the run of rows around the densest window of sentence-like
    lines (7 each side) whose density stays above a quarter of it — as its centre, first and
    last row, and the first copyright line after it (the footer; n when none)."""
    n = len(nb)
    out = np.zeros((4 + len(DENSITY_RADII), n))
    block_start = 0
    for k in range(n):
        out[0, k] = nb[k] - nb[k - 1] - 1 if k else nb[0]
        out[1, k] = nb[k + 1] - nb[k] - 1 if k < n - 1 else n_lines - 1 - nb[k]
        if k and (out[0, k] > 0 or (k == 1 and out[0, 0] > 0)):
            block_start = k  # (after leading blank lines the first row is a block of its own:
            # the models were trained so)
        out[3, k] = k - block_start
    for k in range(n - 1, -1, -1):  # a block's size is known at its last row
        out[2, k] = out[3, k] + 1 if k == n - 1 or out[3, k + 1] == 0 else out[2, k + 1]
    for r, radius in enumerate(DENSITY_RADII):
        window = window_sum(log_chars, radius)
        out[4 + r] = window / max(window.max(), 1.0)
    dens = window_sum(log_chars * sentence_like, 7)
    center = np.argmax(dens)
    a = b = center
    cut = max(dens.max() * 0.25, 1e-9)
    if dens[center] >= cut:
        while a > 0 and dens[a - 1] >= cut:
            a -= 1
        while b < n - 1 and dens[b + 1] >= cut:
            b += 1
    footer = n
    for k in range(n - 1, b, -1):
        footer = k if copyright[k] else footer
    return out, (center, a, b, footer)


@njit(cache=True)
def window_sum(x, radius):  # pragma: no cover - compiled
    """Sums of x over rows i-radius..i+radius, clipped at the ends, from a running total."""
    n = len(x)
    cum = np.zeros(n + 1)
    for i in range(n):
        cum[i + 1] = cum[i] + x[i]
    out = np.empty(n)
    for i in range(n):
        out[i] = cum[min(i + radius + 1, n)] - cum[max(i - radius, 0)]
    return out


def page_relative(page: PageText, lf: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Features of each non-blank line relative to its page (arrays over `page.nonblank`)."""
    nb = page.nonblank
    n = len(nb)
    j = np.arange(n)
    n_lines = max(page.n_lines, 1)
    nchar = lf["n_nonspace"][nb].astype(np.float64)
    log_chars = np.log1p(nchar)
    sentence_like = ((nchar >= 40) & lf["ends_sentence"][nb]) | (nchar >= 100)
    layout, (center, a, b, footer) = _layout(
        nb, page.n_lines, log_chars, sentence_like, lf["n_copyright"][nb] > 0
    )

    rank = np.empty(n)
    rank[np.argsort(nchar, kind="stable")] = j
    long_lines = lf["n_chars"][nb][nchar >= 40]
    wrap = quantile(long_lines, 0.9) if len(long_lines) >= 5 else np.inf
    feats = {
        "pos": nb / n_lines,
        "pos_from_end": (page.n_lines - 1 - nb) / n_lines,
        "log_index": np.log1p(j),
        "log_index_from_end": np.log1p(n - 1 - j),
        **_blank_structure(*layout[:4]),
        "len_rank": rank / max(n - 1, 1),
        "len_rel_max": nchar / max(nchar.max(initial=1.0), 1.0),
        "sentence_like": sentence_like,
        "main_dist": (j - center) / max(n, 1),
        "main_abs_dist": np.log1p(np.abs(j - center)),
        "in_main": (j >= a) & (j <= b),
        "before_main": j < a,
        "after_main": j > b,
        "pos_in_main": (j - a) / max(b - a + 1, 1),
        "after_footer": j > footer,
        "wrap_ratio": np.minimum(lf["n_chars"][nb] / wrap, 2.0),
    }
    for k, radius in enumerate(DENSITY_RADII):
        feats[f"density_{radius}"] = layout[4 + k]
    feats.update(_region_character(lf, nb, nchar, sentence_like))
    total = max(float(lf["n_nonspace"].sum()), 1.0)
    page_level = {
        "page_log_lines": np.log1p(n),
        "page_blank_frac": 1 - n / n_lines,
        "page_sentence_frac": sentence_like.mean() if n else 0.0,
        "page_hangul": lf["frac_hangul"][nb] @ nchar / total if n else 0.0,
        "page_han": lf["frac_han"][nb] @ nchar / total if n else 0.0,
        "page_kana": lf["frac_kana"][nb] @ nchar / total if n else 0.0,
        "page_latin": lf["frac_latin"][nb] @ nchar / total if n else 0.0,
        "page_median_len": np.log1p(quantile(nchar, 0.5)) if n else 0.0,
        "page_bullet_frac": lf["starts_bullet"][nb].mean() if n else 0.0,
    }
    feats.update(page_level)  # one number for the whole page
    return feats


def base_matrix(page: PageText) -> np.ndarray:
    """(non-blank lines × BASE_FEATURES) float32: the model-free features of a page."""
    nb = page.nonblank
    out = np.empty((len(nb), len(BASE_FEATURES)), dtype=np.float32)
    if not len(nb):
        return out
    lf = line_features(page)
    own = np.empty((page.n_lines, len(LINE_FEATURES)), dtype=np.float32)
    for k, name in enumerate(LINE_FEATURES):
        own[:, k] = lf[name]
    out[:, : len(LINE_FEATURES)] = own[nb]
    for k, values in enumerate(map(page_relative(page, lf).get, PAGE_FEATURES)):
        out[:, len(LINE_FEATURES) + k] = values
    return out


def shifted(columns: np.ndarray, offsets=NEIGHBOUR_OFFSETS) -> np.ndarray:
    """Each column at each offset (row i gets row i+offset; NaN past the page's ends)."""
    n, k = columns.shape
    out = np.full((n, k * len(offsets)), np.nan, dtype=np.float32)
    for o_i, off in enumerate(offsets):
        block = out[:, o_i * k : (o_i + 1) * k]
        if off > 0 and off < n:
            block[:-off] = columns[off:]
        elif off < 0 and -off < n:
            block[-off:] = columns[:off]
    return out


def neighbour_names(columns: list[str], offsets=NEIGHBOUR_OFFSETS) -> list[str]:
    return [f"{c}@{o:+d}" for o in offsets for c in columns]
