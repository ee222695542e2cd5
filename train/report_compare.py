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


def site_interval(
    pages_a: pd.DataFrame, pages_b: pd.DataFrame, draws: int = 2000, seed: int = 0
) -> tuple[float, float]:
    """95% interval of the mean page-F1 difference (a minus b), resampling whole sites.

    Pages of one site share a template, so they rise and fall together; resampling pages
    would pretend there were more independent samples than there are. A difference whose
    interval holds 0 is one these pages cannot tell from chance (it says nothing about how
    much a retrained model varies, which needs a second training).
    """
    both = pages_a[[*PAGE_KEY, "group", "f1"]].merge(
        pages_b[[*PAGE_KEY, "f1"]], on=PAGE_KEY, suffixes=("", "_b")
    )
    diff = (both["f1"] - both["f1_b"]).to_numpy(dtype=float)
    ok = ~np.isnan(diff)
    if not ok.any():
        return (np.nan, np.nan)
    site = pd.factorize(both["group"][ok])[0]
    sums = np.bincount(site, weights=diff[ok])
    counts = np.bincount(site).astype(float)
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(sums), size=(draws, len(sums)))
    means = sums[picks].sum(axis=1) / counts[picks].sum(axis=1)
    low, high = np.quantile(means, [0.025, 0.975])
    return (float(low), float(high))


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
    intervals = {
        corpus: site_interval(pages_a[pages_a["corpus"] == corpus], pages_b)
        for corpus in tables["by_corpus"].index
    }
    tables["by_corpus"]["delta_f1_low"] = [intervals[c][0] for c in tables["by_corpus"].index]
    tables["by_corpus"]["delta_f1_high"] = [intervals[c][1] for c in tables["by_corpus"].index]
    return {
        "headline": headline,
        "f1_interval": site_interval(pages_a, pages_b),
        **tables,
        "pages": page_changes(pages_a, pages_b),
    }


def _delta_rows(
    records: list[dict], key: str, columns: tuple[str, ...], interval: bool = False
) -> list[list]:
    def span(r: dict) -> list:
        low, high = r.get("delta_f1_low"), r.get("delta_f1_high")
        return [f"[{low:+.3f}, {high:+.3f}]" if low is not None and high is not None else "–"]

    return [
        [
            r[key],
            r["pages"],
            r["f1"],
            r["compare_f1"],
            *(r[f"delta_{c}"] for c in columns[:1]),
            *(span(r) if interval else []),
            *(r[f"delta_{c}"] for c in columns[1:]),
        ]
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
    low, high = comp.get("f1_interval") or (None, None)
    spread = (
        f" 95% interval of ΔF1, resampling sites: [{low:+.4f}, {high:+.4f}]"
        f"{' (holds 0: not distinguishable from chance)' if low <= 0 <= high else ''}."
        if low is not None and high is not None
        else ""
    )
    note = (
        f"Δ = {this} − {other}. Of {tally['paired']:,} pages, {tally['better']:,} scored higher "
        f"page F1 with {this}, {tally['worse']:,} lower, {tally['same']:,} within {SAME}." + spread
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
            ["corpus", *delta_cols[:4], "ΔF1 95% (sites)", *delta_cols[4:]],
            _delta_rows(comp["by_corpus"], "corpus", columns, interval=True),
        ),
    ]
    site_cols = ["site", *delta_cols[:6]]
    for title, chosen in (("Sites that gained most", gains), ("Sites that lost most", losses)):
        if chosen:
            tables.append(Table(title, site_cols, _delta_rows(chosen, "site", columns[:3])))
    return Section("compare", f"Comparison with {other}", tables)
