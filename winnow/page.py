"""A page as arrays: its code points, their classes and where each line starts and ends.

Built once per page; the featurizer and the lexical model both read it, so the text is
encoded and classified once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from winnow.charclass import SPACE, classify
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

    def line_of(self, positions: np.ndarray) -> np.ndarray:
        """Line index of each code-point position."""
        return np.searchsorted(self.starts, positions, side="right") - 1

    def count(self, mask: np.ndarray) -> np.ndarray:
        """Per line: how many of its code points are True in `mask`."""
        return np.bincount(self.line_id[mask], minlength=self.n_lines + 1)[: self.n_lines]


def encode(text: str) -> np.ndarray:
    try:
        data = text.encode("utf-32-le")
    except UnicodeEncodeError:  # lone surrogates from a caller that skipped split_lines
        data = replace_lone_surrogates(text).encode("utf-32-le")
    return np.frombuffer(data, dtype=np.uint32)


def page_text(lines: list[str]) -> PageText:
    text = "\n".join(lines)
    cp = encode(text)
    flags = classify(cp)
    lengths = np.fromiter(map(len, lines), dtype=np.int64, count=len(lines))
    ends = np.cumsum(lengths + 1) - 1
    starts = ends - lengths
    line_id = np.repeat(np.arange(len(lines)), lengths + 1)[: len(cp)]
    line_id[ends[:-1]] = len(lines)
    spaces = np.bincount(line_id[(flags & SPACE) != 0], minlength=len(lines) + 1)[:-1]
    nonblank = np.flatnonzero(spaces < lengths)
    return PageText(lines, text, cp, flags, starts, ends, line_id, nonblank)
