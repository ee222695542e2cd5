"""An evaluation -> the metrics dictionary behind metrics.json, report.md and index.html.

The keys are a contract (README "Evaluation reports"; tests/test_eval_report.py lists them):
add keys, never rename or drop one without bumping `SCHEMA_VERSION`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from winnow.train.dataset import Example
from winnow.train.evaluate import Evaluation
from winnow.train.line_metrics import (
    calibration,
    content_scores,
    kept,
    label_report,
    operating_points,
    removal,
    threshold_curve,
)
from winnow.train.page_metrics import (
    f1_histogram,
    group_table,
    headline,
    with_line_counts,
)
from winnow.train.report_errors import worst_pages

SCHEMA_VERSION = 1
GROUPINGS = {
    "by_corpus": ["corpus"],
    "by_render": ["render"],
    "by_lang": ["lang"],
    "by_type": ["type"],
    "by_corpus_render": ["corpus", "render"],
    "by_site": ["group"],
}


@dataclass(frozen=True)
class DataInfo:
    name: str
    paths: tuple[str, ...]
    command: str = ""


def records(table: pd.DataFrame) -> list[dict]:
    """A table as JSON-ready rows, index levels first ("group" is called "site")."""
    frame = table.reset_index()
    frame = frame.rename(columns={"group": "site", "index": "key"})
    return frame.to_dict(orient="records")


def by_label(table: pd.DataFrame) -> dict[str, dict]:
    return {str(k): v for k, v in table.to_dict(orient="index").items()}


def confusion_dict(table: pd.DataFrame) -> dict:
    return {
        "labels": [str(c) for c in table.columns],
        "rows": {str(g): [int(v) for v in row] for g, row in table.iterrows()},
    }


def _line_section(ev: Evaluation, pages: pd.DataFrame) -> dict:
    lines = ev.lines
    keeps = {
        "model": kept(lines),
        "heuristic": lines["heuristic"].to_numpy(),
        "keep_all": np.ones(len(lines), dtype=bool),
    }
    fine_pages = np.flatnonzero(pages["fully_labelled"].to_numpy())
    labels = label_report(lines, fine_pages)
    return {
        "content": {name: content_scores(lines, keep) for name, keep in keeps.items()},
        "removal": {name: by_label(removal(lines, keep)) for name, keep in keeps.items()},
        **{
            scheme: {
                "pages": part["pages"],
                "lines": part["lines"],
                "per_label": by_label(part["per_label"]),
                "confusion": confusion_dict(part["confusion"]),
            }
            for scheme, part in labels.items()
        },
    }


def _model_info(ev: Evaluation) -> dict:
    card = ev.model_card
    folds = card.get("cv", {}).get("folds", [])
    return {
        "name": card.get("name", "unnamed"),
        "version": card.get("version", "0"),
        "path": ev.model_path,
        "created": card.get("created"),
        "trained_on": card.get("corpora", []),
        "thresholds": card.get("thresholds", {}),
        "cv_page_f1": float(np.mean([f["page_f1"] for f in folds])) if folds else None,
    }


def _data_info(data: DataInfo, ev: Evaluation, trained_on: list[str]) -> dict:
    pages = ev.pages
    corpora = pages["corpus"].value_counts().sort_index()
    return {
        "name": data.name,
        "paths": list(data.paths),
        "pages": len(pages),
        "sites": int(pages["group"].nunique()),
        "lines": len(ev.lines),
        "fully_labelled_pages": int(pages["fully_labelled"].sum()),
        "corpora": {str(k): int(v) for k, v in corpora.items()},
        "in_training": sorted(set(corpora.index) & set(trained_on)),
    }


def build_metrics(
    ev: Evaluation, examples: Sequence[Example], data: DataInfo, worst: int = 20
) -> tuple[dict, pd.DataFrame]:
    """The metrics dictionary and the pages table it was computed from (for pages.csv)."""
    from winnow import __version__

    pages = with_line_counts(ev.pages, ev.lines)
    n = len(pages)
    thresholds = dict(ev.model_card.get("thresholds", {}))
    points = operating_points(ev.lines, n, {**thresholds, "this_run": ev.threshold})
    cal, ece = calibration(ev.lines)
    model = _model_info(ev)
    metrics = {
        "schema_version": SCHEMA_VERSION,
        "model": model,
        "data": _data_info(data, ev, model["trained_on"]),
        "run": {
            "mode": ev.mode,
            "threshold": ev.threshold,
            "workers": ev.workers,
            "seconds": round(ev.seconds, 2),
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "winnow": __version__,
            "command": data.command,
        },
        "headline": headline(pages),
        "text": {name: records(group_table(pages, by)) for name, by in GROUPINGS.items()},
        "f1_histogram": f1_histogram(pages),
        "lines": _line_section(ev, pages),
        "thresholds": {
            "operating_points": by_label(points),
            "curve": records(threshold_curve(ev.lines, n).set_index("threshold")),
        },
        "calibration": {"ece": ece, "bins": records(cal.set_index("lo"))},
        "worst_pages": worst_pages(pages, ev.lines, examples, n=worst),
    }
    return metrics, pages


def _plain(value):
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.integer | np.bool_):
        return value.item()
    if isinstance(value, float | np.floating):
        value = float(value)
        return None if math.isnan(value) else round(value, 4)
    return value


def to_json_ready(metrics: dict) -> dict:
    """NaN -> null, numpy scalars -> Python, floats to 4 decimals."""
    return _plain(metrics)


def compare_section(pages_a: pd.DataFrame, pages_b: pd.DataFrame, other: Evaluation) -> dict:
    """metrics["compare"]: the other model, and the deltas (this model minus the other)."""
    from winnow.train.report_compare import compare

    delta = compare(pages_a, pages_b)
    return {
        "model": _model_info(other),
        "threshold": other.threshold,
        "seconds": round(other.seconds, 2),
        "headline": delta["headline"],
        "f1_interval": list(delta["f1_interval"]),
        "pages": delta["pages"],
        "by_corpus": records(delta["by_corpus"]),
        "by_site": records(delta["by_site"]),
    }
