"""Line-level figures from the lines table of an evaluation: who got which label, at what cost.

Content is T and B; boilerplate is N, L, A, S and X. C and M (captions, meta) are optional
content: they count neither for nor against content precision and recall (training gives
them weight 0 too), and neither do the lines that repeat the headline on pages whose gold has
no title (`ignore`). "Kept" means returned in the article's title or body (predicted T or B).
Character figures count non-space characters, the weight training optimises.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from winnow.labels import LABELS

CONTENT = ("T", "B")
OPTIONAL = ("C", "M")
BOILERPLATE = ("N", "L", "A", "S", "X")
# Coarse scheme for pages labelled only T/B/X (and for all pages together): title, body,
# optional content, boilerplate of any kind. Predictions are collapsed the same way.
COARSE = {"T": "T", "B": "B", "C": "CM", "M": "CM", **dict.fromkeys(BOILERPLATE, "NLASX")}
COARSE_LABELS = ("T", "B", "CM", "NLASX")
GRID = np.round(np.linspace(0.0, 1.0, 101), 2)
_INDEX = {label: i for i, label in enumerate(LABELS)}


def label_codes(labels: pd.Series) -> np.ndarray:
    """Index of each label in LABELS (-1 for anything else); fast on the categorical column."""
    if not isinstance(labels.dtype, pd.CategoricalDtype) or list(labels.cat.categories) != list(
        LABELS
    ):
        labels = pd.Series(pd.Categorical(labels, categories=list(LABELS)), index=labels.index)
    return labels.cat.codes.to_numpy()


def has_label(labels: pd.Series, allowed) -> np.ndarray:
    """Mask of the rows whose label is one of `allowed`."""
    lut = np.zeros(len(LABELS) + 1, dtype=bool)  # code -1 reads the last, False, slot
    lut[[_INDEX[a] for a in allowed]] = True
    return lut[label_codes(labels)]


def ratio(num, den):
    """num / den, NaN where den is 0 (works on scalars and arrays)."""
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)
    return out if out.ndim else float(out)


def f1_of(p, r):
    p, r = np.asarray(p, dtype=float), np.asarray(r, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(p + r > 0, 2 * p * r / np.where(p + r > 0, p + r, 1), 0.0)
    out = np.where(np.isnan(p) | np.isnan(r), np.nan, out)
    return out if out.ndim else float(out)


def prf(tp: float, fp: float, fn: float) -> dict[str, float]:
    p, r = ratio(tp, tp + fp), ratio(tp, tp + fn)
    return {"precision": p, "recall": r, "f1": f1_of(p, r)}


def kept(lines: pd.DataFrame) -> np.ndarray:
    return has_label(lines["pred"], CONTENT)


def scored(lines: pd.DataFrame) -> np.ndarray:
    """Lines that count in content vs boilerplate figures."""
    return has_label(lines["gold"], CONTENT + BOILERPLATE) & ~lines["ignore"].to_numpy()


def content_scores(lines: pd.DataFrame, keep: np.ndarray) -> dict[str, dict]:
    """Content (T+B) precision/recall/F1 of a keep decision, by lines and by characters."""
    use = scored(lines)
    y = has_label(lines["gold"], CONTENT)
    out = {}
    for unit, w in (("lines", np.ones(len(lines))), ("chars", lines["chars"].to_numpy())):
        w = w * use
        tp, fp, fn = w[keep & y].sum(), w[keep & ~y].sum(), w[~keep & y].sum()
        out[unit] = {**prf(tp, fp, fn), "support": float(w[y].sum())}
    return out


def _counts(gold: np.ndarray, pred: np.ndarray, k: int) -> np.ndarray:
    """k × k matrix of (gold code, predicted code) pairs; codes outside 0..k-1 are skipped."""
    ok = (gold >= 0) & (pred >= 0)
    return np.bincount(gold[ok] * k + pred[ok], minlength=k * k).reshape(k, k)


def label_table(matrix: np.ndarray, labels: tuple[str, ...]) -> pd.DataFrame:
    """Per label (from a gold × predicted count matrix): P, R, F1, support, predicted."""
    rows = {}
    for i, lab in enumerate(labels):
        tp, support, predicted = (
            float(matrix[i, i]),
            float(matrix[i].sum()),
            float(matrix[:, i].sum()),
        )
        if support == 0 and predicted == 0:
            continue
        rows[lab] = {
            **prf(tp, predicted - tp, support - tp),
            "support": int(support),
            "predicted": int(predicted),
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def confusion(matrix: np.ndarray, labels: tuple[str, ...]) -> pd.DataFrame:
    """Gold label (rows) × predicted label (columns), line counts; all-zero rows dropped."""
    table = pd.DataFrame(matrix, index=list(labels), columns=list(labels))
    table.index.name, table.columns.name = "gold", "predicted"
    return table[table.sum(axis=1) > 0]


def label_report(lines: pd.DataFrame, fine_pages: np.ndarray) -> dict:
    """The fine scheme (all nine labels, fully labelled pages) and the coarse one (all pages)."""
    gold, pred = label_codes(lines["gold"]), label_codes(lines["pred"])
    fine = np.isin(lines["page"].to_numpy(), fine_pages)
    to_coarse = np.array([COARSE_LABELS.index(COARSE[lab]) for lab in LABELS] + [-1])
    schemes = {
        "fine": (len(fine_pages), fine, _counts(gold[fine], pred[fine], len(LABELS)), LABELS),
        "coarse": (
            int(lines["page"].nunique()),
            np.ones(len(lines), dtype=bool),
            _counts(to_coarse[gold], to_coarse[pred], len(COARSE_LABELS)),
            COARSE_LABELS,
        ),
    }
    return {
        name: {
            "pages": n_pages,
            "lines": int(mask.sum()),
            "per_label": label_table(matrix, tuple(labels)),
            "confusion": confusion(matrix, tuple(labels)),
        }
        for name, (n_pages, mask, matrix, labels) in schemes.items()
    }


def removal(lines: pd.DataFrame, keep: np.ndarray) -> pd.DataFrame:
    """Per boilerplate kind (and all together): share of its lines and characters dropped."""
    use = ~lines["ignore"].to_numpy()
    gold, chars = lines["gold"], lines["chars"].to_numpy()
    rows = {}
    for kind in (*BOILERPLATE, "all"):
        mask = use & has_label(gold, BOILERPLATE if kind == "all" else (kind,))
        if not mask.any():
            continue
        dropped = mask & ~keep
        rows[kind] = {
            "lines": int(mask.sum()),
            "chars": int(chars[mask].sum()),
            "line_recall": ratio(dropped.sum(), mask.sum()),
            "char_recall": ratio(chars[dropped].sum(), chars[mask].sum()),
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def page_counts(lines: pd.DataFrame, keep: np.ndarray, n_pages: int) -> pd.DataFrame:
    """Per page, in characters: content tp/fp/fn of `keep`, boilerplate and boilerplate removed."""
    use = scored(lines)
    y = has_label(lines["gold"], CONTENT)
    bp = has_label(lines["gold"], BOILERPLATE) & use
    w = lines["chars"].to_numpy().astype(float) * use
    page = lines["page"].to_numpy()

    def total(mask: np.ndarray) -> np.ndarray:
        return np.bincount(page, weights=w * mask, minlength=n_pages)

    return pd.DataFrame(
        {
            "line_tp": total(keep & y),
            "line_fp": total(keep & ~y),
            "line_fn": total(~keep & y),
            "bp_chars": total(bp),
            "bp_removed": total(bp & ~keep),
        }
    )


def title_counts(lines: pd.DataFrame, n_pages: int) -> pd.DataFrame:
    """Per page: has a gold T line; the model's title is one of the gold T lines."""
    page = lines["page"].to_numpy()
    gold_t = has_label(lines["gold"], ("T",))
    hit = gold_t & has_label(lines["pred"], ("T",))
    return pd.DataFrame(
        {
            "has_title": np.bincount(page, weights=gold_t, minlength=n_pages) > 0,
            "title_ok": np.bincount(page, weights=hit, minlength=n_pages) > 0,
        }
    )


@dataclass(frozen=True)
class CurveInputs:
    """The scored lines' p_content, content flag, character weight and page index."""

    p: np.ndarray
    y: np.ndarray
    w: np.ndarray
    page: np.ndarray
    n_pages: int

    @classmethod
    def of(cls, lines: pd.DataFrame, n_pages: int) -> CurveInputs:
        sub = lines[scored(lines)]
        return cls(
            sub["p"].to_numpy(dtype=float),
            has_label(sub["gold"], CONTENT),
            sub["chars"].to_numpy(dtype=float),
            sub["page"].to_numpy(),
            n_pages,
        )

    def at(self, t: float) -> dict[str, float]:
        """Pooled precision/recall/F1 and mean per-page F1 of keeping p >= t."""
        keep, y, w, n = self.p >= t, self.y, self.w, self.n_pages
        tp = np.bincount(self.page, weights=w * (keep & y), minlength=n)
        fp = np.bincount(self.page, weights=w * (keep & ~y), minlength=n)
        fn = np.bincount(self.page, weights=w * (~keep & y), minlength=n)
        denom = 2 * tp + fp + fn
        per_page = np.where(denom > 0, 2 * tp / np.maximum(denom, 1e-9), 1.0)
        present = np.bincount(self.page, minlength=n) > 0
        return {
            "threshold": float(t),
            **prf(tp.sum(), fp.sum(), fn.sum()),
            "page_f1": float(per_page[present].mean()) if present.any() else np.nan,
        }


def threshold_curve(lines: pd.DataFrame, n_pages: int) -> pd.DataFrame:
    """Content P/R/F1 (characters, pooled) and mean per-page F1 for each cut in GRID.

    The cut applies to p_content alone; the title line, chosen by its own model, is left out.
    One pass: characters per (page, number of cuts passed), summed from the top cut down.
    """
    c = CurveInputs.of(lines, n_pages)
    k = len(GRID)
    passed = np.searchsorted(GRID, c.p, side="right")  # kept at cuts GRID[:passed]
    cell = c.page * (k + 1) + passed

    def kept_at(weights: np.ndarray) -> np.ndarray:
        hist = np.bincount(cell, weights=weights, minlength=n_pages * (k + 1))
        hist = hist.reshape(n_pages, k + 1)
        return np.cumsum(hist[:, ::-1], axis=1)[:, ::-1][:, 1:]  # [page, cut]: passed > cut

    tp, kept_all = kept_at(c.w * c.y), kept_at(c.w)
    content = np.bincount(c.page, weights=c.w * c.y, minlength=n_pages)[:, None]
    fp, fn = kept_all - tp, content - tp
    denom = 2 * tp + fp + fn
    per_page = np.where(denom > 0, 2 * tp / np.maximum(denom, 1e-9), 1.0)
    present = np.bincount(c.page, minlength=n_pages) > 0
    pooled = prf(tp.sum(axis=0), fp.sum(axis=0), fn.sum(axis=0))
    page_f1 = per_page[present].mean(axis=0) if present.any() else np.full(k, np.nan)
    return pd.DataFrame({"threshold": GRID, **pooled, "page_f1": page_f1})


def operating_points(lines: pd.DataFrame, n_pages: int, thresholds: dict) -> pd.DataFrame:
    """The curve's figures at the model's named thresholds (precision, balanced, recall)."""
    inputs = CurveInputs.of(lines, n_pages)
    rows = {name: inputs.at(t) for name, t in thresholds.items()}
    return pd.DataFrame.from_dict(rows, orient="index")


def calibration(lines: pd.DataFrame, bins: int = 10) -> tuple[pd.DataFrame, float]:
    """Reliability of p_content: per bin, mean predicted vs observed share of content lines.

    Returns the table and the expected calibration error (line-weighted mean |gap|).
    """
    use = scored(lines)
    p = lines.loc[use, "p"].to_numpy(dtype=float)
    y = has_label(lines["gold"], CONTENT)[use].astype(float)
    edges = np.round(np.linspace(0.0, 1.0, bins + 1), 9)  # 0.6, not 0.6000000000000001
    which = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, bins - 1)
    count = np.bincount(which, minlength=bins)
    mean_p = ratio(np.bincount(which, weights=p, minlength=bins), count)
    observed = ratio(np.bincount(which, weights=y, minlength=bins), count)
    table = pd.DataFrame(
        {"lo": edges[:-1], "hi": edges[1:], "lines": count, "mean_p": mean_p, "observed": observed}
    )
    gaps = np.abs(np.nan_to_num(mean_p) - np.nan_to_num(observed))
    ece = float((count * gaps).sum() / count.sum()) if count.sum() else np.nan
    return table, ece
