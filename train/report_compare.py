"""Two models on the same pages: the difference of every headline figure, per corpus and site.

Deltas are model minus compare (`--model A --compare B`: positive means A is higher).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from winnow.train.page_metrics import SUMMARY_COLUMNS, summarize

COUNT_COLUMNS = ("pages", "sites", "benchmark_pages")
FIGURES = tuple(c for c in SUMMARY_COLUMNS if c not in COUNT_COLUMNS)
PAGE_KEY = ["corpus", "id", "render"]
SAME = 0.005  # |ΔF1| below this counts as unchanged


def _delta_table(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    out = a[["pages"]].copy()
    for col in FIGURES:
        out[col] = a[col]
        out[f"compare_{col}"] = b[col].reindex(a.index)
        out[f"delta_{col}"] = out[col] - out[f"compare_{col}"]
    return out


def page_changes(pages_a: pd.DataFrame, pages_b: pd.DataFrame) -> dict[str, int]:
    """Pages whose token F1 rose, fell or stayed (within 0.005), paired by corpus, id, render."""
    both = pages_a[[*PAGE_KEY, "f1"]].merge(
        pages_b[[*PAGE_KEY, "f1"]], on=PAGE_KEY, suffixes=("", "_b")
    )
    diff = both["f1"] - both["f1_b"]
    return {
        "paired": len(both),
        "better": int((diff > SAME).sum()),
        "worse": int((diff < -SAME).sum()),
        "same": int((diff.abs() <= SAME).sum()),
    }


def compare(pages_a: pd.DataFrame, pages_b: pd.DataFrame) -> dict:
    """Headline, per-corpus and per-site deltas, and the page-level tally."""
    head_a, head_b = summarize(pages_a).iloc[0], summarize(pages_b).iloc[0]
    headline = {
        col: {
            "model": head_a[col],
            "compare": head_b[col],
            "delta": head_a[col] - head_b[col]
            if not (np.isnan(head_a[col]) or np.isnan(head_b[col]))
            else np.nan,
        }
        for col in FIGURES
    }
    tables = {}
    for name, by in (("by_corpus", ["corpus"]), ("by_site", ["group"])):
        table = _delta_table(summarize(pages_a, by=by), summarize(pages_b, by=by))
        tables[name] = table.rename_axis(index={"group": "site"})
    return {"headline": headline, **tables, "pages": page_changes(pages_a, pages_b)}


def _delta_rows(records: list[dict], key: str, columns: tuple[str, ...]) -> list[list]:
    return [
        [r[key], r["pages"], r["f1"], r["compare_f1"], *(r[f"delta_{c}"] for c in columns)]
        for r in records
    ]


def compare_tables(metrics: dict, headline_rows) -> object:
    """The comparison section of the report (tables built from metrics["compare"])."""
    from winnow.train.report_tables import Section, Table

    comp = metrics["compare"]
    this, other = metrics["model"]["name"], comp["model"]["name"]
    if this == other:
        this, other = metrics["model"]["path"], comp["model"]["path"]
    head = comp["headline"]
    rows = [[name, *head[k].values()] for k, name in headline_rows if k in head]
    tally = comp["pages"]
    note = (
        f"Δ = {this} − {other}. Of {tally['paired']:,} pages, {tally['better']:,} scored higher "
        f"page F1 with {this}, {tally['worse']:,} lower, {tally['same']:,} within {SAME}."
    )
    columns = ("f1", "line_precision", "line_recall", "removal_recall", "wcxb_f1", "aeb_f1")
    delta_cols = [
        "pages",
        "F1",
        f"F1 {other}",
        "ΔF1",
        "Δline P",
        "Δline R",
        "Δremoved",
        "ΔWCXB F1",
        "ΔAEB F1",
    ]
    sites = sorted(comp["by_site"], key=lambda r: r["delta_f1"] or 0.0)
    losses = [r for r in sites if (r["delta_f1"] or 0) < 0][:15]
    gains = [r for r in reversed(sites) if (r["delta_f1"] or 0) > 0][:15]
    tables = [
        Table(f"Headline: {this} vs {other}", ["figure", this, other, "Δ"], rows, note),
        Table(
            "Δ by corpus",
            ["corpus", *delta_cols],
            _delta_rows(comp["by_corpus"], "corpus", columns),
        ),
    ]
    site_cols = ["site", *delta_cols[:6]]
    for title, chosen in (("Sites that gained most", gains), ("Sites that lost most", losses)):
        if chosen:
            tables.append(Table(title, site_cols, _delta_rows(chosen, "site", columns[:3])))
    return Section("compare", f"Comparison with {other}", tables)
