"""A page as arrays: its code points, their classes and where each line starts and ends.

Built once per page; the featurizer and the lexical model both read it, so the text is
encoded and classified once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from winnow.charclass import SPACE, TABLE
from winnow.lines import replace_lone_surrogates


@dataclass(frozen=True)
class PageText:
    lines: list[str]
    text: str  # "\n".join(lines)
    cp: np.ndarray  # code points of text, uint32
    flags: np.ndarray  # charclass flags per code point, uint16
    starts: np.ndarray  # per line: index of its first code point in cp
    ends: np.ndarray  # per line: index one past its last code point
    line_id: np.ndarray  # per code point: its line; the "\n" between lines gets n_lines
    nonblank: np.ndarray  # indices of the lines holding a non-space character

    @property
    def n_lines(self) -> int:
        return len(self.lines)


def encode(text: str) -> np.ndarray:
    try:
        data = text.encode("utf-32-le")
    except UnicodeEncodeError:  # lone surrogates from a caller that skipped split_lines
        data = replace_lone_surrogates(text).encode("utf-32-le")
    return np.frombuffer(data, dtype=np.uint32)


def page_text(lines: list[str]) -> PageText:
    text = "\n".join(lines)
    cp = encode(text)
    lengths = np.fromiter(map(len, lines), dtype=np.int64, count=len(lines))
    flags, starts, ends, line_id, nonblank = _index(cp, TABLE, lengths)
    return PageText(lines, text, cp, flags, starts, ends, line_id, nonblank)


@njit(cache=True, nogil=True)
def _index(cp, table, lengths):  # pragma: no cover - compiled
    """One pass over the page: each code point's flags and line, where each line starts and
    ends, and which lines hold a non-space character."""
    n_lines = len(lengths)
    flags = np.empty(len(cp), np.uint16)
    line_id = np.empty(len(cp), np.int64)
    starts = np.empty(n_lines, np.int64)
    ends = np.empty(n_lines, np.int64)
    nonblank = np.empty(n_lines, np.int64)
    k = at = 0
    for line in range(n_lines):
        starts[line] = at
        blank = True
        for i in range(at, at + lengths[line]):
            flags[i] = table[cp[i]]
            line_id[i] = line
            blank &= (flags[i] & SPACE) != 0
        at = ends[line] = at + lengths[line]
        if not blank:
            nonblank[k] = line
            k += 1
        if at < len(cp):  # the "\n" before the next line belongs to no line
            flags[at] = table[cp[at]]
            line_id[at] = n_lines
            at += 1
    return flags, starts, ends, line_id, nonblank[:k]
