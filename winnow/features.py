"""Line features for a whole page at once: the only featurizer (training and serving call it).

Three layers, all numpy over the page's arrays (see `page.py`), no per-line Python loops:
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

import re

import numpy as np

from winnow import charclass as cc
from winnow.page import PageText

FEATURE_VERSION = 5


# Keyword families, found with str.find on the lower-cased page (each scan costs ~10 µs, so the
# lists stay short: the lexical model learns the rest); a Latin word must follow a non-letter.
KEYWORDS = {
    "url": ("http", "www."),
    "copyright": ("©", "ⓒ", "copyright", "무단", "版权"),
    "byline": ("기자", "by ", "記者", "记者"),
}
BRACKETED = re.compile(r"[\[【〔「『(<][^\]】〕」』)>\n]{1,30}[\]】〕」』)>]")

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


def _class_counts(page: PageText) -> np.ndarray:
    """(lines × primary classes) code-point counts, from one bincount."""
    k = len(cc.PRIMARY_CLASSES)
    primary = np.take(cc.PRIMARY, page.cp).astype(np.int64)
    counts = np.bincount(page.line_id * k + primary, minlength=(page.n_lines + 1) * k)
    return counts.reshape(page.n_lines + 1, k)[: page.n_lines]


def quantile(x: np.ndarray, q: float) -> float:
    """np.quantile(x, q) (linear interpolation, same rounding) without its ~20 µs of overhead."""
    n = len(x)
    at = (n - 1) * q
    lo = int(np.floor(at))
    hi = min(lo + 1, n - 1)
    part = np.partition(x, (lo, hi)) if n > 1 else x
    a, b, t = float(part[lo]), float(part[hi]), at - lo
    return b - (b - a) * (1 - t) if t >= 0.5 else a + (b - a) * t


def _find_all(text: str, word: str) -> list[int]:
    found, at = [], text.find(word)
    while at >= 0:
        found.append(at)
        at = text.find(word, at + 1)
    return found


def _keyword_counts(page: PageText) -> dict[str, np.ndarray]:
    lower = page.text.lower()
    if len(lower) != len(page.text):  # a few letters lower-case to two code points
        lower = page.text
    latin_word = (page.flags & cc.LATIN) != 0
    out = {}
    for family, words in KEYWORDS.items():
        hits = np.array([p for w in words for p in _find_all(lower, w)], dtype=np.int64)
        if len(hits):  # "by " inside "nearby " is not a byline
            hits = hits[~(latin_word[hits] & latin_word[np.maximum(hits - 1, 0)] & (hits > 0))]
        out[f"n_{family}"] = np.bincount(page.line_of(hits), minlength=page.n_lines)
    brackets = [m.start() for m in BRACKETED.finditer(page.text)]
    out["n_bracketed"] = np.bincount(
        page.line_of(np.array(brackets, dtype=np.int64)), minlength=page.n_lines
    )
    return out


def _shift(mask: np.ndarray, by: int, fill: bool = False) -> np.ndarray:
    """mask[i + by] at i (fill past the ends)."""
    out = np.full_like(mask, fill)
    if by > 0:
        out[:-by] = mask[by:]
    elif by < 0:
        out[-by:] = mask[:by]
    return out


_SEPARATING = np.array([ord(c) for c in "./-:"], dtype=np.uint32)  # need a digit after them


def _number_counts(page: PageText) -> dict[str, np.ndarray]:
    digit = (page.flags & cc.DIGIT) != 0
    number_start = digit & ~_shift(digit, -1)
    date_next = (_shift(page.flags, 1, 0) & cc.DATE_PART) != 0
    at = np.flatnonzero(digit & date_next)  # a digit, then a date part ("2019.", "11/"…)
    followed = _shift(digit, 2)[at] | ~np.isin(page.cp[at + 1], _SEPARATING)
    date_part = np.zeros_like(digit)
    date_part[at[followed]] = True
    alnum = (page.flags & (cc.LATIN | cc.DIGIT)) != 0
    email = (page.cp == ord("@")) & _shift(alnum, -1) & _shift(alnum, 1)
    return {
        "n_numbers": page.count(number_start),
        "n_date": page.count(date_part),
        "n_email": page.count(email),
    }


def _line_keys(page: PageText, nonspace: np.ndarray) -> np.ndarray:
    """A 64-bit fingerprint of each line's non-space characters (equal lines, equal keys)."""
    cp = page.cp.astype(np.uint64) * nonspace
    rank = np.cumsum(nonspace, dtype=np.uint64)
    s_cp = np.zeros(len(cp) + 1, dtype=np.uint64)
    s_rank = np.zeros(len(cp) + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        np.cumsum(cp, out=s_cp[1:])
        np.cumsum(cp * (rank * np.uint64(0x9E3779B1) + np.uint64(1)), out=s_rank[1:])
        a = s_cp[page.ends] - s_cp[page.starts]
        b = s_rank[page.ends] - s_rank[page.starts]
        r0 = np.concatenate([[np.uint64(0)], rank])[page.starts]
        b = b - a * (r0 * np.uint64(0x9E3779B1))
        n = (
            np.concatenate([[np.uint64(0)], rank])[page.ends]
            - np.concatenate([[np.uint64(0)], rank])[page.starts]
        )
        return b * np.uint64(0xBF58476D1CE4E5B9) + a * np.uint64(0x94D049BB133111EB) + n


SHINGLE = 8  # characters per shingle: long enough to be specific to a phrase
_SAMPLE = np.uint64(4)  # keep a quarter of the shingles, chosen by content, not by position


def _shingle_overlap(page: PageText) -> dict[str, np.ndarray]:
    """Per line: share of its 8-character shingles found in other lines, and in the first line.

    A teaser "Headline Sentence…" shares its headline with a list elsewhere; the headline
    shares its words with the document title on the first line; body text shares little.
    Shingles are sampled by hash value, so equal text yields equal samples at any offset.
    """
    n_lines = page.n_lines
    zeros = {"shingle_repeat": np.zeros(n_lines), "shingle_first_line": np.zeros(n_lines)}
    m = len(page.cp) - SHINGLE + 1
    if m <= 0 or not len(page.nonblank):
        return zeros
    cp = page.cp.copy()
    cp[(cp >= 65) & (cp <= 90)] += 32
    cp = cp.astype(np.uint64)
    h = cp[:m].copy()
    with np.errstate(over="ignore"):
        for k in range(1, SHINGLE):
            h *= np.uint64(0x100000001B3)
            h += cp[k : k + m]
        h *= np.uint64(0x9E3779B97F4A7C15)
    line = page.line_id[:m]
    keep = (line == page.line_id[SHINGLE - 1 :]) & (line < n_lines)
    keep &= (h >> np.uint64(60)) % _SAMPLE == 0
    keep &= (page.flags[:m] & cc.SPACE) == 0
    h, line = h[keep], line[keep]
    if not len(h):
        return zeros
    uniq, inverse, counts = np.unique(h, return_inverse=True, return_counts=True)
    per_line = np.bincount(line, minlength=n_lines).astype(np.float64)
    repeated = np.bincount(line, weights=counts[inverse] > 1, minlength=n_lines)
    first = page.nonblank[0]
    in_first = np.zeros(len(uniq), dtype=bool)
    in_first[inverse[line == first]] = True
    first_hits = np.bincount(line, weights=in_first[inverse] & (line != first), minlength=n_lines)
    with np.errstate(invalid="ignore", divide="ignore"):
        return {
            "shingle_repeat": np.where(per_line > 0, repeated / np.maximum(per_line, 1), 0.0),
            "shingle_first_line": np.where(per_line > 0, first_hits / np.maximum(per_line, 1), 0.0),
        }


def _title_runs(page: PageText, token_start: np.ndarray) -> dict[str, np.ndarray]:
    """Longest run of capitalised words per line, and the run the line opens with.

    A teaser that glues a Title Case headline to its first sentence opens with a long run
    ("Harvick Fails To Rally Overmatched Ford In NASCAR Finale Ford v Toyota…"); prose
    rarely strings more than three or four capitals together.
    """
    n = page.n_lines
    pos = np.flatnonzero(token_start)
    if not len(pos):
        return {"title_run": np.zeros(n), "lead_title_run": np.zeros(n)}
    line = page.line_id[pos]
    flags = page.flags[pos]
    upper = ((flags & cc.UPPER) != 0) | ((flags & cc.DIGIT) != 0)
    first_in_line = np.concatenate([[True], line[1:] != line[:-1]])
    run_id = np.cumsum(~upper | first_in_line)
    run_len = np.bincount(run_id, weights=upper)
    lengths = run_len[run_id] * upper
    best = np.zeros(n + 1)
    np.maximum.at(best, line, lengths)
    lead = np.zeros(n + 1)
    lead[line[first_in_line]] = lengths[first_in_line]
    return {"title_run": best[:n], "lead_title_run": lead[:n]}


def line_features(page: PageText) -> dict[str, np.ndarray]:
    """Features of each line on its own, for all lines (blank ones included)."""
    flags, cp = page.flags, page.cp
    classes = _class_counts(page)
    n_chars = page.ends - page.starts
    n_nonspace = n_chars - classes[:, 0]
    is_space = (flags & cc.SPACE) != 0
    prev_space = _shift(is_space, -1, True)
    next_space = _shift(is_space, 1, True)
    token_start = ~is_space & prev_space
    n_words = page.count(token_start)

    ns_pos = np.flatnonzero(~is_space)
    if len(ns_pos) == 0:
        ns_pos = np.array([0])
    fi = np.minimum(np.searchsorted(ns_pos, page.starts), len(ns_pos) - 1)
    li = np.maximum(np.searchsorted(ns_pos, page.ends) - 1, 0)
    first, last = ns_pos[fi], ns_pos[li]
    before_last = ns_pos[np.maximum(li - 1, 0)]
    has = n_nonspace > 0
    two = n_nonspace >= 2
    f_first, f_last, f_prev = flags[first], flags[last], flags[before_last]
    ends_ko = has & (
        ((f_last & cc.KO_ENDING) != 0)
        | (two & ((f_last & cc.SENT_END) != 0) & ((f_prev & cc.KO_ENDING) != 0))
    )
    ends_sentence = has & (
        ((f_last & cc.SENT_END) != 0)
        | (two & ((f_last & cc.CLOSER) != 0) & ((f_prev & cc.SENT_END) != 0))
        | ends_ko
    )
    sentence_marks = ((flags & cc.SENT_END) != 0) & next_space
    separators = ((flags & cc.SEPARATOR) != 0) & prev_space & next_space
    dup_count, dup_first = _repetition(page, ~is_space, has)
    denom = np.maximum(n_nonspace, 1)
    feats = {
        "n_chars": n_chars,
        "n_nonspace": n_nonspace,
        "log_len": np.log1p(n_nonspace),
        "n_words": n_words,
        "mean_word_len": n_nonspace / np.maximum(n_words, 1),
        **{f"frac_{k}": classes[:, i] / denom for i, k in enumerate(cc.PRIMARY_CLASSES) if i},
        "frac_upper": page.count((flags & cc.UPPER) != 0) / denom,
        "frac_title_words": page.count(token_start & ((flags & cc.UPPER) != 0))
        / np.maximum(n_words, 1),
        "indent": np.where(has, first - page.starts, 0),
        "starts_bullet": has & ((f_first & cc.BULLET) != 0),
        "starts_number": has & ((f_first & cc.DIGIT) != 0),
        "starts_opener": has & ((f_first & cc.OPENER) != 0),
        "ends_sentence": ends_sentence,
        "ends_ko": ends_ko,
        "ends_colon": has & (cp[last] == ord(":")),
        "ends_digit": has & ((f_last & cc.DIGIT) != 0),
        "ends_punct": has & ((f_last & cc.PUNCT) != 0),
        "n_sentences": page.count(sentence_marks),
        "n_separators": page.count(separators),
        **_keyword_counts(page),
        **_number_counts(page),
        "dup_count": dup_count,
        "dup_first": dup_first,
        **_shingle_overlap(page),
        **_title_runs(page, token_start),
        "starts_lower": has & ((f_first & cc.LATIN) != 0) & ((f_first & cc.UPPER) == 0),
    }
    return feats


def _repetition(page: PageText, nonspace: np.ndarray, has: np.ndarray):
    keys = _line_keys(page, nonspace)
    idx = np.flatnonzero(has)
    count = np.zeros(page.n_lines)
    first = np.zeros(page.n_lines, dtype=bool)
    if len(idx):
        _, first_at, inverse, counts = np.unique(
            keys[idx], return_index=True, return_inverse=True, return_counts=True
        )
        count[idx] = counts[inverse]
        first[idx[first_at]] = True
    return count, first


def window_sums(x: np.ndarray, radii) -> list[np.ndarray]:
    """Sums of x over rows i-r..i+r (clipped at the ends) for each radius r, from one cumsum;
    x may be 2-D (rows × k)."""
    n = len(x)
    cum = np.zeros((n + 1, *x.shape[1:]))
    np.cumsum(x, axis=0, out=cum[1:])
    idx = np.arange(n)
    return [cum[np.minimum(idx + r + 1, n)] - cum[np.maximum(idx - r, 0)] for r in radii]


def window_sum(x: np.ndarray, radius: int) -> np.ndarray:
    return window_sums(x, (radius,))[0]


def run_containing(mask: np.ndarray, center: int) -> tuple[int, int]:
    """First and last index of the run of True in `mask` that holds `center` (or center, center)."""
    if not mask[center]:
        return center, center
    breaks = np.flatnonzero(~mask)
    lo = breaks[breaks < center]
    hi = breaks[breaks > center]
    return (int(lo[-1]) + 1 if len(lo) else 0), (int(hi[0]) - 1 if len(hi) else len(mask) - 1)


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
    n = len(x)
    out = {}
    for radius, total in zip(REGION_RADII, window_sums(x, REGION_RADII), strict=True):
        width = np.minimum(np.arange(n) + radius + 1, n) - np.maximum(np.arange(n) - radius, 0) - 1
        share = (total - x) / np.maximum(width, 1)[:, None]
        for k, name in enumerate(signals):
            out[f"around{radius}_{name}"] = share[:, k]
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


def page_relative(page: PageText, lf: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Features of each non-blank line relative to its page (arrays over `page.nonblank`)."""
    nb = page.nonblank
    n = len(nb)
    j = np.arange(n)
    n_lines = max(page.n_lines, 1)
    nchar = lf["n_nonspace"][nb].astype(np.float64)
    gaps = np.diff(nb) - 1
    gap_before = np.concatenate([[nb[0] if n else 0], gaps]).astype(np.float64)
    gap_after = np.concatenate([gaps, [page.n_lines - 1 - nb[-1] if n else 0]]).astype(np.float64)
    block = np.cumsum(gap_before > 0) if n else np.zeros(0, int)
    block[0:1] = 0
    block_size = np.bincount(block)[block] if n else np.zeros(0)
    block_start = np.searchsorted(block, block)

    sentence_like = ((nchar >= 40) & lf["ends_sentence"][nb]) | (nchar >= 100)
    dens = window_sum(sentence_like * np.log1p(nchar), 7)
    center = int(np.argmax(dens)) if n else 0
    a, b = run_containing(dens >= max(dens.max(initial=0.0) * 0.25, 1e-9), center) if n else (0, 0)
    copyright_after = np.flatnonzero((lf["n_copyright"][nb] > 0) & (j > b))
    footer = int(copyright_after[0]) if len(copyright_after) else n

    rank = np.empty(n)
    rank[np.argsort(nchar, kind="stable")] = j
    long_lines = lf["n_chars"][nb][nchar >= 40]
    wrap = quantile(long_lines, 0.9) if len(long_lines) >= 5 else np.inf
    feats = {
        "pos": nb / n_lines,
        "pos_from_end": (page.n_lines - 1 - nb) / n_lines,
        "log_index": np.log1p(j),
        "log_index_from_end": np.log1p(n - 1 - j),
        **_blank_structure(gap_before, gap_after, block_size, j - block_start),
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
    log_chars = np.log1p(nchar)
    for radius, window in zip((2, 5, 10), window_sums(log_chars, (2, 5, 10)), strict=True):
        feats[f"density_{radius}"] = window / max(window.max(initial=1.0), 1e-9)
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
    for name, value in page_level.items():
        feats[name] = np.full(n, value, dtype=np.float64)
    return feats


def base_matrix(page: PageText) -> np.ndarray:
    """(non-blank lines × BASE_FEATURES) float32: the model-free features of a page."""
    if not len(page.nonblank):
        return np.zeros((0, len(BASE_FEATURES)), dtype=np.float32)
    lf = line_features(page)
    pr = page_relative(page, lf)
    nb = page.nonblank
    out = np.empty((len(nb), len(BASE_FEATURES)), dtype=np.float32)
    out[:, : len(LINE_FEATURES)] = np.column_stack([lf[name] for name in LINE_FEATURES])[nb]
    out[:, len(LINE_FEATURES) :] = np.column_stack([pr[name] for name in PAGE_FEATURES])
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
