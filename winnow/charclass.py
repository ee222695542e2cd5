"""Per-code-point classes as bit flags, looked up for a whole page in one numpy call.

Features count characters of each class per line; doing it through one table lookup and one
cumulative sum is what keeps featurization free of per-line Python loops.
"""

from __future__ import annotations

import numpy as np

SPACE = 1 << 0
HANGUL = 1 << 1
HAN = 1 << 2
KANA = 1 << 3
LATIN = 1 << 4
UPPER = 1 << 5
DIGIT = 1 << 6
PUNCT = 1 << 7
OTHER_ALPHA = 1 << 8  # letters of other scripts: Cyrillic, Greek, Arabic, Thai, Devanagari…
SENT_END = 1 << 9  # . ! ? and their CJK/full-width forms, … ellipsis
CLOSER = 1 << 10  # quotes and brackets that may follow a sentence end
BULLET = 1 << 11  # list and decoration marks that open menu and list lines
SEPARATOR = 1 << 12  # | · / > » — separators of menus and breadcrumbs
KO_ENDING = 1 << 13  # 다 요 죠 까 니: the last syllable of a Korean sentence
OPENER = 1 << 14  # brackets that open "[서울=뉴스1]"-style prefixes
DATE_PART = 1 << 15  # . / - : and 년 월 일 시 분 年 月 日 時 after a number

FLAGS = {
    "space": SPACE,
    "hangul": HANGUL,
    "han": HAN,
    "kana": KANA,
    "latin": LATIN,
    "upper": UPPER,
    "digit": DIGIT,
    "punct": PUNCT,
    "other_alpha": OTHER_ALPHA,
}

_MAX_CP = 0x110000


def _ranges(table: np.ndarray, flag: int, ranges: list[tuple[int, int]]) -> None:
    for lo, hi in ranges:
        table[lo : hi + 1] |= flag


def _chars(table: np.ndarray, flag: int, chars: str) -> None:
    table[[ord(c) for c in chars]] |= flag


def _build() -> np.ndarray:
    table = np.zeros(_MAX_CP, dtype=np.uint16)
    bmp = np.arange(0x10000)
    letters = np.fromiter((chr(i).isalpha() for i in range(0x10000)), dtype=bool, count=0x10000)
    spaces = np.fromiter((chr(i).isspace() for i in range(0x10000)), dtype=bool, count=0x10000)
    table[bmp[spaces]] |= SPACE
    _chars(table, SPACE, "\u200b\u200c\u200d\u2060\ufeff")  # zero-width: invisible like spaces
    _ranges(table, HANGUL, [(0xAC00, 0xD7A3), (0x1100, 0x11FF), (0x3130, 0x318F), (0xA960, 0xA97F)])
    _ranges(
        table,
        HAN,
        [
            (0x4E00, 0x9FFF),
            (0x3400, 0x4DBF),
            (0xF900, 0xFAFF),
            (0x20000, 0x2FFFF),
            (0x3005, 0x3007),
        ],
    )
    _ranges(table, KANA, [(0x3040, 0x30FF), (0x31F0, 0x31FF), (0xFF66, 0xFF9F)])
    _ranges(
        table,
        LATIN,
        [(0x41, 0x5A), (0x61, 0x7A), (0xC0, 0x24F), (0x1E00, 0x1EFF), (0xFF21, 0xFF3A)],
    )
    _ranges(table, LATIN, [(0xFF41, 0xFF5A)])
    table[0xD7] &= ~np.uint16(LATIN)  # × and ÷ sit inside Latin-1's letter range
    table[0xF7] &= ~np.uint16(LATIN)
    _ranges(table, UPPER, [(0x41, 0x5A), (0xC0, 0xDE), (0xFF21, 0xFF3A)])
    table[0xD7] &= ~np.uint16(UPPER)
    _ranges(table, DIGIT, [(0x30, 0x39), (0xFF10, 0xFF19), (0x2460, 0x2473)])
    other = letters & ((table[:0x10000] & (HANGUL | HAN | KANA | LATIN)) == 0)
    table[bmp[other]] |= OTHER_ALPHA
    ascii_punct = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
    _chars(table, PUNCT, ascii_punct)
    _ranges(table, PUNCT, [(0x2010, 0x205E), (0x3000, 0x303F), (0xFF01, 0xFF0F), (0xFF1A, 0xFF20)])
    _ranges(table, PUNCT, [(0xFF3B, 0xFF40), (0xFF5B, 0xFF65), (0xA1, 0xBF), (0x2190, 0x25FF)])
    _ranges(table, PUNCT, [(0x2600, 0x27BF)])
    table[0x3000] &= ~np.uint16(PUNCT)  # ideographic space is a space
    _chars(table, SENT_END, ".!?…。！？｡؟।")
    _chars(table, CLOSER, "\"'”’」』）)]】〕>》›»")
    _chars(table, BULLET, "•·*-–—‣◦▪▫■□▲△▶▷►▸▹◀◆◇○●◎★☆※☞✓✔➤→⇒>»|+#")
    _chars(table, SEPARATOR, "|·/>»›:•ㆍ")
    _chars(table, KO_ENDING, "다요죠까니")
    _chars(table, OPENER, "[(【〔「『<《")
    _chars(table, DATE_PART, "./-:년월일시분年月日時时")
    return table


# One primary class per code point, so a single `bincount` counts every class of every line.
PRIMARY_CLASSES = (
    "space",
    "hangul",
    "han",
    "kana",
    "latin",
    "digit",
    "punct",
    "other_alpha",
    "other",
)
_PRIMARY_ORDER = (SPACE, HANGUL, HAN, KANA, LATIN, DIGIT, PUNCT, OTHER_ALPHA)


def _primary(table: np.ndarray) -> np.ndarray:
    primary = np.full(len(table), len(PRIMARY_CLASSES) - 1, dtype=np.uint8)
    for index in reversed(range(len(_PRIMARY_ORDER))):  # first matching class wins
        primary[(table & _PRIMARY_ORDER[index]) != 0] = index
    return primary


TABLE = _build()
PRIMARY = _primary(TABLE)


def classify(codepoints: np.ndarray) -> np.ndarray:
    """Flags of each code point (uint16)."""
    return np.take(TABLE, codepoints)  # np.take: several times faster than fancy indexing
