"""Hashed character n-grams: a lexical view of each line that works for any script.

Every line becomes a bag of hashed 1-3-grams of its (lower-cased, digit-folded) characters plus
marked n-grams at its start and end, weighted 1/sqrt(count). A linear model over that bag
scores a line with one weight lookup per n-gram in a compiled loop, so it costs microseconds
where a vectorizer would cost milliseconds. `LexicalScorer` holds fitted weights; training
builds the same bags as a sparse matrix (`ngram_matrix`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit
from scipy import sparse

from winnow import charclass as cc
from winnow.page import PageText
from winnow.scan import HASH_MIX as _MIX
from winnow.scan import HASH_MUL as _MUL

BITS = 18
ORDERS = (1, 2, 3)
EDGE = 3  # characters in the start and end n-grams
_SALT_START = np.uint64(0xA5A5A5A5)
_SALT_END = np.uint64(0x5A5A5A5A5A)


@njit(cache=True, nogil=True)
def _normalized(cp, flags):  # pragma: no cover - compiled
    """ASCII letters lower-cased, every digit "0", every space " "."""
    out = np.empty(len(cp), np.uint64)
    for i in range(len(cp)):
        c = cp[i] + 32 if 65 <= cp[i] <= 90 else cp[i]
        out[i] = 32 if flags[i] & cc.SPACE else (48 if flags[i] & cc.DIGIT else c)
    return out


def line_ngrams(page: PageText) -> tuple[np.ndarray, np.ndarray]:
    """(row, bucket) of every n-gram; row indexes `page.nonblank` (blank lines hold none)."""
    n_rows = len(page.nonblank)
    if not n_rows:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    row_of_line = np.full(page.n_lines + 1, -1, dtype=np.int64)
    row_of_line[page.nonblank] = np.arange(n_rows)
    nonspace = np.flatnonzero((page.flags & cc.SPACE) == 0)
    line_starts, line_ends = page.starts[page.nonblank], page.ends[page.nonblank]
    first = nonspace[np.searchsorted(nonspace, line_starts)]
    last = nonspace[np.searchsorted(nonspace, line_ends) - 1]
    edges = np.stack([first, np.maximum(last - (EDGE - 1), line_starts)])
    return _grams(_normalized(page.cp, page.flags), page.line_id, row_of_line, edges, line_ends)


@njit(cache=True, nogil=True)
def _grams(cp, line_id, row_of_line, edges, line_ends):  # pragma: no cover - compiled
    """Hash every 1-3-gram that starts at a non-space character and stays in its line, then
    the EDGE characters from each line's first non-space character and up to its last one
    (past the line's end a character counts as 0)."""
    n = len(cp)
    n_rows = len(line_ends)
    rows = np.empty(n * len(ORDERS) + 2 * n_rows, np.int64)
    buckets = np.empty_like(rows)
    k = 0
    for order in ORDERS:
        for i in range(n - order + 1):
            row = row_of_line[line_id[i]]
            if cp[i] == 32 or row < 0 or line_id[i] != line_id[i + order - 1]:
                continue
            h = np.uint64(0)
            for j in range(order):
                h = h * _MUL + cp[i + j]
            rows[k] = row
            buckets[k] = _bucket(h, np.uint64(order))
            k += 1
    for e, salt in enumerate((_SALT_START, _SALT_END)):
        for row in range(n_rows):
            h = np.uint64(0)
            for j in range(EDGE):
                at = edges[e, row] + j
                h = h * _MUL + (cp[min(at, n - 1)] if at < line_ends[row] else np.uint64(0))
            rows[k] = row
            buckets[k] = _bucket(h, salt)
            k += 1
    return rows[:k], buckets[:k]


@njit(cache=True)
def _bucket(h, salt):  # pragma: no cover - compiled
    return np.int64(((h ^ salt) * _MIX) >> np.uint64(64 - BITS))


_LANES = 8  # running sums per pass of `_sum_weights`, each held in a register


@njit(cache=True, nogil=True)
def _sum_weights(rows, buckets, weights, n_rows):  # pragma: no cover - compiled
    """Per row: the sum of its n-grams' weights, in double precision.

    `weights` has a multiple of _LANES columns; a row's n-grams are consecutive within each
    kind, so each run adds into eight scalars (registers) and is written once: three times
    faster than adding every weight into the output row."""
    sums = np.zeros((n_rows, weights.shape[1]))
    for c in range(0, weights.shape[1], _LANES):
        i = 0
        while i < len(rows):
            row, j = rows[i], i
            s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = 0.0
            while j < len(rows) and rows[j] == row:
                w = buckets[j]
                s0 += weights[w, c]
                s1 += weights[w, c + 1]
                s2 += weights[w, c + 2]
                s3 += weights[w, c + 3]
                s4 += weights[w, c + 4]
                s5 += weights[w, c + 5]
                s6 += weights[w, c + 6]
                s7 += weights[w, c + 7]
                j += 1
            for k, total in enumerate((s0, s1, s2, s3, s4, s5, s6, s7)):
                sums[row, c + k] += total
            i = j
    return sums


def _row_weights(rows: np.ndarray, n_rows: int) -> np.ndarray:
    per_row = np.bincount(rows, minlength=n_rows)
    return 1.0 / np.sqrt(np.maximum(per_row, 1))


def ngram_matrix(page: PageText) -> sparse.csr_matrix:
    """The page's bags as a (non-blank lines × 2**BITS) sparse matrix, for training."""
    rows, buckets = line_ngrams(page)
    n_rows = len(page.nonblank)
    data = _row_weights(rows, n_rows)[rows].astype(np.float32)
    return sparse.csr_matrix((data, (rows, buckets)), shape=(n_rows, 1 << BITS), dtype=np.float32)


@dataclass
class LexicalScorer:
    """Fitted linear heads over the n-gram bags: `weights` (2**BITS × heads), `bias` (heads)."""

    weights: np.ndarray
    bias: np.ndarray
    heads: tuple[str, ...]

    def _weights32(self) -> np.ndarray:
        """float16 on disk keeps the artifact small; float32 in memory keeps lookups fast
        (zero columns pad the heads to a multiple of _LANES for `_sum_weights`)."""
        cached = self.__dict__.get("_w32")
        if cached is None:
            rows, heads = self.weights.shape
            cached = np.zeros((rows, -(-heads // _LANES) * _LANES), dtype=np.float32)
            cached[:, :heads] = self.weights
            self.__dict__["_w32"] = cached
        return cached

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "_w32"}

    def score(self, page: PageText) -> np.ndarray:
        """(non-blank lines × heads) decision values."""
        n_rows = len(page.nonblank)
        rows, buckets = line_ngrams(page)
        sums = _sum_weights(rows, buckets, self._weights32(), n_rows)[:, : len(self.heads)]
        return (sums * _row_weights(rows, n_rows)[:, None] + self.bias).astype(np.float32)
