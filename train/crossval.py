"""Turn out-of-fold predictions into per-page scores and the summary a training run reports."""

from __future__ import annotations

import numpy as np
import pandas as pd

from winnow.article import assemble
from winnow.model import PagePrediction
from winnow.train.fit import OutOfFold
from winnow.train.matrices import Matrices
from winnow.train.metrics import aeb_summary
from winnow.train.scoring import heuristic_keep, score_page


def oof_prediction(m: Matrices, oof: OutOfFold, k: int) -> PagePrediction:
    r = m.rows(k)
    title = int(oof.title_row[k])
    chosen = title >= 0 and oof.title_prob[k] >= oof.title_threshold
    return PagePrediction(
        m.pages[k].nonblank,
        oof.p2[r].copy(),
        title if chosen else None,
        float(oof.title_prob[k]),
        oof.kinds[r],
    )


def page_scores(m: Matrices, oof: OutOfFold, mode: str = "balanced") -> pd.DataFrame:
    """One row per page: winnow's out-of-fold scores and the plain line heuristic's."""
    rows = []
    cut = oof.thresholds[mode]
    for k, example in enumerate(m.examples):
        page = m.pages[k]
        pred = oof_prediction(m, oof, k)
        row = score_page(example, assemble(page.lines, pred, cut, oof.relative_cut))
        keep = heuristic_keep([page.lines[i] for i in page.nonblank]).astype(float)
        baseline = PagePrediction(page.nonblank, keep, None, 0.0, pred.kind_probs)
        base_row = score_page(example, assemble(page.lines, baseline, 0.5))
        for key in ("precision", "recall", "f1", "wcxb_f1", "aeb_tp", "aeb_fp", "aeb_fn"):
            if key in base_row:
                row[f"heuristic_{key}"] = base_row[key]
        titles = m.y_title[m.rows(k)]
        row["has_title"] = bool(titles.any())
        row["title_ok"] = bool(pred.title_row is not None and titles[pred.title_row] == 1)
        row["fold"] = int(oof.fold_of_page[k])
        rows.append(row)
    return pd.DataFrame(rows)


def summarize(scores: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Mean token P/R/F1, the benchmark rules where a gold ships, title accuracy, baseline F1."""

    def one(group: pd.DataFrame) -> pd.Series:
        out = {
            "pages": len(group),
            "P": group["precision"].mean(),
            "R": group["recall"].mean(),
            "F1": group["f1"].mean(),
            "heuristic F1": group["heuristic_f1"].mean(),
            "wcxb F1": np.nan,
            "aeb P": np.nan,
            "aeb R": np.nan,
            "aeb F1": np.nan,
            "heuristic aeb F1": np.nan,
            "title acc": group.loc[group["has_title"], "title_ok"].mean(),
        }
        if "wcxb_f1" in group and group["wcxb_f1"].notna().any():
            g = group[group["wcxb_f1"].notna()]
            aeb = aeb_summary(zip(g["aeb_tp"], g["aeb_fp"], g["aeb_fn"], strict=True))
            base = aeb_summary(
                zip(
                    g["heuristic_aeb_tp"], g["heuristic_aeb_fp"], g["heuristic_aeb_fn"], strict=True
                )
            )
            out.update(
                {
                    "wcxb F1": g["wcxb_f1"].mean(),
                    "aeb P": aeb["precision"],
                    "aeb R": aeb["recall"],
                    "aeb F1": aeb["f1"],
                    "heuristic aeb F1": base["f1"],
                }
            )
        return pd.Series(out)

    return scores.groupby(by).apply(one, include_groups=False)


def fold_metrics(m: Matrices, oof: OutOfFold, scores: pd.DataFrame) -> list[dict]:
    """Per fold: character-weighted line precision/recall of content, and mean page F1."""
    out = []
    cut = oof.thresholds["balanced"]
    use = m.w_content > 0
    for fold in range(int(oof.fold_of_page.max()) + 1):
        rows = np.flatnonzero(use & (oof.fold_of_page[m.page_of_row] == fold))
        keep, y, w = oof.p2[rows] >= cut, m.y_content[rows] == 1, m.chars[rows]
        tp, fp, fn = w[keep & y].sum(), w[keep & ~y].sum(), w[~keep & y].sum()
        p, r = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
        out.append(
            {
                "fold": fold,
                "pages": int((oof.fold_of_page == fold).sum()),
                "line_precision": round(float(p), 4),
                "line_recall": round(float(r), 4),
                "line_f1": round(float(2 * p * r / max(p + r, 1e-9)), 4),
                "page_f1": round(float(scores.loc[scores["fold"] == fold, "f1"].mean()), 4),
            }
        )
    return out
