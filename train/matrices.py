"""Labelled pages -> the arrays training needs, built with the serving featurizer.

Rows are the non-blank lines of every page, page after page. Targets:
- content: T/B = 1, N/L/A/S/X = 0; C and M weigh 0 (optional content: neither rewarded nor
  penalised), and so do the lines repeating the headline on pages whose gold has no title
  (aeb, zhweb…): there the headline is X only because the gold left it out.
- kind: B (for T and B), C, M, N, L, A, S or X on fully labelled pages, -1 elsewhere.
- title: T.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from winnow.features import BASE_FEATURES, base_matrix
from winnow.lexical import ngram_matrix
from winnow.model import KIND_LABELS
from winnow.page import PageText, page_text
from winnow.train.dataset import Example

_KIND_INDEX = {label: i for i, label in enumerate(KIND_LABELS)} | {"T": KIND_LABELS.index("B")}


@dataclass
class Matrices:
    examples: list[Example]
    pages: list[PageText]
    offsets: np.ndarray  # page k's rows are offsets[k]:offsets[k+1]
    base: np.ndarray  # rows × BASE_FEATURES
    ngrams: sparse.csr_matrix  # rows × 2**BITS
    labels: np.ndarray  # the row's label letter
    y_content: np.ndarray
    w_content: np.ndarray
    y_kind: np.ndarray
    y_title: np.ndarray
    page_of_row: np.ndarray
    chars: np.ndarray  # non-space characters per row (text-level weight)

    @property
    def n_pages(self) -> int:
        return len(self.pages)

    def rows(self, k: int) -> slice:
        return slice(self.offsets[k], self.offsets[k + 1])

    def page_rows(self, pages: np.ndarray) -> np.ndarray:
        """Row indices of the given pages, in order."""
        return np.concatenate([np.arange(self.offsets[k], self.offsets[k + 1]) for k in pages])


def _normalized(text: str) -> str:
    return " ".join(text.split())


def headline_copies(example: Example, lines: list[str]) -> np.ndarray:
    """Mask of lines equal to the page's headline, on pages whose gold has no title line."""
    gold = example.gold or {}
    headline = gold.get("gold_title") or gold.get("headline")
    mask = np.zeros(len(lines), dtype=bool)
    if "T" in example.page.label_set or example.gold_has_title or not headline:
        return mask
    target = _normalized(headline)
    for i, line in enumerate(lines):
        if line and _normalized(line) == target:
            mask[i] = True
    return mask


@dataclass
class _PageRows:
    page: PageText
    base: np.ndarray
    grams: sparse.csr_matrix
    labels: np.ndarray
    weight: np.ndarray
    kind: np.ndarray


def _featurize(ex: Example, corpus_weights: dict[str, float]) -> _PageRows:
    """One page's rows: the serving featurizer's output plus the targets and weights."""
    lines = list(ex.page.lines)
    page = page_text(lines)
    nb = page.nonblank
    page_labels = np.array(ex.page.labels, dtype=object)[nb]
    weight = np.full(len(nb), corpus_weights.get(ex.corpus, 1.0), dtype=np.float32)
    weight[np.isin(page_labels, ["C", "M"])] = 0.0
    weight[headline_copies(ex, lines)[nb]] = 0.0
    kind = np.full(len(nb), -1, dtype=np.int8)
    if ex.fully_labelled:
        kind = np.array([_KIND_INDEX.get(lab, -1) for lab in page_labels], dtype=np.int8)
    return _PageRows(page, base_matrix(page), ngram_matrix(page), page_labels, weight, kind)


def _featurize_chunk(chunk: list[Example], corpus_weights: dict[str, float]) -> list[_PageRows]:
    return [_featurize(ex, corpus_weights) for ex in chunk]


def build(
    examples: list[Example], corpus_weights: dict[str, float], progress=None, jobs: int = 2
) -> Matrices:
    """Featurize every page (in `jobs` processes; the pages' order is kept)."""
    from joblib import Parallel, delayed

    size = 64
    chunks = [examples[i : i + size] for i in range(0, len(examples), size)]
    parts: list[_PageRows] = []
    runner = Parallel(n_jobs=jobs, return_as="generator") if jobs > 1 else None
    results = (
        runner(delayed(_featurize_chunk)(c, corpus_weights) for c in chunks)
        if runner
        else (_featurize_chunk(c, corpus_weights) for c in chunks)
    )
    for chunk_rows in results:
        parts.extend(chunk_rows)
        if progress is not None:
            for _ in chunk_rows:
                progress()
    sizes = np.array([len(p.labels) for p in parts], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    labels_all = np.concatenate([p.labels for p in parts]).astype("U1")
    base = np.concatenate([p.base for p in parts])
    chars = base[:, BASE_FEATURES.index("n_nonspace")]
    return Matrices(
        examples=examples,
        pages=[p.page for p in parts],
        offsets=offsets,
        base=base,
        ngrams=sparse.vstack([p.grams for p in parts], format="csr"),
        labels=labels_all,
        y_content=np.isin(labels_all, ["T", "B"]).astype(np.int8),
        w_content=np.concatenate([p.weight for p in parts]),
        y_kind=np.concatenate([p.kind for p in parts]),
        y_title=(labels_all == "T").astype(np.int8),
        page_of_row=np.repeat(np.arange(len(parts)), sizes),
        chars=chars,
    )
