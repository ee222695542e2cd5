"""How close an extracted text is to a gold text, by the rules the field publishes.

- `token_prf`: bag of tokens, words for spaced scripts and one token per Han/Kana character
  (a Chinese or Japanese sentence is not one "word"); winnow's own text-level figure.
- `wcxb_prf`: WCXB's rule, bag of lower-cased `\\w+` words (its evaluate.py).
- `shingle_counts` + `aeb_summary`: AEB's rule, 4-token shingles (case kept), each page's
  tp/fp/fn normalised to sum 1, F1 = harmonic mean of mean precision and mean recall.
Per-page figures of the bag rules follow WCXB: an empty gold with an empty output scores 1.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

_WORD = re.compile(r"\w+")
_CJK = "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# One token per Han/Kana character, else runs of the other word characters.
_CJK_TOKEN = re.compile(rf"[{_CJK}]|(?:(?![{_CJK}])\w)+")


def tokens(text: str) -> list[str]:
    """winnow's tokens: lower-cased words, and each Han/Kana character on its own."""
    return _CJK_TOKEN.findall(text.lower()) if text else []


def wcxb_tokens(text: str) -> list[str]:
    return _WORD.findall(text.lower()) if text else []


def aeb_tokens(text: str) -> list[str]:
    return _WORD.findall(text or "")


def bag_prf(pred: Sequence[str], gold: Sequence[str]) -> tuple[float, float, float]:
    """Precision, recall, F1 of two bags of tokens (multiset overlap)."""
    return counter_prf(Counter(pred), Counter(gold))


def counter_prf(pred: Counter, gold: Counter) -> tuple[float, float, float]:
    """`bag_prf` of bags already counted (score one gold against several outputs)."""
    n_pred, n_gold = pred.total(), gold.total()
    if not n_gold:
        return (1.0, 1.0, 1.0) if not n_pred else (0.0, 0.0, 0.0)
    if not n_pred:
        return 0.0, 0.0, 0.0
    overlap = (pred & gold).total()
    p, r = overlap / n_pred, overlap / n_gold
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def token_prf(pred: str, gold: str) -> tuple[float, float, float]:
    return bag_prf(tokens(pred), tokens(gold))


def wcxb_prf(pred: str, gold: str) -> tuple[float, float, float]:
    return bag_prf(wcxb_tokens(pred), wcxb_tokens(gold))


def shingles(toks: list[str], n: int = 4) -> Counter:
    """The n-token shingles of a token list (one shorter shingle when there are fewer)."""
    if len(toks) < n:
        return Counter([tuple(toks)]) if toks else Counter()
    return Counter(zip(*(toks[i:] for i in range(n)), strict=False))


def shingle_counts(
    pred: str, gold: str, *, n: int = 4, tokenize=aeb_tokens
) -> tuple[float, float, float]:
    """AEB's per-page (tp, fp, fn) over n-token shingles, normalised to sum to 1."""
    return shingle_counts_of(shingles(tokenize(pred), n), shingles(tokenize(gold), n))


def shingle_counts_of(p: Counter, g: Counter) -> tuple[float, float, float]:
    """`shingle_counts` of shingles already counted."""
    tp = (p & g).total()
    fp, fn = p.total() - tp, g.total() - tp
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fp == 0 else tp / (tp + fp)


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fn == 0 else tp / (tp + fn)


def aeb_summary(counts: Iterable[tuple[float, float, float]]) -> dict[str, float]:
    """AEB's headline figures over pages: mean precision, mean recall, F1 of the two means."""
    counts = list(counts)
    ps = [_precision(*c) for c in counts if c[0] + c[1] > 0]
    rs = [_recall(*c) for c in counts if c[0] + c[2] > 0]
    p = sum(ps) / len(ps) if ps else 0.0
    r = sum(rs) / len(rs) if rs else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}
