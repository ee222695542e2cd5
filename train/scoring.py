"""Score one page's output against its gold: the labelled lines and, where shipped, the benchmark's.

Used by `winnow train` (on out-of-fold predictions) and `winnow eval` (on a saved model), so
the two always report the same figures.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from winnow.article import Article, assemble
from winnow.model import KIND_LABELS, PagePrediction
from winnow.train.dataset import Example
from winnow.train.metrics import (
    aeb_tokens,
    counter_prf,
    shingle_counts_of,
    shingles,
    tokens,
    wcxb_tokens,
)

SENTENCE_END = tuple(".!?。！？…\"'”’")


def label_gold(example: Example) -> str:
    """The labelled article: T and B lines (B only where the corpus's gold has no title)."""
    keep = {"T", "B"} if example.gold_has_title else {"B"}
    return "\n".join(
        t for lab, t in zip(example.page.labels, example.page.lines, strict=True) if lab in keep
    )


def output_text(example: Example, article: Article) -> str:
    """What is compared with the gold: the body, with the title where the gold has titles."""
    if example.gold_has_title and article.title:
        return f"{article.title}\n\n{article.text}"
    return article.text


def benchmark_gold(example: Example) -> str | None:
    gold = example.gold
    if not gold or gold.get("gold_text") is None:
        return None
    return gold["gold_text"]


@dataclass(frozen=True)
class GoldBags:
    """A page's gold, tokenised once: `winnow eval` scores the model and two baselines on it."""

    label: Counter  # tokens of the labelled article
    bench_words: Counter | None  # WCXB words of the benchmark's gold, where one ships
    bench_shingles: Counter | None  # AEB shingles of the same


def gold_bags(example: Example) -> GoldBags:
    bench = benchmark_gold(example)
    return GoldBags(
        Counter(tokens(label_gold(example))),
        Counter(wcxb_tokens(bench)) if bench is not None else None,
        shingles(aeb_tokens(bench)) if bench is not None else None,
    )


def score_page(example: Example, article: Article, gold: GoldBags | None = None) -> dict:
    gold = gold or gold_bags(example)
    out = output_text(example, article)
    p, r, f = counter_prf(Counter(tokens(out)), gold.label)
    row = {
        "corpus": example.corpus,
        "render": example.page.render.split()[0] if example.page.render else "-",
        "site": example.page.site,
        "lang": example.page.lang,
        "type": (example.gold or {}).get("type") or example.page.get("type") or "-",
        "id": example.page.id,
        "path": example.page.path,
        "precision": p,
        "recall": r,
        "f1": f,
    }
    if gold.bench_words is not None:
        words = Counter(wcxb_tokens(out))
        row["wcxb_precision"], row["wcxb_recall"], row["wcxb_f1"] = counter_prf(
            words, gold.bench_words
        )
        row["aeb_tp"], row["aeb_fp"], row["aeb_fn"] = shingle_counts_of(
            shingles(aeb_tokens(out)), gold.bench_shingles
        )
    return row


def heuristic_keep(lines: list[str]) -> np.ndarray:
    """The plain line rule: keep lines of >= 3 words ending in sentence punctuation."""
    return np.array(
        [len(t.split()) >= 3 and t.rstrip().endswith(SENTENCE_END) for t in lines], dtype=bool
    )


def fixed_article(lines: list[str], rows: np.ndarray, keep: np.ndarray) -> Article:
    """The article of a rule that keeps exactly `keep` of the non-blank lines `rows`, with no
    title: how the baselines (keep everything, the line heuristic) are scored like the model.
    """
    other = np.tile(np.eye(len(KIND_LABELS))[KIND_LABELS.index("X")], (len(rows), 1))
    pred = PagePrediction(rows, np.asarray(keep, dtype=float), None, 0.0, other)
    return assemble(lines, pred, 0.5)
