"""`winnow eval` end to end, in-process: report folder, console summary, --compare, errors."""

from __future__ import annotations

import json

import pytest

from tests.conftest import DEFAULT_MODEL
from tests.test_eval_report import small_set
from winnow.cli import main


def run_eval(tmp_path, *extra: str, data: list[str] | None = None) -> int:
    argv = ["eval", "--model", str(DEFAULT_MODEL), "--out", str(tmp_path), "--name", "small"]
    return main([*argv, *extra, *(small_set()[:3] if data is None else data)])


def test_eval_writes_the_report_folder(tmp_path, capsys):
    assert run_eval(tmp_path, "--worst", "2") == 0
    folder = tmp_path / "default" / "small"
    for name in ("index.html", "report.md", "metrics.json", "pages.csv", "pr_curve.png"):
        assert (folder / name).is_file(), name
    metrics = json.loads((folder / "metrics.json").read_text())
    assert metrics["data"]["pages"] == 3
    assert len(metrics["worst_pages"]) <= 2
    assert "compare" not in metrics
    out = capsys.readouterr()
    assert "Headline" in out.out and "By corpus" in out.out
    assert "index.html" in out.err


def test_compare_with_the_same_model_gives_zero_deltas(tmp_path, capsys):
    assert run_eval(tmp_path, "--compare", str(DEFAULT_MODEL)) == 0
    comp = json.loads((tmp_path / "default" / "small" / "metrics.json").read_text())["compare"]
    assert set(comp) == {
        "model",
        "threshold",
        "seconds",
        "headline",
        "f1_interval",
        "pages",
        "by_corpus",
        "by_site",
    }
    assert comp["f1_interval"] == [0.0, 0.0]
    assert comp["headline"]["f1"]["model"] == comp["headline"]["f1"]["compare"]
    for figure in comp["headline"].values():
        assert list(figure) == ["model", "compare", "delta"]
        assert figure["delta"] in (0.0, None)
    for row in comp["by_corpus"] + comp["by_site"]:
        assert row["delta_f1"] == 0.0
    for row in comp["by_corpus"]:
        assert row["delta_f1_low"] == row["delta_f1_high"] == 0.0
    assert comp["pages"] == {"paired": 3, "better": 0, "worse": 0, "same": 3}
    out = capsys.readouterr().out
    assert "Δ" in out


def test_threshold_and_mode_reach_the_report(tmp_path):
    assert run_eval(tmp_path, "--threshold", "0.9") == 0
    run = json.loads((tmp_path / "default" / "small" / "metrics.json").read_text())["run"]
    assert run["threshold"] == 0.9 and run["mode"] == "threshold"


@pytest.mark.parametrize(
    ("extra", "data", "message"),
    [
        (["--model", "/nonexistent/model"], None, "no model"),
        ([], ["/nonexistent/pages"], "no such file"),
        (["--workers", "0"], None, "--workers"),
        (["--threshold", "1.5"], None, "threshold"),
    ],
)
def test_bad_input_gets_a_clear_error(tmp_path, capsys, extra, data, message):
    code = run_eval(tmp_path, *extra, data=data)
    assert code in (1, 2)
    assert message in capsys.readouterr().err
    assert not (tmp_path / "default").exists()


def test_a_folder_without_pages_is_an_error(tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run_eval(tmp_path, data=[str(empty)]) == 1
    assert "no labelled pages" in capsys.readouterr().err
