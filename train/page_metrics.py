"""Text-level figures from the pages table: means per page, grouped any way, for each system.

A system is the model or a baseline; its per-page columns share a prefix ("" for the model,
"heuristic_", "keep_all_"). Every summary has the same columns (`SUMMARY_COLUMNS`), so the
headline, the per-corpus and the per-site tables read alike, and comparisons are a subtraction.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from winnow.train.line_metrics import f1_of, kept, page_counts, ratio, title_counts

SYSTEMS = {"model": "", "heuristic": "heuristic_", "keep_all": "keep_all_"}
SUMMARY_COLUMNS = (
    "pages",
    "sites",
    "precision",
    "recall",
    "f1",
    "f1_ge_0_9",
    "f1_ge_0_99",
    "line_precision",
    "line_recall",
    "line_f1",
    "removal_recall",
    "title_accuracy",
    "benchmark_pages",
    "wcxb_precision",
    "wcxb_recall",
    "wcxb_f1",
    "aeb_precision",
    "aeb_recall",
    "aeb_f1",
)
MEAN_COLUMNS = (
    *("precision", "recall", "f1", "f1_ge_0_9", "f1_ge_0_99"),
    *("wcxb_precision", "wcxb_recall", "wcxb_f1", "aeb_p", "aeb_r"),
)
BASELINE_COLUMNS = ("f1", "line_f1", "wcxb_f1", "aeb_f1")
HIST_EDGES = np.round(np.linspace(0.0, 1.0, 21), 2)


def with_line_counts(pages: pd.DataFrame, lines: pd.DataFrame) -> pd.DataFrame:
    """The pages table plus each system's per-page character counts and the title check."""
    n = len(pages)
    keeps = {
        "": kept(lines),
        "heuristic_": lines["heuristic"].to_numpy(),
        "keep_all_": np.ones(len(lines), dtype=bool),
    }
    parts = [pages.reset_index(drop=True)]
    for prefix, keep in keeps.items():
        parts.append(page_counts(lines, keep, n).add_prefix(prefix))
    parts.append(title_counts(lines, n))
    return pd.concat(parts, axis=1)


def _columns(pages: pd.DataFrame, prefix: str) -> pd.DataFrame:
    """One system's per-page figures under plain names (NaN where a figure does not apply)."""

    def col(name: str) -> pd.Series:
        key = prefix + name
        return pages[key].astype(float) if key in pages else pd.Series(np.nan, index=pages.index)

    tp, fp, fn = col("aeb_tp"), col("aeb_fp"), col("aeb_fn")
    f1 = col("f1")
    model = prefix == ""
    out = {
        "site": pages["group"],
        "precision": col("precision"),
        "recall": col("recall"),
        "f1": f1,
        "f1_ge_0_9": (f1 >= 0.9).astype(float),
        "f1_ge_0_99": (f1 >= 0.99).astype(float),
        "benchmark": col("wcxb_f1").notna().astype(float),
        "wcxb_precision": col("wcxb_precision"),
        "wcxb_recall": col("wcxb_recall"),
        "wcxb_f1": col("wcxb_f1"),
        # AEB's rule: a page's precision counts where it output shingles, its recall where
        # the gold has some (train.metrics.aeb_summary); F1 of the two means, per group.
        "aeb_p": pd.Series(ratio(tp, tp + fp), index=pages.index).where(tp + fp > 0),
        "aeb_r": pd.Series(ratio(tp, tp + fn), index=pages.index).where(tp + fn > 0),
        "title_has": pages["has_title"].astype(float) if model else 0.0,
        "title_ok": (pages["has_title"] & pages["title_ok"]).astype(float) if model else 0.0,
    }
    for name in ("line_tp", "line_fp", "line_fn", "bp_chars", "bp_removed"):
        out[name] = col(name)
    return pd.DataFrame(out, index=pages.index)


def summarize(pages: pd.DataFrame, system: str = "model", by: list[str] | None = None):
    """`SUMMARY_COLUMNS` for one system, one row per group (one row "all" without `by`)."""
    frame = _columns(pages, SYSTEMS[system])
    keys = [pages[k].rename(k) for k in by] if by else [pd.Series("all", index=pages.index)]
    g = frame.groupby(keys, sort=True, dropna=False)
    sums = g[["line_tp", "line_fp", "line_fn", "bp_chars", "bp_removed"]].sum()
    means = g[list(MEAN_COLUMNS)].mean()
    out = pd.DataFrame(index=means.index)
    out["pages"] = g.size()
    out["sites"] = g["site"].nunique()
    out[["precision", "recall", "f1", "f1_ge_0_9", "f1_ge_0_99"]] = means[
        ["precision", "recall", "f1", "f1_ge_0_9", "f1_ge_0_99"]
    ]
    tp, fp, fn = sums["line_tp"], sums["line_fp"], sums["line_fn"]
    out["line_precision"] = ratio(tp, tp + fp)
    out["line_recall"] = ratio(tp, tp + fn)
    out["line_f1"] = f1_of(out["line_precision"], out["line_recall"])
    out["removal_recall"] = ratio(sums["bp_removed"], sums["bp_chars"])
    out["title_accuracy"] = ratio(g["title_ok"].sum(), g["title_has"].sum())
    bench = g["benchmark"].sum()
    out["benchmark_pages"] = bench.astype(int)
    out[["wcxb_precision", "wcxb_recall", "wcxb_f1"]] = means[
        ["wcxb_precision", "wcxb_recall", "wcxb_f1"]
    ]
    has_aeb = bench > 0  # as aeb_summary: a group with gold but nothing scored gets 0
    out["aeb_precision"] = means["aeb_p"].fillna(0.0).where(has_aeb)
    out["aeb_recall"] = means["aeb_r"].fillna(0.0).where(has_aeb)
    out["aeb_f1"] = f1_of(out["aeb_precision"], out["aeb_recall"])
    if by:
        out.index.names = by
    return out[list(SUMMARY_COLUMNS)]


def headline(pages: pd.DataFrame) -> dict[str, dict]:
    """`SUMMARY_COLUMNS` over all pages for the model and each baseline."""
    return {name: summarize(pages, name).to_dict(orient="records")[0] for name in SYSTEMS}


def group_table(pages: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """The model's summary per group, with the baselines' main figures beside it."""
    table = summarize(pages, "model", by)
    for name in ("heuristic", "keep_all"):
        base = summarize(pages, name, by)
        for col in BASELINE_COLUMNS:
            table[f"{name}_{col}"] = base[col]
    return table


def f1_histogram(pages: pd.DataFrame) -> dict:
    """Counts of pages per F1 bin of width 0.05 (the last bin holds 1.0), per system."""
    out = {"edges": HIST_EDGES.tolist()}
    for name, prefix in SYSTEMS.items():
        counts, _ = np.histogram(pages[prefix + "f1"].astype(float), bins=HIST_EDGES)
        out[name] = counts.tolist()
    return out
