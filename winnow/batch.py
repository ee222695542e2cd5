"""Clean many pages with every core: records in, results out, in input order.

`clean_records(records, options)` streams: pages go to worker processes in chunks, at most a
few chunks per worker are in flight at once (so memory stays bounded however long the input),
and results come back in the order the records came in. Each worker loads the model once, in
the pool's initializer. A record that cannot be cleaned yields an `Outcome` with its error and
the run goes on. With `jobs=1` everything runs in this process (same code, same results).

Library use from a script needs the usual multiprocessing guard (`if __name__ == "__main__":`):
workers start from a fork server, which imports the main module.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from itertools import islice

from winnow.errors import InvalidInput, WinnowError
from winnow.records import Record

CHUNK = 16  # pages per task: ~0.2 s of work, so the per-task overhead is noise
IN_FLIGHT_PER_JOB = 4  # chunks queued per worker: enough to keep it busy, few enough for memory
RESULT_INCLUDE = ("captions", "meta")
PRELOAD = ("winnow.clean", "joblib")  # what every worker imports before loading the model


@dataclass(frozen=True)
class BatchOptions:
    model: str | None = None  # model folder; None = $WINNOW_MODEL or models/default
    mode: str = "balanced"
    threshold: float | None = None
    lines: bool = False  # per-line labels and scores in each result
    jobs: int | None = None  # worker processes; None = every core this process may use
    chunk: int = CHUNK


@dataclass(frozen=True)
class Outcome:
    """A record and either its result (`Article.to_dict` without the paragraphs, which are
    `text` split on blank lines) or why it failed; `lines` counts the page's non-blank lines."""

    record: Record
    result: dict | None = None
    error: str | None = None
    lines: int = 0

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class Summary:
    pages: int = 0
    failed: int = 0
    lines: int = 0
    started: float = field(default_factory=time.perf_counter)
    seconds: float = 0.0

    def add(self, outcome: Outcome) -> None:
        if outcome.ok:
            self.pages += 1
            self.lines += outcome.lines
        else:
            self.failed += 1
        self.seconds = time.perf_counter() - self.started

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds > 0 else 0.0


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def clean_records(records: Iterable[Record], options: BatchOptions) -> Iterator[Outcome]:
    """One `Outcome` per record, in order. Raises `WinnowError` (model missing, bad option)
    before the first result; page-level problems are outcomes, never exceptions."""
    jobs = default_jobs() if options.jobs is None else options.jobs
    if jobs < 1 or options.chunk < 1:
        raise InvalidInput(f"jobs and chunk must be >= 1, got {jobs} and {options.chunk}")
    chunks = _chunked(iter(records), options.chunk)
    if jobs == 1:
        cleaner = Cleaner.load(options)
        for chunk in chunks:
            yield from _merge(chunk, cleaner.clean_texts(_texts(chunk)))
    else:
        yield from _clean_in_pool(chunks, options, jobs)


def _pool_context():
    """A fork server (no threads or locks inherited from this process) that has already
    imported winnow, so each worker starts by loading the model, not by importing numpy."""
    if os.name != "posix":
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["__main__", *PRELOAD])
    return context


def _clean_in_pool(chunks: Iterator[list[Record]], options: BatchOptions, jobs: int):
    if options.model:  # workers live in the fork server's folder, not necessarily ours
        options = replace(options, model=os.path.abspath(options.model))
    context = _pool_context()
    pool = ProcessPoolExecutor(jobs, context, initializer=_start_worker, initargs=(options,))
    window: deque[tuple[list[Record], Future | None]] = deque()
    try:
        for chunk in chunks:
            texts = _texts(chunk)
            window.append((chunk, pool.submit(_worker_clean, texts) if texts else None))
            if len(window) >= jobs * IN_FLIGHT_PER_JOB:
                yield from _finish(*window.popleft())
        while window:
            yield from _finish(*window.popleft())
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _finish(chunk: list[Record], future: Future | None) -> Iterator[Outcome]:
    return _merge(chunk, future.result() if future is not None else [])


def _chunked(records: Iterator[Record], size: int) -> Iterator[list[Record]]:
    while chunk := list(islice(records, size)):
        yield chunk


def _texts(chunk: list[Record]) -> list[str]:
    return [r.text for r in chunk if r.ok]


def _merge(chunk: list[Record], results: list[tuple]) -> Iterator[Outcome]:
    """Put the cleaned pages back between the records that never left (bad ones)."""
    cleaned = iter(results)
    for record in chunk:
        if not record.ok:
            yield Outcome(record, error=record.error)
            continue
        result, error, lines = next(cleaned)
        yield Outcome(record, result=result, error=error, lines=lines)


@dataclass
class Cleaner:
    """The model and the resolved settings one process cleans with."""

    model: object
    threshold: float
    lines: bool

    @classmethod
    def load(cls, options: BatchOptions) -> Cleaner:
        from winnow.clean import resolve_threshold
        from winnow.model import load_model

        model = load_model(options.model)
        return cls(model, resolve_threshold(model, options.mode, options.threshold), options.lines)

    def clean_texts(self, texts: list[str]) -> list[tuple[dict | None, str | None, int]]:
        return [self.clean_text(text) for text in texts]

    def clean_text(self, text: str) -> tuple[dict | None, str | None, int]:
        from winnow.clean import clean

        try:
            article = clean(text, model=self.model, threshold=self.threshold)
        except Exception as err:  # one page's failure is that page's outcome, not the run's
            return None, f"clean failed ({type(err).__name__}: {err})", 0
        result = article.to_dict(include=RESULT_INCLUDE, lines=self.lines)
        del result["paragraphs"]
        return result, None, len(article.lines)


# Worker process state: set once by the pool's initializer, read by every task.
_CLEANER: Cleaner | None = None
_START_ERROR: WinnowError | None = None
_THREAD_LIMITS = None


def _start_worker(options: BatchOptions) -> None:
    """Load the model; one thread per worker (the workers already fill the cores)."""
    global _CLEANER, _START_ERROR, _THREAD_LIMITS
    from threadpoolctl import threadpool_limits

    _THREAD_LIMITS = threadpool_limits(1)
    try:
        _CLEANER = Cleaner.load(options)
    except WinnowError as err:  # raised again by the first task, so the caller sees it
        _START_ERROR = err


def _worker_clean(texts: list[str]) -> list[tuple[dict | None, str | None, int]]:
    if _START_ERROR is not None:
        raise _START_ERROR
    assert _CLEANER is not None, "worker used without its initializer"
    return _CLEANER.clean_texts(texts)
