"""The worst pages and their wrong lines in context: what to look at, and label, next.

A wrongly kept line is returned in the title or body but labelled N, L, A, S or X; a wrongly
dropped line is labelled T or B but not returned. C and M lines are never errors here.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from winnow.train.dataset import Example
from winnow.train.line_metrics import BOILERPLATE, CONTENT, has_label, kept

MAX_TEXT = 240


def error_kind(lines: pd.DataFrame) -> np.ndarray:
    """Per line: "kept" (wrongly kept), "dropped" (wrongly dropped) or ""."""
    keep = kept(lines)
    wrong_keep = keep & has_label(lines["gold"], BOILERPLATE) & ~lines["ignore"].to_numpy()
    wrong_drop = ~keep & has_label(lines["gold"], CONTENT)
    return np.where(wrong_keep, "kept", np.where(wrong_drop, "dropped", ""))


def _blocks(errors: np.ndarray, context: int) -> list[tuple[int, int]]:
    """Row spans [start, end) around error rows, merged where their contexts touch."""
    spans: list[list[int]] = []
    for i in np.flatnonzero(errors):
        lo, hi = max(0, i - context), min(len(errors), i + context + 1)
        if spans and lo <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], hi)
        else:
            spans.append([lo, hi])
    return [(a, b) for a, b in spans]


def _clip(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def page_errors(page_lines: pd.DataFrame, example: Example, context: int, max_blocks: int):
    """The error blocks of one page: each a list of lines with number, labels, p and text."""
    kinds = error_kind(page_lines)
    spans = _blocks(kinds != "", context)
    text = example.page.lines
    blocks = []
    for lo, hi in spans[:max_blocks]:
        rows = page_lines.iloc[lo:hi]
        blocks.append(
            [
                {
                    "line": int(r.line),
                    "gold": r.gold,
                    "pred": r.pred,
                    "p": round(float(r.p), 3),
                    "error": kinds[lo + k],
                    "text": _clip(text[int(r.line) - 1]),
                }
                for k, r in enumerate(rows.itertuples(index=False))
            ]
        )
    return blocks, max(0, len(spans) - max_blocks), kinds


def worst_pages(
    pages: pd.DataFrame,
    lines: pd.DataFrame,
    examples: Sequence[Example],
    n: int = 20,
    context: int = 2,
) -> list[dict]:
    """The `n` pages with the lowest F1 (most wrong characters first among ties).

    A page rendered several ways is listed once, by its worst rendering; the others' F1 are
    given beside it.
    """
    order = pages.assign(_wrong=pages["line_fp"] + pages["line_fn"]).sort_values(
        ["f1", "_wrong"], ascending=[True, False], kind="stable"
    )
    renders = order.groupby(["corpus", "id"], sort=False)[["render", "f1"]]
    others = {key: list(zip(g["render"], g["f1"], strict=True)) for key, g in renders}
    order = order.drop_duplicates(["corpus", "id"])
    by_page = lines.groupby("page", sort=False).indices
    out = []
    for k in order.index[:n]:
        row = pages.loc[k]
        rows = by_page.get(k, np.zeros(0, dtype=int))
        page_lines = lines.iloc[rows]
        blocks, more, kinds = page_errors(page_lines, examples[k], context, max_blocks=8)
        out.append(
            {
                "id": row["id"],
                "path": row["path"],
                "corpus": row["corpus"],
                "site": row["group"],
                "lang": row["lang"],
                "render": row["render"],
                "precision": float(row["precision"]),
                "recall": float(row["recall"]),
                "f1": float(row["f1"]),
                "wrongly_kept": int(np.sum(kinds == "kept")),
                "wrongly_dropped": int(np.sum(kinds == "dropped")),
                "blocks": blocks,
                "more_blocks": more,
                "replacement_chars": examples[k].page.text.count("\ufffd"),
                "other_renders": [
                    {"render": r, "f1": float(f)}
                    for r, f in others[(row["corpus"], row["id"])]
                    if r != row["render"]
                ],
            }
        )
    return out
