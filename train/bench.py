"""`winnow bench [CORPUS…]`: speed and memory of clean(), measured, never asserted.

Figures: pages/s of `clean()` in one process on the median page and over the whole corpus,
cost per line as a page grows 10x (linearity), model load time and size, peak memory, and the
training time recorded in the model's card. Each figure is one section function, so other
parts (batch cleaning, Spark) add theirs to `SECTIONS`.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HELP = "Measure clean() speed (median page, whole corpus, 10x page), model size, peak memory."


@dataclass
class BenchContext:
    texts: list[str]  # raw pages, one per labelled file
    model: object
    model_dir: Path
    args: argparse.Namespace


Row = dict[str, object]
SECTIONS: dict[str, Callable[[BenchContext], list[Row]]] = {}


def section(name: str):
    def register(fn):
        SECTIONS[name] = fn
        return fn

    return register


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("corpora", nargs="*", default=["../shared/corpora"], metavar="PATH")
    parser.add_argument("--model", help="model folder (default: $WINNOW_MODEL or models/default)")
    parser.add_argument("--max-pages", type=int, default=2000, help="pages for the throughput run")
    parser.add_argument("--repeat", type=int, default=200, help="runs of the median page")
    parser.add_argument("--only", action="append", help="run only these sections")
    parser.add_argument("--json", help="also write the rows to this JSON file")


def _timed(fn, repeat: int) -> float:
    """Best-of-3 mean seconds per call over `repeat` calls."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(repeat):
            fn()
        best = min(best, (time.perf_counter() - start) / repeat)
    return best


def _lines(text: str) -> int:
    return text.count("\n") + 1


@section("clean")
def clean_speed(ctx: BenchContext) -> list[Row]:
    from winnow import clean
    from winnow.model import load_model

    texts = sorted(ctx.texts, key=_lines)
    median = texts[len(texts) // 2]
    per_page = _timed(lambda: clean(median, model=ctx.model), ctx.args.repeat)
    plain = load_model(ctx.model_dir, compile=False)
    per_page_plain = _timed(lambda: clean(median, model=plain), ctx.args.repeat)
    trees = "compiled trees" if ctx.model.compiled else "LightGBM trees (not compiled)"
    sample = texts[:: max(1, len(texts) // ctx.args.max_pages)]
    start = time.perf_counter()
    for text in sample:
        clean(text, model=ctx.model)
    whole = time.perf_counter() - start
    total_lines = sum(map(_lines, sample))
    return [
        {
            "figure": "clean() median page",
            "value": 1 / per_page,
            "unit": "pages/s",
            "note": f"{_lines(median)} lines, {len(median):,} chars, {per_page * 1e3:.2f} ms; "
            + trees,
        },
        {
            "figure": "same, LightGBM predict",
            "value": 1 / per_page_plain,
            "unit": "pages/s",
            "note": f"{per_page_plain * 1e3:.2f} ms; WINNOW_COMPILE=0",
        },
        {
            "figure": "clean() whole corpus",
            "value": len(sample) / whole,
            "unit": "pages/s",
            "note": f"{len(sample)} pages, {total_lines / whole:,.0f} lines/s",
        },
    ]


@section("linear")
def linearity(ctx: BenchContext) -> list[Row]:
    from winnow import clean

    texts = sorted(ctx.texts, key=_lines)
    page = texts[len(texts) // 2]
    rows = []
    base = None
    for factor in (1, 10, 100):
        big = "\n".join([page] * factor)
        seconds = _timed(lambda big=big: clean(big, model=ctx.model), max(1, 20 // factor))
        base = base or seconds
        rows.append(
            {
                "figure": f"page x{factor}",
                "value": seconds * 1e3,
                "unit": "ms",
                "note": f"{_lines(big):,} lines; {seconds / base:.1f}x the time of x1",
            }
        )
    return rows


@section("model")
def model_figures(ctx: BenchContext) -> list[Row]:
    import tempfile

    from winnow.model import load_model

    start = time.perf_counter()
    load_model(ctx.model_dir)
    loaded = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as empty:  # a machine that has never compiled this model
        start = time.perf_counter()
        load_model(ctx.model_dir, compile=False).compile(cache=Path(empty))
        first = time.perf_counter() - start
    passes = _first_compile_seconds(ctx.model_dir)
    card = ctx.model.card
    size = sum(f.stat().st_size for f in ctx.model_dir.iterdir() if f.is_file())
    return [
        {"figure": "model size", "value": size / 1e6, "unit": "MB", "note": str(ctx.model_dir)},
        {
            "figure": "model load",
            "value": loaded * 1e3,
            "unit": "ms",
            "note": "sha256 check + unpickle + compiled trees from the cache",
        },
        {
            "figure": "first load on a machine",
            "value": first,
            "unit": "s",
            "note": "compiles the trees into the cache (once per machine and model)",
        },
        {
            "figure": "first page on a machine",
            "value": passes,
            "unit": "s",
            "note": "numba compiles the per-character passes (once per machine and winnow)",
        },
        {
            "figure": "training time",
            "value": card.get("training_seconds", float("nan")),
            "unit": "s",
            "note": f"from the card: {card.get('pages', '?')} pages of "
            f"{', '.join(card.get('corpora', []))}",
        },
    ]


def _first_compile_seconds(model_dir: Path) -> float:
    """The first page's extra time on a new machine: a fresh process with an empty numba
    cache compiles the per-character passes."""
    import os
    import subprocess
    import tempfile

    code = (
        "import sys, time\n"
        "from winnow.model import load_model, warm_up\n"
        "model = load_model(sys.argv[1], compile=False)\n"
        "start = time.perf_counter()\n"
        "warm_up(model)\n"
        "print(time.perf_counter() - start)\n"
    )
    with tempfile.TemporaryDirectory() as empty:
        env = {**os.environ, "NUMBA_CACHE_DIR": empty}
        done = subprocess.run(
            [sys.executable, "-c", code, str(model_dir)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
    return float(done.stdout.split()[-1])


def peak_memory_row() -> Row:
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "figure": "peak memory (this process)",
        "value": peak_kb / 1024,
        "unit": "MB",
        "note": "ru_maxrss after all sections",
    }


def load_texts(paths: list[str]) -> list[str]:
    from winnow.labels import load_pages

    pages, _ = load_pages(paths)
    return [p.text for p in pages]


def run(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from winnow.errors import WinnowError
    from winnow.model import DEFAULT_MODEL_DIR, load_model

    model_dir = Path(args.model) if args.model else DEFAULT_MODEL_DIR
    try:
        model = load_model(model_dir)
        texts = load_texts(args.corpora)
    except (WinnowError, FileNotFoundError) as err:
        print(f"winnow bench: {err}", file=sys.stderr)
        return 1
    if not texts:
        print("winnow bench: no labelled pages found", file=sys.stderr)
        return 1
    ctx = BenchContext(texts, model, model_dir, args)
    rows: list[Row] = []
    for name, fn in SECTIONS.items():
        if args.only and name not in args.only:
            continue
        rows.extend({"section": name, **row} for row in fn(ctx))
    rows.append({"section": "memory", **peak_memory_row()})
    table = Table(title=f"winnow bench: {len(texts)} pages, model {model.name}")
    for col in ("section", "figure", "value", "unit", "note"):
        table.add_column(col, justify="right" if col == "value" else "left")
    for row in rows:
        value = row["value"]
        shown = f"{value:,.1f}" if isinstance(value, float) else str(value)
        table.add_row(row["section"], row["figure"], shown, row["unit"], row["note"])
    Console(width=160).print(table)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2, default=str))
    return 0


from winnow.train import bench_batch  # noqa: E402, F401  (registers batch and spark)
