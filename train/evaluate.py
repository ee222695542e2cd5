"""Run a saved model over labelled pages: one row per page, one row per non-blank line.

The pages table holds the text-level scores (`score_page`) of the model and of the two
baselines (keep everything, the plain line heuristic); the lines table holds each non-blank
line's gold label, predicted label and probability, from which every line-level figure is
computed. Pages are spread over worker processes, each loading the model once.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context

import numpy as np
import pandas as pd

from winnow.clean import analyse, resolve_threshold
from winnow.errors import ModelMismatch
from winnow.labels import LABELS
from winnow.model import WinnowModel, load_model
from winnow.train.dataset import Example
from winnow.train.matrices import headline_copies
from winnow.train.scoring import fixed_article, gold_bags, heuristic_keep, score_page

CHUNK = 16  # pages per task: small enough for an even spread, large enough to amortise pickling
SERIAL_BELOW = 48  # fewer pages than this run in-process (a worker costs ~3 s to start)
BASELINE_KEYS = (
    "precision",
    "recall",
    "f1",
    "wcxb_precision",
    "wcxb_recall",
    "wcxb_f1",
    "aeb_tp",
    "aeb_fp",
    "aeb_fn",
)


@dataclass(frozen=True)
class EvalConfig:
    """What to run: the model folder, the operating point, how many processes."""

    model_path: str
    mode: str = "balanced"
    threshold: float | None = None
    workers: int | None = None  # None: one per core


@dataclass
class Evaluation:
    model_card: dict
    model_path: str
    threshold: float
    mode: str
    pages: pd.DataFrame  # one row per page, in the order of the examples
    lines: pd.DataFrame  # one row per non-blank line: page, line, gold, pred, p, chars, …
    seconds: float
    workers: int


@dataclass
class PageResult:
    row: dict
    line: np.ndarray  # 1-based line numbers of the non-blank lines
    gold: np.ndarray
    pred: np.ndarray
    p: np.ndarray
    chars: np.ndarray
    heuristic: np.ndarray
    ignore: np.ndarray  # headline copies on pages whose gold has no title (as in training)


def _nonspace(text: str) -> int:
    return len("".join(text.split()))


def evaluate_page(model: WinnowModel, cut: float, example: Example) -> PageResult:
    """The model and both baselines on one page (the lines of the file, exactly as labelled)."""
    lines = list(example.page.lines)
    prediction, article = analyse(lines, model, cut)
    nb = prediction.rows
    gold = gold_bags(example)
    row = score_page(example, article, gold)
    heuristic = heuristic_keep([lines[i] for i in nb])
    baselines = {
        "heuristic": fixed_article(lines, nb, heuristic),
        "keep_all": fixed_article(lines, nb, np.ones(len(nb), dtype=bool)),
    }
    for name, other in baselines.items():
        scored = score_page(example, other, gold)
        row.update({f"{name}_{k}": scored[k] for k in BASELINE_KEYS if k in scored})
    row["fully_labelled"] = example.fully_labelled
    row["group"] = example.group
    gold = np.array(example.page.labels, dtype="U1")[nb]
    return PageResult(
        row=row,
        line=(nb + 1).astype(np.int32),
        gold=gold,
        pred=np.array([r.label for r in article.lines], dtype="U1"),
        p=np.array([r.p_content for r in article.lines], dtype=np.float32),
        chars=np.fromiter((_nonspace(lines[i]) for i in nb), dtype=np.int32, count=len(nb)),
        heuristic=heuristic,
        ignore=headline_copies(example, lines)[nb],
    )


_WORKER: dict = {}


def _init_worker(model_path: str, cut: float, sha256: str | None) -> None:
    """Load the model once per worker; an error is kept and raised with the first task."""
    try:
        model = load_model(model_path)
        if model.card.get("artifact", {}).get("sha256") != sha256:
            raise ModelMismatch(f"{model_path} changed during the evaluation; run it again")
        _WORKER.update(model=model, cut=cut)
    except Exception as err:  # re-raised in the parent by the first task
        _WORKER["error"] = err


def _run_chunk(examples: Sequence[Example]) -> list[PageResult]:
    if "error" in _WORKER:
        raise _WORKER["error"]
    return [evaluate_page(_WORKER["model"], _WORKER["cut"], ex) for ex in examples]


def _chunks(items: Sequence, size: int) -> list[Sequence]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _frames(results: list[PageResult]) -> tuple[pd.DataFrame, pd.DataFrame]:
    pages = pd.DataFrame([r.row for r in results])
    counts = np.array([len(r.line) for r in results], dtype=np.int64)

    def cat(attr: str) -> np.ndarray:
        parts = [getattr(r, attr) for r in results]
        return np.concatenate(parts) if parts else np.zeros(0)

    lines = pd.DataFrame(
        {
            "page": np.repeat(np.arange(len(results), dtype=np.int32), counts),
            "line": cat("line").astype(np.int32),
            "gold": pd.Categorical(cat("gold").astype("U1"), categories=list(LABELS)),
            "pred": pd.Categorical(cat("pred").astype("U1"), categories=list(LABELS)),
            "p": cat("p").astype(np.float32),
            "chars": cat("chars").astype(np.int64),
            "heuristic": cat("heuristic").astype(bool),
            "ignore": cat("ignore").astype(bool),
        }
    )
    return pages, lines


def evaluate(
    examples: Sequence[Example],
    config: EvalConfig,
    progress: Callable[[int], None] | None = None,
) -> Evaluation:
    """Every page through the model; `progress(n)` is called as each batch of n pages ends."""
    started = time.perf_counter()
    model = load_model(config.model_path)
    cut = resolve_threshold(model, config.mode, config.threshold)
    workers = config.workers or len(os.sched_getaffinity(0)) or 1
    workers = max(1, min(workers, -(-len(examples) // CHUNK)))
    if len(examples) < SERIAL_BELOW and config.workers is None:
        workers = 1
    results: list[PageResult] = []
    if workers == 1:
        for chunk in _chunks(examples, CHUNK):
            results.extend(evaluate_page(model, cut, ex) for ex in chunk)
            if progress:
                progress(len(chunk))
    else:
        context = get_context("spawn")  # a clean process: no inherited OpenMP state
        init = (config.model_path, cut, model.card.get("artifact", {}).get("sha256"))
        with ProcessPoolExecutor(
            workers, mp_context=context, initializer=_init_worker, initargs=init
        ) as pool:
            for part in pool.map(_run_chunk, _chunks(examples, CHUNK)):
                results.extend(part)
                if progress:
                    progress(len(part))
    pages, lines = _frames(results)
    return Evaluation(
        model_card=model.card,
        model_path=str(config.model_path),
        threshold=cut,
        mode=config.mode if config.threshold is None else "threshold",
        pages=pages,
        lines=lines,
        seconds=time.perf_counter() - started,
        workers=workers,
    )
