"""`winnow train CORPUS…`: cross-validate by site, pick thresholds, fit, write an artifact."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import sys
import time
from collections import Counter
from dataclasses import asdict
from pathlib import Path

HELP = (
    "Train a model from labelled pages (files or folders): grouped-by-site cross-validation, "
    "operating thresholds, final fit, artifact in models/<name>/."
)


def configure(parser: argparse.ArgumentParser) -> None:
    from winnow.train.dataset import add_corpora_argument

    add_corpora_argument(parser, "corpora")
    parser.add_argument("--out", default="models", help="folder that receives models/<name>/")
    parser.add_argument("--name", help="artifact name (default: winnow-<date>-<data fingerprint>)")
    parser.add_argument("--force", action="store_true", help="replace an artifact of the same name")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--folds", type=int, default=4, help="cross-validation folds, grouped by site"
    )
    parser.add_argument("--scores", help="also write the per-page out-of-fold scores to this CSV")


def _versions() -> dict[str, str]:
    import joblib
    import lightgbm
    import numba
    import numpy
    import pandas
    import scipy
    import sklearn

    from winnow import __version__

    return {
        "winnow": __version__,
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "numba": numba.__version__,  # computes the features (winnow/scan.py)
        "pandas": pandas.__version__,
        "scipy": scipy.__version__,
        "scikit-learn": sklearn.__version__,
        "lightgbm": lightgbm.__version__,
        "joblib": joblib.__version__,
    }


def _cell(value) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) >= 1:
        return f"{value:,.0f}"  # counts (pages) come back from pandas as floats
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def _table(console, title: str, frame) -> None:
    from rich.table import Table

    table = Table(title=title, show_lines=False)
    index_names = [n or "" for n in frame.index.names]
    for name in index_names:
        table.add_column(name)
    for col in frame.columns:
        table.add_column(str(col), justify="right")
    for key, row in frame.iterrows():
        keys = key if isinstance(key, tuple) else (key,)
        cells = [_cell(v) for v in row]
        table.add_row(*map(str, keys), *[c.replace("nan", "-") for c in cells])
    console.print(table)


def run(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from winnow.errors import WinnowError
    from winnow.labels import LabelFormatError
    from winnow.model import save_model
    from winnow.train.crossval import fold_metrics, page_scores, summarize
    from winnow.train.dataset import (
        COPY_RENDERS,
        cropped_copies,
        fingerprint,
        load_examples,
    )
    from winnow.train.fit import TrainConfig, cross_validate, fit_final
    from winnow.train.matrices import build

    console = Console(stderr=True, width=None if sys.stderr.isatty() else 160)
    started = time.perf_counter()
    try:
        examples = load_examples(args.corpora)
    except (LabelFormatError, FileNotFoundError) as err:
        console.print(f"[red]cannot read the corpora:[/red]\n{err}")
        return 1
    if len({e.group for e in examples}) < args.folds:
        console.print(
            f"[red]{len({e.group for e in examples})} site(s): need at least --folds={args.folds}"
        )
        return 1
    config = TrainConfig(seed=args.seed, folds=args.folds)
    data_fp = fingerprint(examples)
    now = dt.datetime.now(dt.UTC)
    name = args.name or f"winnow-{now:%Y%m%d}-{data_fp[:8]}"
    target = Path(args.out) / name
    if target.exists() and not args.force:
        console.print(f"[red]{target} exists[/red]: pass --force to replace it, or --name another")
        return 1

    copies = cropped_copies(examples, config.crop_max_lines, config.seed)
    steps = len(examples) + len(copies) + 3 * config.folds + 6
    columns = [
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
    ]
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("featurizing pages", total=steps)
        matrices = build(
            examples + copies, config.corpus_weights, lambda: bar.advance(task), config.threads
        )

        def step(message: str) -> None:
            bar.update(task, description=message, advance=1)

        oof = cross_validate(matrices, config, step)
        model = fit_final(matrices, oof, config, step)
    scores = page_scores(matrices, oof)
    summary = summarize(scores, ["corpus", "render"])
    _table(console, "cross-validated by site (out-of-fold), balanced mode", summary)
    typed = scores[(scores["type"] != "-") & ~scores["render"].isin(COPY_RENDERS)]
    if len(typed):
        _table(console, "by page type (whole pages)", summarize(typed, ["corpus", "type"]))

    label_counts = Counter(label for e in examples for label in e.page.labels if label)
    model.card = {
        "name": name,
        "version": f"{now:%Y.%m.%d}+{data_fp[:8]}",
        "created": now.isoformat(timespec="seconds"),
        "corpora": sorted({e.corpus for e in examples}),
        "corpus_paths": list(args.corpora),
        "data_fingerprint": data_fp,
        "pages": len(examples),
        "sites": len({e.group for e in examples}),
        "pages_by_corpus": dict(Counter(e.corpus for e in examples)),
        "cropped_copies": len(copies),
        "label_counts": {k: int(v) for k, v in sorted(label_counts.items())},
        "config": asdict(config),
        "thresholds": model.thresholds,
        "title_threshold": model.title_threshold,
        "cv": {
            "folds": fold_metrics(matrices, oof, scores),
            "by_corpus": json.loads(summary.reset_index().to_json(orient="records")),
        },
        "libraries": _versions(),
        "training_seconds": round(time.perf_counter() - started, 1),
        "command": "winnow train "
        + " ".join(sys.argv[2:] if sys.argv[1:2] == ["train"] else args.corpora),
    }
    try:
        save_model(model, target)
    except (OSError, WinnowError) as err:
        console.print(f"[red]cannot write {target}:[/red] {err}")
        return 1
    if args.scores:
        scores.to_csv(args.scores, index=False)
    console.print(
        f"wrote [bold]{target}[/bold] ({model.card['artifact']['bytes'] / 1e6:.1f} MB, "
        f"{model.card['training_seconds']:.0f} s); thresholds {model.thresholds}"
    )
    console.print(f"use it: WINNOW_MODEL={target} winnow clean page.txt")
    return 0
