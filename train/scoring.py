"""Score one page's output against its gold: the labelled lines and, where shipped, the benchmark's.

Used by `winnow train` (on out-of-fold predictions) and `winnow eval` (on a saved model), so
the two always report the same figures.
"""

from __future__ import annotations

import numpy as np

from winnow.article import Article
from winnow.train.dataset import Example
from winnow.train.metrics import shingle_counts, token_prf, wcxb_prf

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


def score_page(example: Example, article: Article) -> dict:
    out = output_text(example, article)
    p, r, f = token_prf(out, label_gold(example))
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
    bench = benchmark_gold(example)
    if bench is not None:
        row["wcxb_precision"], row["wcxb_recall"], row["wcxb_f1"] = wcxb_prf(out, bench)
        row["aeb_tp"], row["aeb_fp"], row["aeb_fn"] = shingle_counts(out, bench)
    return row


def heuristic_keep(lines: list[str]) -> np.ndarray:
    """The plain line rule: keep lines of >= 3 words ending in sentence punctuation."""
    return np.array(
        [len(t.split()) >= 3 and t.rstrip().endswith(SENTENCE_END) for t in lines], dtype=bool
    )
