"""Hashed character n-grams: a lexical view of each line that works for any script.

Every line becomes a bag of hashed 1-3-grams of its (lower-cased, digit-folded) characters plus
marked n-grams at its start and end, weighted 1/sqrt(count). A linear model over that bag
scores a line with one weight lookup and one `bincount` per page, so it costs microseconds
where a vectorizer would cost milliseconds. `LexicalScorer` holds fitted weights; training
builds the same bags as a sparse matrix (`ngram_matrix`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from winnow import charclass as cc
from winnow.page import PageText

BITS = 18
ORDERS = (1, 2, 3)
EDGE = 3  # characters in the start and end n-grams
_MUL = np.uint64(0x100000001B3)
_MIX = np.uint64(0x9E3779B97F4A7C15)
_SALT_START = np.uint64(0xA5A5A5A5)
_SALT_END = np.uint64(0x5A5A5A5A5A)


def _normalized(page: PageText) -> np.ndarray:
    cp = page.cp.copy()
    flags = page.flags
    cp[(cp >= 65) & (cp <= 90)] += 32
    cp[(flags & cc.DIGIT) != 0] = 48
    cp[(flags & cc.SPACE) != 0] = 32
    return cp.astype(np.uint64)


def _finish(h: np.ndarray, salt: np.uint64) -> np.ndarray:
    with np.errstate(over="ignore"):
        return (((h ^ salt) * _MIX) >> np.uint64(64 - BITS)).astype(np.int64)


def line_ngrams(page: PageText) -> tuple[np.ndarray, np.ndarray]:
    """(row, bucket) of every n-gram; row indexes `page.nonblank` (blank lines hold none)."""
    blocks = ngram_blocks(page)
    if not blocks:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate([r for r, _ in blocks]), np.concatenate([b for _, b in blocks])


def ngram_blocks(page: PageText) -> list[tuple[np.ndarray, np.ndarray]]:
    """The n-grams as (row, bucket) blocks, one per kind of n-gram, rows ascending in each."""
    if not len(page.nonblank):
        return []
    cp = _normalized(page)
    n = len(cp)
    row_of_line = np.full(page.n_lines + 1, -1, dtype=np.int64)
    row_of_line[page.nonblank] = np.arange(len(page.nonblank))
    line_id = page.line_id
    starts_word = cp != 32  # n-grams start at a character, not at a space
    rows, buckets = [], []
    h = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for order in range(1, max(ORDERS) + 1):
            m = n - order + 1
            if m <= 0:
                break
            h = h[:m]  # extend every (order-1)-gram by one character, in place
            h *= _MUL
            h += cp[order - 1 :]
            if order not in ORDERS:
                continue
            same_line = line_id[:m] == line_id[order - 1 :]
            pos = np.flatnonzero(same_line & starts_word[:m])
            r = row_of_line[line_id[pos]]
            keep = r >= 0
            rows.append(r[keep])
            buckets.append(_finish(h[pos[keep]], np.uint64(order)))
    for salt, pos in ((_SALT_START, _edge_starts(page)), (_SALT_END, _edge_ends(page))):
        h = np.zeros(len(pos), dtype=np.uint64)
        with np.errstate(over="ignore"):
            for k in range(EDGE):
                p = pos + k
                inside = p < page.ends[page.nonblank]
                h = h * _MUL + np.where(inside, cp[np.minimum(p, n - 1)], np.uint64(0))
        rows.append(np.arange(len(pos)))
        buckets.append(_finish(h, salt))
    return list(zip(rows, buckets, strict=True))


def _edge_starts(page: PageText) -> np.ndarray:
    nonspace = np.flatnonzero((page.flags & cc.SPACE) == 0)
    return nonspace[np.searchsorted(nonspace, page.starts[page.nonblank])]


def _edge_ends(page: PageText) -> np.ndarray:
    nonspace = np.flatnonzero((page.flags & cc.SPACE) == 0)
    last = nonspace[np.searchsorted(nonspace, page.ends[page.nonblank]) - 1]
    return np.maximum(last - (EDGE - 1), page.starts[page.nonblank])


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
        """float16 on disk keeps the artifact small; float32 in memory keeps lookups fast."""
        cached = self.__dict__.get("_w32")
        if cached is None:
            cached = self.__dict__["_w32"] = self.weights.astype(np.float32)
        return cached

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "_w32"}

    def score(self, page: PageText) -> np.ndarray:
        """(non-blank lines × heads) decision values."""
        n_rows = len(page.nonblank)
        weights = self._weights32()
        sums = np.zeros((n_rows, len(self.heads)), dtype=np.float32)
        counts = np.zeros(n_rows)
        for rows, buckets in ngram_blocks(page):  # rows ascend: sum runs with reduceat
            if not len(rows):
                continue
            starts = np.flatnonzero(np.diff(rows, prepend=-1))
            sums[rows[starts]] += np.add.reduceat(np.take(weights, buckets, axis=0), starts, axis=0)
            counts += np.bincount(rows, minlength=n_rows)
        scale = 1.0 / np.sqrt(np.maximum(counts, 1))
        return (sums * scale[:, None] + self.bias).astype(np.float32)
