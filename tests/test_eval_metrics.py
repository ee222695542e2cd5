"""The metric code of `winnow eval` against examples computed by hand."""

from __future__ import annotations

import random
from collections import Counter

import numpy as np
import pandas as pd
import pytest

from winnow.labels import LABELS
from winnow.train.line_metrics import (
    CurveInputs,
    calibration,
    content_scores,
    has_label,
    label_report,
    page_counts,
    removal,
    threshold_curve,
    title_counts,
)
from winnow.train.metrics import (
    aeb_summary,
    bag_prf,
    shingle_counts,
    shingles,
    token_prf,
    tokens,
    wcxb_prf,
)
from winnow.train.page_metrics import SUMMARY_COLUMNS, summarize
from winnow.train.report_errors import _blocks, error_kind


# ---- tokens and the bag rules --------------------------------------------------------------
def test_tokens_split_han_and_kana_per_character_and_keep_hangul_words():
    assert tokens("中文 Text 日本語です") == ["中", "文", "text", "日", "本", "語", "で", "す"]
    assert tokens("한국어 문장입니다.") == ["한국어", "문장입니다"]
    assert tokens("") == []


def test_token_prf_on_cjk_counts_characters():
    # gold 4 characters, output 2 of them plus 1 other: P 2/3, R 2/4
    p, r, f = token_prf("中文字", "中文测试")
    assert (p, r) == pytest.approx((2 / 3, 0.5))
    assert f == pytest.approx(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5))


def test_bag_rules_on_empty_pages():
    assert token_prf("", "") == (1.0, 1.0, 1.0)  # nothing to find, nothing returned
    assert token_prf("menu", "") == (0.0, 0.0, 0.0)
    assert token_prf("", "article") == (0.0, 0.0, 0.0)
    assert bag_prf([], []) == (1.0, 1.0, 1.0)


def test_wcxb_rule_is_lower_cased_words_as_a_multiset():
    # pred: the cat the hat; gold: the cat → overlap 2 (the, cat)
    p, r, f = wcxb_prf("The cat, the hat.", "the CAT")
    assert (p, r, f) == pytest.approx((0.5, 1.0, 2 / 3))
    # WCXB's \w+ keeps a Chinese sentence as one word: no character split
    assert wcxb_prf("中文字", "中文测试") == (0.0, 0.0, 0.0)


# ---- AEB's shingle rule --------------------------------------------------------------------
def _reference_shingles(toks, n=4):
    """The rule as first written: every window, one shorter window when there are fewer."""
    return Counter(
        tuple(toks[i : i + n]) for i in range(max(1, len(toks) - n + 1)) if toks[i : i + n]
    )


def test_shingles_match_the_reference_rule():
    rng = random.Random(0)
    for _ in range(200):
        toks = [rng.choice("abc") for _ in range(rng.randrange(0, 9))]
        assert shingles(toks) == _reference_shingles(toks)


def test_shingle_counts_by_hand():
    # pred shingles {abcd, bcde}, gold {abcd}: tp 1, fp 1, fn 0 → normalised by 2
    assert shingle_counts("a b c d e", "a b c d") == (0.5, 0.5, 0.0)
    # case is kept: A ≠ a
    assert shingle_counts("A b c d", "a b c d") == (0.0, 0.5, 0.5)
    # fewer than 4 tokens: the whole run is one shingle
    assert shingle_counts("a b", "a b") == (1.0, 0.0, 0.0)
    assert shingle_counts("", "") == (0.0, 0.0, 0.0)
    assert shingle_counts("", "a b c d") == (0.0, 0.0, 1.0)


def test_aeb_summary_edge_cases():
    # page 1 perfect; page 2 empty output (no precision term); page 3 nothing on either side
    counts = [(1.0, 0.0, 0.0), (0.0, 0.0, 1.0), (0.0, 0.0, 0.0)]
    out = aeb_summary(counts)
    assert out["precision"] == 1.0  # only page 1 output shingles
    assert out["recall"] == 0.5  # pages 1 and 2 have gold
    assert out["f1"] == pytest.approx(2 * 1.0 * 0.5 / 1.5)
    assert aeb_summary([]) == {"precision": 0.0, "recall": 0.0, "f1": 0.0}


# ---- per-page summaries --------------------------------------------------------------------
def _pages(rows: list[dict]) -> pd.DataFrame:
    base = {
        "corpus": "c",
        "group": "s",
        "line_tp": 0.0,
        "line_fp": 0.0,
        "line_fn": 0.0,
        "bp_chars": 0.0,
        "bp_removed": 0.0,
        "has_title": False,
        "title_ok": False,
    }
    return pd.DataFrame([{**base, **r} for r in rows])


def test_summary_aeb_matches_aeb_summary_per_group():
    rng = np.random.default_rng(1)
    rows = []
    for k in range(60):
        tp, fp, fn = rng.integers(0, 4, size=3).astype(float)
        total = tp + fp + fn
        counts = (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)
        rows.append(
            {
                "corpus": "ab"[k % 2],
                "precision": 1.0,
                "recall": 1.0,
                "f1": 1.0,
                "wcxb_f1": 0.5,
                "aeb_tp": counts[0],
                "aeb_fp": counts[1],
                "aeb_fn": counts[2],
            }
        )
    pages = _pages(rows)
    table = summarize(pages, by=["corpus"])
    for corpus, group in pages.groupby("corpus"):
        expected = aeb_summary(zip(group["aeb_tp"], group["aeb_fp"], group["aeb_fn"], strict=True))
        got = table.loc[corpus]
        assert got["aeb_precision"] == pytest.approx(expected["precision"])
        assert got["aeb_recall"] == pytest.approx(expected["recall"])
        assert got["aeb_f1"] == pytest.approx(expected["f1"])


def test_summary_shares_and_pooled_line_figures():
    pages = _pages(
        [
            {"precision": 1.0, "recall": 1.0, "f1": 1.0, "line_tp": 90.0, "line_fp": 10.0},
            {"precision": 0.5, "recall": 1.0, "f1": 0.95, "line_tp": 10.0, "line_fn": 10.0},
            {"precision": 0.0, "recall": 0.0, "f1": 0.0, "bp_chars": 10.0, "bp_removed": 5.0},
        ]
    )
    row = summarize(pages).iloc[0]
    assert list(summarize(pages).columns) == list(SUMMARY_COLUMNS)
    assert row["pages"] == 3 and row["sites"] == 1
    assert row["f1"] == pytest.approx(1.95 / 3)
    assert row["f1_ge_0_9"] == pytest.approx(2 / 3)
    assert row["f1_ge_0_99"] == pytest.approx(1 / 3)
    assert row["line_precision"] == pytest.approx(100 / 110)  # pooled, not averaged
    assert row["line_recall"] == pytest.approx(100 / 110)
    assert row["removal_recall"] == pytest.approx(0.5)
    assert np.isnan(row["wcxb_f1"]) and np.isnan(row["aeb_f1"])  # no benchmark gold
    assert np.isnan(row["title_accuracy"])  # no page has a title


# ---- line level ----------------------------------------------------------------------------
def _lines(rows: list[tuple]) -> pd.DataFrame:
    """rows: (page, gold, pred, p, chars[, ignore])."""
    frame = pd.DataFrame(
        [(*r, False) if len(r) == 5 else r for r in rows],
        columns=["page", "gold", "pred", "p", "chars", "ignore"],
    )
    for col in ("gold", "pred"):
        frame[col] = pd.Categorical(frame[col], categories=list(LABELS))
    frame["line"] = frame.groupby("page").cumcount() + 1
    frame["heuristic"] = False
    return frame


LINES = _lines(
    [
        (0, "T", "T", 0.92, 10),
        (0, "B", "B", 0.85, 100),  # content kept
        (0, "B", "N", 0.25, 50),  # content dropped
        (0, "N", "B", 0.65, 20),  # boilerplate kept
        (0, "N", "N", 0.15, 30),
        (0, "C", "B", 0.7, 1000),  # caption kept: counts neither way
        (0, "M", "M", 0.1, 1000),  # meta dropped: counts neither way
        (1, "X", "X", 0.05, 40),
        (1, "B", "B", 0.95, 60),
        (1, "X", "B", 0.5, 5000, True),  # a headline copy on a page without gold title
    ]
)


def test_content_scores_leave_out_captions_meta_and_headline_copies():
    keep = has_label(LINES["pred"], ("T", "B"))
    chars = content_scores(LINES, keep)["chars"]
    # kept content 10+100+60, kept boilerplate 20, dropped content 50
    assert chars["precision"] == pytest.approx(170 / 190)
    assert chars["recall"] == pytest.approx(170 / 220)
    assert chars["support"] == 220
    by_lines = content_scores(LINES, keep)["lines"]
    assert by_lines["precision"] == pytest.approx(3 / 4)
    assert by_lines["recall"] == pytest.approx(3 / 4)


def test_removal_recall_per_kind():
    keep = has_label(LINES["pred"], ("T", "B"))
    table = removal(LINES, keep)
    assert table.loc["N", "line_recall"] == 0.5
    assert table.loc["N", "char_recall"] == pytest.approx(30 / 50)
    assert table.loc["X", "lines"] == 1  # the ignored headline copy is not counted
    assert table.loc["X", "char_recall"] == 1.0
    assert table.loc["all", "chars"] == 90
    assert "A" not in table.index  # kinds absent from the data are left out


def test_label_report_fine_and_coarse():
    report = label_report(LINES, np.array([0]))
    fine = report["fine"]
    assert fine["pages"] == 1 and fine["lines"] == 7
    assert fine["per_label"].loc["B", "support"] == 2
    assert fine["per_label"].loc["B", "predicted"] == 3  # B, N→B, C→B
    assert fine["per_label"].loc["B", "precision"] == pytest.approx(1 / 3)
    assert fine["per_label"].loc["B", "recall"] == pytest.approx(1 / 2)
    assert fine["confusion"].loc["C", "B"] == 1
    assert "X" not in fine["confusion"].index  # no gold X on page 0
    coarse = report["coarse"]
    assert coarse["lines"] == 10
    matrix = coarse["confusion"]
    assert matrix.loc["NLASX", "B"] == 2  # N→B and the X headline copy
    assert matrix.loc["CM", "B"] == 1 and matrix.loc["CM", "NLASX"] == 0
    assert matrix.loc["CM", "CM"] == 1  # M→M is a coarse hit
    assert int(matrix.to_numpy().sum()) == 10


def test_page_counts_and_titles():
    keep = has_label(LINES["pred"], ("T", "B"))
    counts = page_counts(LINES, keep, 3)
    assert counts["line_tp"].tolist() == [110, 60, 0]
    assert counts["line_fp"].tolist() == [20, 0, 0]
    assert counts["line_fn"].tolist() == [50, 0, 0]
    titles = title_counts(LINES, 3)
    assert titles["has_title"].tolist() == [True, False, False]
    assert titles["title_ok"].tolist() == [True, False, False]


def test_threshold_curve_matches_direct_cuts():
    rng = np.random.default_rng(2)
    n = 400
    frame = _lines(
        [
            (int(rng.integers(0, 7)), str(g), "B", float(p), int(c))
            for g, p, c in zip(
                rng.choice(list("TBCNX"), n),
                rng.random(n).round(3),
                rng.integers(1, 90, n),
                strict=True,
            )
        ]
    )
    curve = threshold_curve(frame, 8)
    direct = CurveInputs.of(frame, 8)
    for k in (0, 13, 50, 77, 100):
        row, expected = curve.iloc[k], direct.at(curve["threshold"].iloc[k])
        for key in ("precision", "recall", "f1", "page_f1"):
            assert row[key] == pytest.approx(expected[key], nan_ok=True), (k, key)
    assert curve["recall"].is_monotonic_decreasing


def test_calibration_bins_by_hand():
    table, ece = calibration(LINES)
    # scored (p, content): (.92,1) (.85,1) (.25,1) (.65,0) (.15,0) (.05,0) (.95,1)
    assert table["lines"].tolist() == [1, 1, 1, 0, 0, 0, 1, 0, 1, 2]
    assert table["observed"].iloc[2] == 1.0 and table["observed"].iloc[6] == 0.0
    assert table["mean_p"].iloc[9] == pytest.approx(0.935)
    assert np.isnan(table["mean_p"].iloc[3])  # an empty bin
    gaps = 0.05 + 0.15 + 0.75 + 0.65 + 0.15 + 2 * 0.065
    assert ece == pytest.approx(gaps / 7)


def test_error_kinds_and_blocks():
    kinds = error_kind(LINES)
    assert kinds.tolist() == ["", "", "dropped", "kept", "", "", "", "", "", ""]
    errors = np.array([False, True, False, False, False, False, True, True, False, False])
    assert _blocks(errors, 1) == [(0, 3), (5, 9)]
    assert _blocks(errors, 2) == [(0, 10)]  # contexts touch: one block
    assert _blocks(np.zeros(4, dtype=bool), 2) == []
