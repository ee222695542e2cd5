"""Write a report folder: index.html, report.md, metrics.json, pages.csv and the plots as PNG."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pandas as pd

from winnow.train.report_html import render_html
from winnow.train.report_md import render_md
from winnow.train.report_plots import render_all
from winnow.train.report_tables import sections

_UNSAFE = re.compile(r"[^A-Za-z0-9._+-]+")
PAGE_COLUMNS = (
    *("corpus", "render", "group", "lang", "type", "id", "path", "fully_labelled"),
    *("precision", "recall", "f1", "wcxb_precision", "wcxb_recall", "wcxb_f1"),
    *("aeb_tp", "aeb_fp", "aeb_fn", "line_tp", "line_fp", "line_fn", "bp_chars", "bp_removed"),
    *("has_title", "title_ok", "heuristic_f1", "heuristic_wcxb_f1", "keep_all_f1"),
    "keep_all_wcxb_f1",
)


def safe_name(text: str) -> str:
    return _UNSAFE.sub("-", text).strip("-.") or "data"


def data_name(paths: list[str]) -> str:
    """A folder name for the evaluated data: its folder's name, or several joined by '+'."""
    names = [safe_name(Path(p).resolve().stem) for p in paths]
    name = "+".join(dict.fromkeys(names))
    if len(name) > 60:
        digest = hashlib.sha1("\0".join(map(str, paths)).encode()).hexdigest()[:8]
        name = f"{names[0]}+{len(names) - 1}-more-{digest}"
    return name


def write_report(metrics: dict, pages: pd.DataFrame, folder: Path) -> dict[str, Path]:
    """Every output of one evaluation into `folder` (created; files replaced)."""
    folder.mkdir(parents=True, exist_ok=True)
    plots = render_all(metrics)
    plot_files = {}
    for name, png in plots.items():
        (folder / f"{name}.png").write_bytes(png)
        plot_files[name] = f"{name}.png"
    parts = sections(metrics)
    paths = {
        "html": folder / "index.html",
        "md": folder / "report.md",
        "json": folder / "metrics.json",
        "csv": folder / "pages.csv",
    }
    paths["html"].write_text(render_html(metrics, parts, plots), encoding="utf-8")
    paths["md"].write_text(render_md(metrics, parts, plot_files), encoding="utf-8")
    paths["json"].write_text(
        json.dumps(metrics, ensure_ascii=False, indent=1, allow_nan=False) + "\n", encoding="utf-8"
    )
    columns = [c for c in PAGE_COLUMNS if c in pages]
    pages[columns].rename(columns={"group": "site"}).to_csv(paths["csv"], index=False)
    return paths
