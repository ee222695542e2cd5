"""`winnow suggest`: uncertainty per page, diversity across sites, the command's output."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from winnow import Article, LineResult
from winnow.cli import main
from winnow.train.suggest import (
    NEAR_MARGIN,
    Suggestion,
    binary_entropy,
    diversify,
    site_of,
    uncertainty,
)

from .conftest import DEFAULT_MODEL

MODEL = ["--model", str(DEFAULT_MODEL)]
ARTICLE = (
    "Home › Local\n"
    "Harbor council approves new ferry timetable\n"
    "By Priya Okafor\n"
    "The council voted 7–2 on Tuesday evening to adopt the timetable for the harbor ferries.\n"
    "Riders can comment on the plan until May 1, the ferry authority said in a statement.\n"
    "Most read\n"
    "Lighthouse restoration fund reaches its target a year early\n"
    "© 2024 Millbrook Ledger Media LLC. All rights reserved.\n"
)
MENU = "Home\nNews\nSports\nWeather\nContact\nLogin\n"


def _article(ps: list[float], texts: list[str], threshold: float = 0.4) -> Article:
    lines = tuple(
        LineResult(i + 1, text, "B" if p >= threshold else "X", p)
        for i, (p, text) in enumerate(zip(ps, texts, strict=True))
    )
    return Article(None, (), (), (), lines, 0.5, threshold)


def _item(site: str, score: float, name: str) -> Suggestion:
    return Suggestion(name, site, 10, score, score, score, True, "")


def test_binary_entropy_is_one_at_a_coin_flip_and_zero_when_certain():
    h = binary_entropy(np.array([0.0, 0.5, 1.0, 0.2, 0.8]))
    assert h[1] == pytest.approx(1.0)
    assert h[0] == pytest.approx(0.0, abs=1e-6) and h[2] == pytest.approx(0.0, abs=1e-6)
    assert h[3] == pytest.approx(h[4]) and 0 < h[3] < 1


def test_uncertainty_weighs_lines_by_length_and_counts_lines_near_the_threshold():
    article = _article([0.5, 0.0, 0.99], ["x" * 90, "y" * 10, "z" * 100], threshold=0.4)
    u = uncertainty(article)
    h = binary_entropy(np.array([0.5, 0.0, 0.99]))
    assert u.entropy == pytest.approx((h[0] * 90 + h[1] * 10 + h[2] * 100) / 200)
    assert u.near == pytest.approx(1 / 3)  # only 0.5 is within NEAR_MARGIN of 0.4
    assert abs(0.5 - 0.4) < NEAR_MARGIN
    assert u.worst_line == 1 and u.lines == 3 and not u.title_found
    assert 0 <= u.score <= 1
    sure = uncertainty(_article([0.0, 1.0, 1.0], ["a" * 50] * 3))
    assert sure.score < u.score
    assert uncertainty(_article([], [])).lines == 0


def test_diversify_penalizes_a_site_for_each_page_already_taken():
    items = [_item("a", 0.9, "a1"), _item("a", 0.8, "a2"), _item("a", 0.7, "a3")]
    items += [_item("b", 0.5, "b1"), _item("c", 0.1, "c1")]
    order = [s.path for s in diversify(items)]
    assert order == ["a1", "b1", "a2", "a3", "c1"]  # 0.8·0.5 < 0.5; 0.7·0.25 > 0.1
    assert sorted(order) == sorted(s.path for s in items)
    assert [s.path for s in diversify(items, decay=1.0)] == ["a1", "a2", "a3", "b1", "c1"]


def test_site_comes_from_the_folder_or_the_text(tmp_path):
    nested = tmp_path / "news.example.com" / "2024" / "p.txt"
    top = tmp_path / "p.txt"
    text = "see https://ledger.example.org/a"
    assert site_of(nested, tmp_path, text, "folder") == "2024"
    assert site_of(nested, tmp_path, text, "top") == "news.example.com"
    assert site_of(nested, tmp_path, text, "text") == "ledger.example.org"
    assert site_of(top, tmp_path, text, "folder") == "ledger.example.org"
    assert site_of(top, tmp_path, "no host", "folder") == "-"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for site, n in (("a.example", 3), ("b.example", 2), ("c.example", 1)):
        for k in range(n):
            page = tmp_path / site / f"page-{k}.txt"
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text((MENU * k) + ARTICLE, encoding="utf-8")
    (tmp_path / "a.example" / "broken.txt").write_bytes(b"\xff\xfe not utf-8 \xc3")
    (tmp_path / "a.example" / "empty.txt").write_text("  \n\n", encoding="utf-8")
    (tmp_path / "a.example" / "labelled.tsv").write_text("#winnow-labels\t1\n", encoding="utf-8")
    return tmp_path


def test_json_ranking_covers_the_folder_and_spreads_sites(folder, capsys):
    assert main(["suggest", str(folder), "--json", "--top", "100", *MODEL]) == 0
    out = capsys.readouterr()
    ranked = json.loads(out.out)
    assert "broken.txt" in out.err and "empty.txt" in out.err
    assert sorted(r["path"] for r in ranked) == sorted(
        p.relative_to(folder).as_posix() for p in folder.rglob("page-*.txt")
    )
    assert [r["rank"] for r in ranked] == list(range(1, len(ranked) + 1))
    for row in ranked:
        assert row["site"] == row["path"].split("/")[0]
        assert 0 <= row["score"] <= 1 and row["lines"] > 0 and row["reason"]
    rows = [Suggestion(**{k: v for k, v in r.items() if k != "rank"}) for r in ranked]
    assert diversify(rows) == rows  # the order is the site-spreading order of the scores

    assert main(["suggest", str(folder), "--json", "--top", "2", *MODEL]) == 0
    assert json.loads(capsys.readouterr().out) == ranked[:2]


def test_table_lists_the_top_pages(folder, capsys):
    assert main(["suggest", str(folder), "--top", "3", *MODEL]) == 0
    out = capsys.readouterr().out
    assert "label these first (3 of 6 pages)" in out
    assert out.count(".example/page-") == 3 and "reason" in out


def test_bad_folders_and_options_are_errors(tmp_path, capsys):
    assert main(["suggest", str(tmp_path / "missing"), *MODEL]) == 2
    assert "not a folder" in capsys.readouterr().err
    assert main(["suggest", str(tmp_path), *MODEL]) == 1
    assert "no readable .txt page" in capsys.readouterr().err
    assert main(["suggest", str(tmp_path), "--top", "0", *MODEL]) == 2
    assert main(["suggest", str(tmp_path), "--model", str(tmp_path / "none")]) == 1
    assert "no model" in capsys.readouterr().err
