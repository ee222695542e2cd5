"""The compiled kernels (numba) against plain references written out here.

The kernels replaced numpy and regex code and must return exactly the same numbers: training
built its matrices with the old code, serving builds them with the kernels, and a feature that
drifts between the two silently degrades the model. Each reference below is the slow, obvious
version (a loop over characters, str.find, re.finditer, the old numpy formulas).
"""

from __future__ import annotations

import re
import string
from itertools import groupby

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from winnow import charclass as cc
from winnow import features, scan
from winnow.lexical import BITS, LexicalScorer, line_ngrams, ngram_matrix
from winnow.page import PageText, page_text
from winnow.stages import (
    BASE_INDEX,
    CONTEXT_OFFSETS,
    MEAN_RADII,
    PAGE_TYPES,
    SEGMENT_CUTS,
    STAGE1_FEATURES,
    STAGE2_FEATURES,
    best_segment,
    run_bounds,
    stage2_matrix,
    window_mean,
)

PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Pages: short lines of characters and words the kernels treat specially — brackets, date
# parts, separators, sentence stops, Latin around keywords ("nearby " holds no "by "), 'İ'
# (lower-cases to two code points), a zero-width space (a space by its flags, not to Python).
CHARS = (
    string.ascii_letters
    + string.digits
    + " \t./-:@[]()<>【】「」|·…!?"
    + "기자다요년월記者版权©ⓒⒸİ\u200b\u3000①３Ｂ"
)
WORDS = (
    "http",
    "www.",
    "by ",
    "copyright",
    "Copyright",
    "nearby ",
    "무단",
    "기자",
    "a@b.kr",
    "2019.11.3",
    "3년",
    "10-",
    "12:30",
    "[서울=뉴스1]",
    "Title Case ",
    "끝났다. ",
    "Yes! ",
    " | ",
    " · ",
    "홈 > 뉴스",
    "abcdefghijklmnopqrstuvwxyz",
)
TOKEN = st.sampled_from(CHARS) | st.sampled_from(WORDS)
LINE = st.lists(TOKEN, min_size=1, max_size=14).map("".join) | st.sampled_from(
    ["", " ", "\t \u200b"]
)


@st.composite
def pages(draw) -> PageText:
    """Up to 15 lines; some repeat an earlier line (or its upper-case form) so repetition and
    shingles shared between lines occur."""
    pool = draw(st.lists(LINE, min_size=1, max_size=5))
    repeat = st.sampled_from(pool)
    line = LINE | repeat | repeat.map(str.upper) | st.tuples(TOKEN, repeat).map("".join)
    return page_text(draw(st.lists(line, max_size=15)))


def line_of(page: PageText, positions) -> np.ndarray:
    """Line index of each code-point position."""
    return np.searchsorted(page.starts, positions, side="right") - 1


def assert_same_columns(got: dict, expected: dict) -> None:
    for name, values in expected.items():
        np.testing.assert_array_equal(got[name], values, err_msg=name)


def flag(page: PageText, i: int) -> int:
    """Flags of the character at i; outside the text a space's."""
    return int(page.flags[i]) if 0 <= i < len(page.cp) else cc.SPACE


# --- brackets and keywords --------------------------------------------------------------

BRACKETED = re.compile(r"[\[【〔「『(<][^\]】〕」』)>\n]{1,30}[\]】〕」』)>]")


@PROPERTY
@given(pages())
def test_brackets_match_the_regex(page):
    expected = np.zeros(page.n_lines, dtype=np.int64)
    for m in BRACKETED.finditer(page.text):
        expected[line_of(page, m.start())] += 1
    got = scan.count_brackets(page.cp, page.line_id, page.n_lines)
    np.testing.assert_array_equal(got, expected)


def test_brackets_at_the_span_limit_and_nested():
    lines = [
        "[" + "a" * 30 + "]",
        "(" + "b" * 31 + ")",
        "((a) [] 【기자】】 <b>",
        "(a",
        ")",
        "「" + "c" * 29 + "【" + "」",
    ]
    page = page_text(lines)
    expected = [sum(1 for _ in BRACKETED.finditer(line)) for line in lines]
    assert expected == [1, 0, 3, 0, 0, 1]
    assert scan.count_brackets(page.cp, page.line_id, page.n_lines).tolist() == expected


def find_all(text: str, word: str) -> list[int]:
    found, at = [], text.find(word)
    while at >= 0:
        found.append(at)
        at = text.find(word, at + 1)
    return found


def keyword_reference(page: PageText) -> dict[str, np.ndarray]:
    lower = page.text.lower()
    if len(lower) != len(page.text):  # 'İ': search the text as it is
        lower = page.text
    out = {}
    for family, words in features.KEYWORDS.items():
        hits = [p for w in words for p in find_all(lower, w)]
        hits = [
            p
            for p in hits
            if not (p > 0 and flag(page, p) & cc.LATIN and flag(page, p - 1) & cc.LATIN)
        ]
        out[f"n_{family}"] = np.bincount(
            line_of(page, np.array(hits, dtype=np.int64)), minlength=page.n_lines
        )
    return out


@PROPERTY
@given(pages())
def test_keywords_match_str_find(page):
    assert_same_columns(features._keyword_counts(page), keyword_reference(page))


def test_keywords_need_a_non_letter_before_a_latin_word():
    got = features._keyword_counts(page_text(["nearby by http", "İ Copyright ©", "XHTTP 기자"]))
    assert list(got["n_byline"]) == [1, 0, 1]
    assert list(got["n_copyright"]) == [0, 1, 0]  # 'İ': searched as written, not lower-cased
    assert list(got["n_url"]) == [1, 0, 0]


# --- the line scan ----------------------------------------------------------------------


def is_date(page: PageText, i: int) -> bool:
    """The digit at i is followed by a date part that is not . / - : or is then followed by
    a digit."""
    if not flag(page, i + 1) & cc.DATE_PART:
        return False
    return chr(page.cp[i + 1]) not in "./-:" or bool(flag(page, i + 2) & cc.DIGIT)


def is_email_at(page: PageText, i: int) -> bool:
    alnum = cc.LATIN | cc.DIGIT
    return page.text[i] == "@" and bool(flag(page, i - 1) & alnum and flag(page, i + 1) & alnum)


def line_key(code_points: list[int]) -> int:
    """The fingerprint of a line's non-space code points, in Python integers."""
    mod = 1 << 64
    a = sum(code_points)
    b = sum(c * (rank * 0x9E3779B1 + 1) for rank, c in enumerate(code_points, 1))
    return (b * 0xBF58476D1CE4E5B9 + a * 0x94D049BB133111EB + len(code_points)) % mod


def scan_reference(page: PageText, s: int, e: int) -> tuple[dict[str, int], int]:
    """`SCAN_COLUMNS` of the line holding code points s..e-1, and its fingerprint."""

    def has(i: int, mask: int) -> bool:
        return bool(flag(page, i) & mask)

    chars = [i for i in range(s, e) if not has(i, cc.SPACE)]
    words = [i for i in chars if has(i - 1, cc.SPACE)]
    digits = [i for i in chars if has(i, cc.DIGIT)]
    title = [has(i, cc.UPPER | cc.DIGIT) for i in words]
    runs = [(t, len(list(g))) for t, g in groupby(title)]
    row = {
        "words": len(words),
        "upper": sum(has(i, cc.UPPER) for i in chars),
        "title_words": sum(has(i, cc.UPPER) for i in words),
        "sentences": sum(has(i, cc.SENT_END) and has(i + 1, cc.SPACE) for i in chars),
        "separators": sum(
            has(i, cc.SEPARATOR) and has(i - 1, cc.SPACE) and has(i + 1, cc.SPACE) for i in chars
        ),
        "numbers": sum(i == 0 or not has(i - 1, cc.DIGIT) for i in digits),
        "dates": sum(is_date(page, i) for i in digits),
        "emails": sum(is_email_at(page, i) for i in chars),
        "indent": chars[0] - s if chars else 0,
        "f_first": flag(page, chars[0]) if chars else 0,
        "f_last": flag(page, chars[-1]) if chars else 0,
        "f_prev": flag(page, chars[-2]) if len(chars) >= 2 else 0,
        "last_cp": int(page.cp[chars[-1]]) if chars else 0,
        "title_run": max((n for t, n in runs if t), default=0),
        "lead_title_run": runs[0][1] if runs and runs[0][0] else 0,
    }
    return row, line_key([int(page.cp[i]) for i in chars])


def run_scan(page: PageText):
    bounds = np.stack([page.starts, page.ends])
    return scan.scan_lines(page.cp, page.flags, cc.PRIMARY, bounds)


@PROPERTY
@given(pages())
def test_scan_lines_match_a_loop_over_characters(page):
    classes, counts, keys = run_scan(page)
    assert counts.shape == (page.n_lines, len(scan.SCAN_COLUMNS))
    for line, (s, e) in enumerate(zip(page.starts, page.ends, strict=True)):
        expected, key = scan_reference(page, s, e)
        got = dict(zip(scan.SCAN_COLUMNS, counts[line].tolist(), strict=True))
        assert got == expected, (page.lines[line], line)
        assert int(keys[line]) == key
        primary = np.bincount(cc.PRIMARY[page.cp[s:e]], minlength=scan.N_PRIMARY)
        np.testing.assert_array_equal(classes[line], primary)


@PROPERTY
@given(pages())
def test_equal_lines_get_equal_keys(page):
    _, _, keys = run_scan(page)
    seen: dict[str, int] = {}
    for line, text in enumerate(page.lines):
        s = page.starts[line]
        bare = "".join(c for i, c in enumerate(text) if not page.flags[s + i] & cc.SPACE)
        assert seen.setdefault(bare, int(keys[line])) == int(keys[line])


@PROPERTY
@given(pages())
def test_line_repeats_match_unique(page):
    _, _, keys = run_scan(page)
    has = (
        page.ends - page.starts
        > np.bincount(page.line_id[(page.flags & cc.SPACE) != 0], minlength=page.n_lines + 1)[
            : page.n_lines
        ]
    )
    count, first = np.zeros(page.n_lines), np.zeros(page.n_lines, dtype=bool)
    idx = np.flatnonzero(has)
    if len(idx):
        _, first_at, inverse, counts = np.unique(
            keys[idx], return_index=True, return_inverse=True, return_counts=True
        )
        count[idx] = counts[inverse]
        first[idx[first_at]] = True
    got_count, got_first = scan.line_repeats(keys, has)
    np.testing.assert_array_equal(got_count, count)
    np.testing.assert_array_equal(got_first, first)


@PROPERTY
@given(st.lists(LINE, max_size=15))
def test_page_index_matches_numpy(lines):
    page = page_text(lines)
    lengths = np.array([len(line) for line in lines], dtype=np.int64)
    ends = np.cumsum(lengths + 1) - 1
    line_id = np.repeat(np.arange(len(lines)), lengths + 1)[: len(page.cp)]
    line_id[ends[:-1]] = len(lines)
    flags = cc.classify(page.cp)
    spaces = np.bincount(line_id[(flags & cc.SPACE) != 0], minlength=len(lines) + 1)[:-1]
    np.testing.assert_array_equal(page.flags, flags)
    np.testing.assert_array_equal(page.starts, ends - lengths)
    np.testing.assert_array_equal(page.ends, ends)
    np.testing.assert_array_equal(page.line_id, line_id)
    np.testing.assert_array_equal(page.nonblank, np.flatnonzero(spaces < lengths))


def test_title_runs_of_a_glued_headline():
    page = page_text(["Harvick Fails To Rally in 2019 Ford v Toyota", "the End Of It", ""])
    _, counts, _ = run_scan(page)
    col = scan.SCAN_COLUMNS.index
    assert list(counts[:, col("title_run")]) == [4, 3, 0]
    assert list(counts[:, col("lead_title_run")]) == [4, 0, 0]


# --- shingles ---------------------------------------------------------------------------


def shingle_reference(page: PageText) -> dict[str, np.ndarray]:
    """The numpy version `scan.sampled_shingles` and `scan.shingle_counts` replaced."""
    n_lines = page.n_lines
    zeros = {"shingle_repeat": np.zeros(n_lines), "shingle_first_line": np.zeros(n_lines)}
    m = len(page.cp) - scan.SHINGLE + 1
    if m <= 0 or not len(page.nonblank):
        return zeros
    cp = page.cp.copy()
    cp[(cp >= 65) & (cp <= 90)] += 32
    cp = cp.astype(np.uint64)
    h = cp[:m].copy()
    with np.errstate(over="ignore"):
        for k in range(1, scan.SHINGLE):
            h *= np.uint64(0x100000001B3)
            h += cp[k : k + m]
        h *= np.uint64(0x9E3779B97F4A7C15)
    line = page.line_id[:m]
    keep = (line == page.line_id[scan.SHINGLE - 1 :]) & (line < n_lines)
    keep &= (h >> np.uint64(60)) % np.uint64(4) == 0
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
    return {
        "shingle_repeat": np.where(per_line > 0, repeated / np.maximum(per_line, 1), 0.0),
        "shingle_first_line": np.where(per_line > 0, first_hits / np.maximum(per_line, 1), 0.0),
    }


@PROPERTY
@given(pages())
def test_shingle_overlap_matches_numpy(page):
    assert_same_columns(features._shingle_overlap(page), shingle_reference(page))


def test_a_repeated_headline_shares_its_shingles():
    headline = "Markets Rally As Rates Fall Again Today"
    got = features._shingle_overlap(
        page_text([headline, "", "Unrelated body text here.", headline])
    )
    assert got["shingle_repeat"][0] == got["shingle_repeat"][3] == 1.0
    assert got["shingle_first_line"][3] == 1.0 and got["shingle_first_line"][0] == 0.0


# --- lexical n-grams --------------------------------------------------------------------


def ngram_reference(page: PageText) -> list[tuple[int, int]]:
    """(row, bucket) of every n-gram, from Python integers: 1-3-grams opening at a non-space
    character inside their line, and the EDGE characters at each end (0 past the line)."""
    mod, mul, mix = 1 << 64, 0x100000001B3, 0x9E3779B97F4A7C15

    def norm(i: int) -> int:
        f, c = int(page.flags[i]), int(page.cp[i])
        if f & cc.SPACE:
            return 32
        if f & cc.DIGIT:
            return 48
        return c + 32 if 65 <= c <= 90 else c

    def bucket(codes, salt: int) -> int:
        h = 0
        for c in codes:
            h = (h * mul + c) % mod
        return ((h ^ salt) * mix % mod) >> (64 - BITS)

    out = []
    for row, line in enumerate(page.nonblank):
        s, e = int(page.starts[line]), int(page.ends[line])
        cps = [norm(i) for i in range(s, e)]
        for order in (1, 2, 3):
            for i in range(len(cps) - order + 1):
                if cps[i] != 32:
                    out.append((row, bucket(cps[i : i + order], order)))
        chars = [i for i, c in enumerate(cps) if c != 32]
        for salt, at in ((0xA5A5A5A5, chars[0]), (0x5A5A5A5A5A, max(chars[-1] - 2, 0))):
            edge = [cps[k] if k < len(cps) else 0 for k in range(at, at + 3)]
            out.append((row, bucket(edge, salt)))
    return sorted(out)


@PROPERTY
@given(pages())
def test_ngrams_match_python_hashing(page):
    rows, buckets = line_ngrams(page)
    assert sorted(zip(rows.tolist(), buckets.tolist(), strict=True)) == ngram_reference(page)


_RNG = np.random.default_rng(0)
SCORER = LexicalScorer(
    weights=_RNG.standard_normal((1 << BITS, 3)).astype(np.float16),
    bias=np.array([0.5, -1.0, 0.0]),
    heads=("a", "b", "c"),
)


@PROPERTY
@given(pages())
def test_scores_are_the_training_matrix_times_the_weights(page):
    expected = ngram_matrix(page) @ SCORER.weights.astype(np.float32) + SCORER.bias
    got = SCORER.score(page)
    assert got.shape == (len(page.nonblank), 3)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-4)


# --- windows ----------------------------------------------------------------------------

FLOATS = st.floats(-5, 5, allow_nan=False) | st.sampled_from([-1.0, -0.5, 0.0, 0.5, 1.0])


@PROPERTY
@given(
    hnp.arrays(
        np.float64,
        st.tuples(st.integers(0, 40), st.integers(1, 7)),
        elements=FLOATS | st.sampled_from([0.0, 1.0]),
    ),
    st.integers(0, 20),
)
def test_shares_around_match_cumsum(x, radius):
    n = len(x)
    cum = np.zeros((n + 1, x.shape[1]))
    np.cumsum(x, axis=0, out=cum[1:])
    idx = np.arange(n)
    lo, hi = np.maximum(idx - radius, 0), np.minimum(idx + radius + 1, n)
    expected = (cum[hi] - cum[lo] - x) / np.maximum(hi - lo - 1, 1)[:, None]
    np.testing.assert_array_equal(features._shares_around(x, radius), expected)


def layout_reference(nb, n_lines, log_chars, sentence_like, copyright):
    """The old numpy page layout: blank gaps, blocks (row 0 alone after leading blank lines),
    density windows, the main run around the densest sentence window and the footer."""
    n = len(nb)
    j = np.arange(n)
    gaps = np.diff(nb) - 1
    gap_before = np.concatenate([[nb[0]], gaps]).astype(float)
    gap_after = np.concatenate([gaps, [n_lines - 1 - nb[-1]]]).astype(float)
    block = np.cumsum(gap_before > 0)
    block[0] = 0
    block_size = np.bincount(block)[block].astype(float)
    pos_in_block = (j - np.searchsorted(block, block)).astype(float)

    def window(x, r):
        cum = np.concatenate([[0.0], np.cumsum(x)])
        return cum[np.minimum(j + r + 1, n)] - cum[np.maximum(j - r, 0)]

    density = [window(log_chars, r) for r in features.DENSITY_RADII]
    density = [d / max(d.max(initial=1.0), 1e-9) for d in density]
    dens = window(sentence_like * log_chars, 7)
    center = int(np.argmax(dens))
    mask = dens >= max(dens.max() * 0.25, 1e-9)
    a = b = center
    if mask[center]:
        breaks = np.flatnonzero(~mask)
        a = int(breaks[breaks < center][-1]) + 1 if (breaks < center).any() else 0
        b = int(breaks[breaks > center][0]) - 1 if (breaks > center).any() else n - 1
    after = np.flatnonzero(copyright & (j > b))
    footer = int(after[0]) if len(after) else n
    rows = np.array([gap_before, gap_after, block_size, pos_in_block, *density])
    return rows, (center, a, b, footer)


@PROPERTY
@given(
    st.lists(st.integers(1, 4), min_size=1, max_size=40),
    st.integers(0, 3),
    st.integers(0, 3),
    st.data(),
)
def test_layout_matches_numpy(steps, lead, tail, data):
    nb = np.cumsum([lead, *steps[1:]]) if lead else np.cumsum([0, *steps[1:]])
    n = len(nb)
    n_lines = int(nb[-1]) + 1 + tail
    log_chars = np.log1p(data.draw(hnp.arrays(np.float64, n, elements=st.integers(0, 300))))
    sentence_like = data.draw(hnp.arrays(np.bool_, n))
    copyright = data.draw(hnp.arrays(np.bool_, n))
    got, bounds = features._layout(nb, n_lines, log_chars, sentence_like, copyright)
    expected, expected_bounds = layout_reference(nb, n_lines, log_chars, sentence_like, copyright)
    np.testing.assert_array_equal(got, expected)
    assert tuple(int(v) for v in bounds) == expected_bounds


def window_mean_reference(x: np.ndarray, radius: int) -> np.ndarray:
    """Means over rows i-radius..i+radius (clipped at the ends) from a float64 cumsum."""
    n = len(x)
    cum = np.zeros(n + 1)
    np.cumsum(x, out=cum[1:])
    idx = np.arange(n)
    lo, hi = np.maximum(idx - radius, 0), np.minimum(idx + radius + 1, n)
    return (cum[hi] - cum[lo]) / np.maximum(hi - lo, 1)


def best_segment_reference(gain: np.ndarray) -> tuple[int, int]:
    """Maximum subarray from prefix sums: the latest running minimum before the first best end."""
    cum = np.concatenate([[0.0], np.cumsum(gain)])
    low = np.minimum.accumulate(cum)
    start_of = np.maximum.accumulate(np.where(cum == low, np.arange(len(cum)), 0))
    end = int(np.argmax(cum - low))
    return int(start_of[end]), end - 1


def run_reference(mask: list[bool], center: int) -> tuple[int, int]:
    """From the positions of the False values around the centre (the old numpy version)."""
    if not mask[center]:
        return center, center - 1
    breaks = np.flatnonzero(~np.array(mask))
    before, after = breaks[breaks < center], breaks[breaks > center]
    return (int(before[-1]) + 1 if len(before) else 0), (
        int(after[0]) - 1 if len(after) else len(mask) - 1
    )


def quantile_reference(x: np.ndarray, q: float) -> float:
    """np.quantile's linear interpolation, in float64 whatever x holds (the Python version)."""
    at = (len(x) - 1) * q
    lo = int(np.floor(at))
    hi = min(lo + 1, len(x) - 1)
    part = np.sort(x)
    a, b, t = float(part[lo]), float(part[hi]), at - lo
    return b - (b - a) * (1 - t) if t >= 0.5 else a + (b - a) * t


def arrays(*dtypes):
    """1-60 values of one of `dtypes`, with ties."""
    return st.sampled_from(dtypes).flatmap(
        lambda dtype: hnp.arrays(
            dtype,
            st.integers(1, 60),
            elements=st.integers(-5, 300) if dtype == np.int64 else FLOATS,
        )
    )


# The gains and probabilities the pipeline passes are float64 (p1 is), the lengths int64.
@PROPERTY
@given(arrays(np.float64))
def test_best_segment_matches_prefix_sums(gain):
    assert best_segment(gain) == best_segment_reference(gain)


def test_best_segment_ties_and_nothing_good():
    assert best_segment(np.array([-1.0, -2.0])) == (0, -1)
    assert best_segment(np.zeros(0)) == (0, -1)
    assert best_segment(np.array([1.0, -1.0, 1.0])) == (0, 0)  # ties: the first end
    assert best_segment(np.array([-1.0, 1.0, -1.0, 1.0])) == (1, 1)


@PROPERTY
@given(arrays(np.float32, np.float64), st.integers(0, 30))
def test_window_mean_matches_cumsum(x, radius):
    np.testing.assert_array_equal(window_mean(x, radius), window_mean_reference(x, radius))


@PROPERTY
@given(st.lists(st.booleans(), min_size=1, max_size=40), st.data())
def test_run_bounds_walk_out_from_the_center(mask, data):
    center = data.draw(st.integers(0, len(mask) - 1))
    assert run_bounds(np.array(mask), center) == run_reference(mask, center)


@PROPERTY
@given(arrays(np.float64, np.int64), st.sampled_from([0.5, 0.75, 0.9]))
def test_quantile_matches_its_python_version(x, q):
    assert features.quantile(x, q) == quantile_reference(x, q) == np.quantile(x, q)


# --- stage-2 context --------------------------------------------------------------------


def context_reference(p1: np.ndarray, log_len: np.ndarray, page_type) -> dict[str, np.ndarray]:
    """The stage-2 context columns from their definitions."""
    n = len(p1)
    idx = np.arange(n)
    cols: dict[str, np.ndarray] = {"p1": p1}
    for off in CONTEXT_OFFSETS:
        at = idx + off
        inside = (at >= 0) & (at < n)
        cols[f"p1@{off:+d}"] = np.where(inside, p1[np.clip(at, 0, n - 1)], np.nan)
    for r in MEAN_RADII:
        cols[f"p1_mean_{r}"] = window_mean_reference(p1, r)
    near = [[p1[j] for j in range(i - 3, i + 4) if 0 <= j < n and j != i] for i in idx]
    cols["p1_max_3"] = np.array([max([0.0, *v]) for v in near])
    smooth = cols[f"p1_mean_{MEAN_RADII[0]}"]
    cols["p1_before_max"] = np.array([smooth[:i].max() if i else 0.0 for i in idx])
    cols["p1_after_max"] = np.array([smooth[i + 1 :].max() if i < n - 1 else 0.0 for i in idx])
    high = p1 > 0.5
    likely = np.flatnonzero(high)
    before = [i - likely[likely < i].max() if (likely < i).any() else n + 1 for i in idx]
    after = [likely[likely > i].min() - i if (likely > i).any() else n + 1 for i in idx]
    cols["dist_content_before"] = np.log1p(before)
    cols["dist_content_after"] = np.log1p(after)
    runs = []
    for is_high, group in groupby(high):
        length = len(list(group))
        runs += [length if is_high else 0] * length
    cols["content_run"] = np.log1p(runs)
    cols["page_p1_mean"] = np.full(n, p1.mean())
    cols["page_p1_frac"] = np.full(n, high.mean())
    center = int(np.argmax(window_mean_reference(p1 * log_len, 5)))
    lo, hi = run_reference(list(cols["p1_mean_5"] >= 0.3), center)
    cols["main2_dist"] = (idx - center) / n
    cols["in_main2"] = (idx >= lo) & (idx <= hi)
    cols["before_main2"] = idx < lo
    cols["after_main2"] = idx > hi
    for cut in SEGMENT_CUTS:
        lo, hi = best_segment_reference(log_len * (p1 - cut))
        dist = np.where(idx < lo, idx - lo, np.where(idx > hi, idx - hi, 0))
        cols[f"seg{int(cut * 10)}_in"] = (idx >= lo) & (idx <= hi)
        cols[f"seg{int(cut * 10)}_dist"] = np.sign(dist) * np.log1p(np.abs(dist))
    rank = np.empty(n)
    rank[np.argsort(p1, kind="stable")] = idx / max(n - 1, 1)
    cols["p1_rank"] = rank
    cols["p1_rel_max"] = p1 / max(p1.max(), 1e-6)
    top = p1[p1 >= 0.3]
    cols["p1_rel_top"] = p1 / (quantile_reference(top, 0.9) if len(top) else 1.0)
    for t, value in zip(PAGE_TYPES, np.asarray(page_type, dtype=np.float32), strict=True):
        cols[f"type_{t}"] = np.full(n, value)
    return cols


PROBABILITIES = st.floats(0, 1) | st.sampled_from([0.0, 0.3, 0.5, 0.7, 1.0])


@PROPERTY
@given(
    hnp.arrays(np.float64, st.integers(1, 50), elements=PROBABILITIES),
    st.lists(st.floats(0, 1), min_size=len(PAGE_TYPES), max_size=len(PAGE_TYPES)),
    st.integers(0, 2**32 - 1),
)
def test_stage2_context_matches_its_definition(p1, page_type, seed):
    n = len(p1)
    x1 = np.random.default_rng(seed).uniform(0, 5, (n, len(STAGE1_FEATURES))).astype(np.float32)
    got = stage2_matrix(p1, x1, page_type)
    expected = context_reference(p1, x1[:, BASE_INDEX["log_len"]], page_type)
    names = STAGE2_FEATURES[: -len(STAGE1_FEATURES)]
    assert list(expected) == names
    for k, name in enumerate(names):
        want = np.asarray(expected[name], dtype=np.float64).astype(np.float32)
        np.testing.assert_array_equal(got[:, k], want, err_msg=name)
    np.testing.assert_array_equal(got[:, len(names) :], x1)
    rows = p1 > 0.4
    np.testing.assert_array_equal(stage2_matrix(p1, x1, page_type, rows), got[rows])
