"""Compiled passes over a page's code points: the per-character part of the line features.

Counting marks that depend on a character's neighbours (a word start, a sentence stop followed
by a space, a date part), matching keywords and hashing shingles took ~2,000 small numpy calls
per page, a third of its cleaning time. Here each is one loop compiled by numba (cached on
disk after the first run) and returns exactly what the numpy version returned: `features.py`
turns the counts into features. Functions marked `# pragma: no cover` run as machine code.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from winnow.charclass import (
    DATE_PART,
    DIGIT,
    LATIN,
    PRIMARY_CLASSES,
    SENT_END,
    SEPARATOR,
    SPACE,
    UPPER,
)

N_PRIMARY = len(PRIMARY_CLASSES)

# Columns of `scan_lines`' per-line integer matrix.
SCAN_COLUMNS = (
    "words",  # non-space characters after a space
    "upper",
    "title_words",  # words opening with a capital
    "sentences",  # sentence marks followed by a space
    "separators",  # separators with spaces on both sides
    "numbers",
    "dates",  # digits followed by a date part (2019. 11/ 3년)
    "emails",  # @ between letters or digits
    "indent",  # characters before the first non-space one
    "f_first",  # charclass flags of the first non-space character
    "f_last",  # … of the last
    "f_prev",  # … of the one before the last (0 with fewer than two)
    "last_cp",  # code point of the last non-space character
    "title_run",  # longest run of words opening with a capital or digit
    "lead_title_run",  # the run the line opens with
)
(  # their indices, for the compiled code
    _WORDS,
    _UPPER_N,
    _TITLE_WORDS,
    _SENTENCES,
    _SEPARATORS,
    _NUMBERS,
    _DATES,
    _EMAILS,
    _INDENT,
    _F_FIRST,
    _F_LAST,
    _F_PREV,
    _LAST_CP,
    _TITLE_RUN,
    _LEAD_TITLE_RUN,
) = range(len(SCAN_COLUMNS))
_DATE_SEPARATORS = tuple(ord(c) for c in "./-:")  # a digit must follow them
_KEY_RANK, _KEY_MIX_B, _KEY_MIX_A = (
    np.uint64(0x9E3779B1),
    np.uint64(0xBF58476D1CE4E5B9),
    np.uint64(0x94D049BB133111EB),
)


@njit(cache=True, nogil=True)
def scan_lines(cp, flags, primary, bounds):  # pragma: no cover - compiled
    """Per line (`bounds` = starts, ends): counts of each primary class, the `SCAN_COLUMNS`,
    and a 64-bit fingerprint of its non-space characters (equal lines, equal keys)."""
    n_lines = bounds.shape[1]
    classes = np.zeros((n_lines, N_PRIMARY), np.int64)
    scan = np.zeros((n_lines, len(SCAN_COLUMNS)), np.int64)
    keys = np.zeros(n_lines, np.uint64)
    for line in range(n_lines):
        start, end = bounds[0, line], bounds[1, line]
        row = scan[line]
        first = last = prev = -1
        run = best = 0
        lead = -1  # length of the run the first word opens, known when that run ends
        key_a = key_b = rank = np.uint64(0)
        for i in range(start, end):
            classes[line, primary[cp[i]]] += 1
            if flags[i] & SPACE:
                continue
            if first < 0:
                first = i
            prev, last = last, i
            rank += np.uint64(1)
            key_a += np.uint64(cp[i])
            key_b += np.uint64(cp[i]) * (rank * _KEY_RANK + np.uint64(1))
            if _count_neighbour_marks(cp, flags, i, row):  # a word starts here
                if flags[i] & (UPPER | DIGIT):
                    run += 1
                    best = max(best, run)
                else:
                    lead = run if lead < 0 else lead
                    run = 0
        if first >= 0:
            row[_INDENT] = first - start
            row[_F_FIRST] = flags[first]
            row[_F_LAST] = flags[last]
            row[_F_PREV] = flags[prev] if prev >= 0 else 0
            row[_LAST_CP] = cp[last]
        row[_TITLE_RUN] = best
        row[_LEAD_TITLE_RUN] = lead if lead >= 0 else run
        keys[line] = key_b * _KEY_MIX_B + key_a * _KEY_MIX_A + rank
    return classes, scan, keys


@njit(cache=True)
def _count_neighbour_marks(cp, flags, i, row):  # pragma: no cover - compiled
    """Add the non-space character at i to the counts of `row` (words … emails); True when a
    word starts at it."""
    n = len(cp)
    f = flags[i]
    prev_space = i == 0 or (flags[i - 1] & SPACE) != 0
    next_space = i == n - 1 or (flags[i + 1] & SPACE) != 0
    if f & UPPER:  # (a branch each: adding every test's 0 or 1 to memory is twice as slow)
        row[_UPPER_N] += 1
        row[_TITLE_WORDS] += prev_space
    if prev_space:
        row[_WORDS] += 1
    if f & (SENT_END | SEPARATOR):
        row[_SENTENCES] += (f & SENT_END) != 0 and next_space
        row[_SEPARATORS] += (f & SEPARATOR) != 0 and prev_space and next_space
    if f & DIGIT:
        row[_NUMBERS] += i == 0 or (flags[i - 1] & DIGIT) == 0
        row[_DATES] += _date_part(cp, flags, i)
    if cp[i] == 64 and 0 < i < n - 1:  # @
        row[_EMAILS] += (flags[i - 1] & (LATIN | DIGIT)) != 0 and (
            flags[i + 1] & (LATIN | DIGIT)
        ) != 0
    return prev_space


@njit(cache=True)
def _date_part(cp, flags, i):  # pragma: no cover - compiled
    """The digit at i is followed by a date unit (년 月), or by . / - : and another digit."""
    if i + 1 >= len(cp) or not flags[i + 1] & DATE_PART:
        return False
    digit_after = i + 2 < len(cp) and (flags[i + 2] & DIGIT) != 0
    return digit_after or not _member(cp[i + 1], _DATE_SEPARATORS)


@njit(cache=True)
def _member(c, chars):  # pragma: no cover - compiled
    found = False
    for x in chars:  # a tuple of constants: unrolled
        found |= c == x
    return found


_OPENERS = tuple(ord(c) for c in "[【〔「『(<")
_CLOSERS = tuple(ord(c) for c in "]】〕」』)>")
BRACKET_SPAN = 30  # "[서울=뉴스1]", "(AP)", "<b>": a short prefix or tag, not a sentence


def keyword_table(families: dict[str, tuple[str, ...]]) -> tuple[np.ndarray, ...]:
    """Keyword families as code points for `count_keywords`: the words end to end, where
    each starts, each word's family, and per low 6 bits of a first character the words
    that may start there (a bit mask), so most positions are ruled out with one lookup."""
    words = [(f, w) for f, family in enumerate(families.values()) for w in family]
    text = np.array([ord(c) for _, w in words for c in w], dtype=np.uint32)
    starts = np.cumsum([0, *(len(w) for _, w in words)]).astype(np.int64)
    first = np.zeros(64, dtype=np.int64)
    for k, (_, w) in enumerate(words):
        first[ord(w[0]) & 63] |= 1 << k
    return text, starts, np.array([f for f, _ in words], dtype=np.int64), first


@njit(cache=True, nogil=True)
def count_keywords(lower, flags, line_id, n_lines, table):  # pragma: no cover - compiled
    """Per line and family: occurrences of the family's words in the lower-cased page, where
    a Latin word must follow a non-letter ("by " inside "nearby " is no byline)."""
    words, starts, family, first = table
    counts = np.zeros((n_lines, family.max() + 1), np.int64)
    for i in range(len(lower)):
        candidates = first[lower[i] & 63]
        if not candidates or line_id[i] >= n_lines:
            continue
        if i > 0 and flags[i] & LATIN and flags[i - 1] & LATIN:
            continue
        for w in range(len(family)):
            if candidates >> w & 1 and _occurs_at(lower, i, words[starts[w] : starts[w + 1]]):
                counts[line_id[i], family[w]] += 1
    return counts


@njit(cache=True)
def _occurs_at(text, i, word):  # pragma: no cover - compiled
    if i + len(word) > len(text):
        return False
    k = 0
    while k < len(word) and text[i + k] == word[k]:
        k += 1
    return k == len(word)


@njit(cache=True, nogil=True)
def count_brackets(cp, line_id, n_lines):  # pragma: no cover - compiled
    """Per line: bracketed spans — an opener, 1 to BRACKET_SPAN characters that close nothing
    and break no line, a closer — found left to right without overlap (as re.finditer)."""
    counts = np.zeros(n_lines, np.int64)
    n = len(cp)
    i = 0
    while i < n:
        j = i + 1
        if _member(cp[i], _OPENERS):
            while j < n and j - i <= BRACKET_SPAN and cp[j] != 10 and not _member(cp[j], _CLOSERS):
                j += 1
            if j - i > 1 and j < n and _member(cp[j], _CLOSERS):
                counts[line_id[i]] += 1
                j += 1
            else:
                j = i + 1
        i = j
    return counts


SHINGLE = 8  # characters per shingle: long enough to be specific to a phrase
_SAMPLE = np.uint64(4)  # keep a quarter of the shingles, chosen by content, not by position
# A rolling polynomial hash and a final multiplicative mix (the lexical n-grams use them too).
HASH_MUL, HASH_MIX = np.uint64(0x100000001B3), np.uint64(0x9E3779B97F4A7C15)


@njit(cache=True, nogil=True)
def sampled_shingles(cp, flags, line_id, n_lines):  # pragma: no cover - compiled
    """Hash of each SHINGLE-character window that opens with a non-space character and stays
    in its line (ASCII letters lower-cased), and its line; a quarter kept, by hash value, so
    equal text yields equal samples at any offset."""
    m = max(len(cp) - SHINGLE + 1, 0)
    hashes = np.empty(m, np.uint64)
    lines = np.empty(m, np.int64)
    k = 0
    for i in range(m):
        line = line_id[i]
        if line >= n_lines or line_id[i + SHINGLE - 1] != line or flags[i] & SPACE:
            continue
        h = np.uint64(0)
        for j in range(SHINGLE):
            c = cp[i + j]
            h = h * HASH_MUL + np.uint64(c + 32 if 65 <= c <= 90 else c)
        h *= HASH_MIX
        if (h >> np.uint64(60)) % _SAMPLE == 0:
            hashes[k] = h
            lines[k] = line
            k += 1
    return hashes[:k], lines[:k]


@njit(cache=True, nogil=True)
def shingle_counts(hashes, lines, n_lines, first):  # pragma: no cover - compiled
    """Per line: its shingles found elsewhere in the page, those also in line `first` (lines
    other than `first`), and its number of shingles. Equal hashes meet in a hash table."""
    keys, used, count = _table(len(hashes))
    in_first = np.zeros(len(keys), np.bool_)
    slot = np.empty(len(hashes), np.int64)
    for k in range(len(hashes)):
        at = _slot(keys, used, hashes[k])
        used[at], keys[at] = True, hashes[k]
        count[at] += 1
        in_first[at] |= lines[k] == first
        slot[k] = at
    repeated = np.zeros(n_lines)
    first_hits = np.zeros(n_lines)
    per_line = np.zeros(n_lines)
    for k in range(len(hashes)):
        line = lines[k]
        per_line[line] += 1
        repeated[line] += count[slot[k]] > 1
        first_hits[line] += in_first[slot[k]] and line != first
    return repeated, first_hits, per_line


@njit(cache=True, nogil=True)
def line_repeats(keys, has):  # pragma: no cover - compiled
    """Per line with text (`has`): how many such lines share its fingerprint, and whether it
    is the first of them; 0 and False for empty lines."""
    table, used, count = _table(len(keys))
    slot = np.full(len(keys), -1, np.int64)
    first = np.zeros(len(keys), np.bool_)
    for k in range(len(keys)):
        if not has[k]:
            continue
        at = _slot(table, used, keys[k])
        first[k] = not used[at]
        used[at], table[at] = True, keys[k]
        count[at] += 1
        slot[k] = at
    repeats = np.zeros(len(keys))
    for k in range(len(keys)):
        if slot[k] >= 0:
            repeats[k] = count[slot[k]]
    return repeats, first


@njit(cache=True)
def _table(n):  # pragma: no cover - compiled
    """An empty open-addressing table for n keys (at most half full): keys, used, counts."""
    size = 1
    while size < 2 * n:
        size *= 2
    return np.zeros(size, np.uint64), np.zeros(size, np.bool_), np.zeros(size, np.int64)


@njit(cache=True)
def _slot(table, used, key):  # pragma: no cover - compiled
    """Where `key` sits in an open-addressing table (or would go): mixed keys index it by
    their low bits."""
    mask = np.uint64(len(table) - 1)
    at = np.int64((key ^ (key >> np.uint64(29))) & mask)
    while used[at] and table[at] != key:
        at = (at + 1) & (len(table) - 1)
    return at
