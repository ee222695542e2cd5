"""`winnow eval --model M [--compare B] DATA…`: a precision/recall report on labelled pages."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

HELP = (
    "Evaluate a model on labelled pages (files or folders): line- and text-level precision/"
    "recall per label, corpus, site and language, baselines, thresholds, worst pages; writes "
    "reports/<model>/<data>/ (index.html, report.md, metrics.json)."
)


def configure(parser: argparse.ArgumentParser) -> None:
    from winnow.train.dataset import add_corpora_argument

    add_corpora_argument(parser, "data")
    parser.add_argument("--model", help="model folder (default: $WINNOW_MODEL or models/default)")
    parser.add_argument(
        "--compare", metavar="MODEL", help="a second model folder: report the deltas against it"
    )
    parser.add_argument("--mode", choices=("precision", "balanced", "recall"), default="balanced")
    parser.add_argument(
        "--threshold", type=float, help="content threshold in [0, 1] (overrides --mode)"
    )
    parser.add_argument("--out", default="reports", help="reports root (default: reports)")
    parser.add_argument("--name", help="data name in the report path (default: from DATA)")
    parser.add_argument("--workers", type=int, help="processes (default: one per core)")
    parser.add_argument("--worst", type=int, default=20, help="pages in the error listing")


def model_dir(path: str | None) -> Path:
    """The folder `load_model(path)` reads, so the report is named after it."""
    from winnow.model import DEFAULT_MODEL_DIR

    return Path(path or os.environ.get("WINNOW_MODEL") or DEFAULT_MODEL_DIR)


def _run_models(args, examples, console):
    """The evaluation of --model and, with --compare, of the other model on the same pages."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from winnow.train.evaluate import EvalConfig, evaluate

    folders = [model_dir(args.model)] + ([model_dir(args.compare)] if args.compare else [])
    columns = [
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} pages"),
        TimeElapsedColumn(),
    ]
    runs = []
    with Progress(*columns, console=console, transient=True) as bar:
        for folder in folders:
            task = bar.add_task(f"evaluating {folder.name}", total=len(examples))
            config = EvalConfig(str(folder), args.mode, args.threshold, args.workers)
            runs.append(evaluate(examples, config, lambda n, t=task: bar.advance(t, n)))
    return runs


def run(args: argparse.Namespace) -> int:
    from rich.console import Console

    from winnow.errors import WinnowError
    from winnow.labels import LabelFormatError
    from winnow.train.dataset import load_examples
    from winnow.train.eval_console import print_summary
    from winnow.train.page_metrics import with_line_counts
    from winnow.train.report import data_name, safe_name, write_report
    from winnow.train.report_metrics import DataInfo, build_metrics, compare_section, to_json_ready

    err = Console(stderr=True)
    if args.workers is not None and args.workers < 1:
        err.print("[red]--workers must be at least 1")
        return 2
    try:
        examples = load_examples(args.data)
    except (LabelFormatError, FileNotFoundError) as problem:
        err.print(f"[red]cannot read the labelled pages:[/red]\n{problem}")
        return 1
    if not examples:
        err.print(f"[red]no labelled pages (*.tsv) under {' '.join(args.data)}")
        return 1
    try:
        runs = _run_models(args, examples, err)
    except WinnowError as problem:
        err.print(f"[red]winnow eval:[/red] {problem}")
        return 1
    name = safe_name(args.name) if args.name else data_name(args.data)
    command = "winnow eval " + " ".join(sys.argv[2:] if sys.argv[1:2] == ["eval"] else args.data)
    info = DataInfo(name, tuple(args.data), command)
    metrics, pages = build_metrics(runs[0], examples, info, worst=args.worst)
    if len(runs) > 1:
        other = with_line_counts(runs[1].pages, runs[1].lines)
        metrics["compare"] = compare_section(pages, other, runs[1])
    metrics = to_json_ready(metrics)
    folder = Path(args.out) / safe_name(model_dir(args.model).resolve().name) / name
    try:
        paths = write_report(metrics, pages, folder)
    except OSError as problem:
        err.print(f"[red]cannot write {folder}:[/red] {problem}")
        return 1
    print_summary(metrics, Console(width=None if sys.stdout.isatty() else 160))
    err.print(
        f"wrote [bold]{paths['html']}[/bold] (also report.md, metrics.json, pages.csv)",
        soft_wrap=True,
    )
    return 0
