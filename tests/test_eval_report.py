"""The report of `winnow eval`: stable metrics.json keys, consistent figures, offline HTML."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.conftest import DEFAULT_MODEL, LABELS
from winnow.labels import make_page
from winnow.model import load_model
from winnow.train.dataset import Example, load_examples
from winnow.train.evaluate import EvalConfig, evaluate, evaluate_page
from winnow.train.report import write_report
from winnow.train.report_metrics import DataInfo, build_metrics, to_json_ready

SUMMARY = [
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
]
BASELINE = [
    f"{s}_{c}" for s in ("heuristic", "keep_all") for c in ("f1", "line_f1", "wcxb_f1", "aeb_f1")
]
TOP = [
    "schema_version",
    "model",
    "data",
    "run",
    "headline",
    "text",
    "f1_histogram",
    "lines",
    "thresholds",
    "calibration",
    "worst_pages",
]
WORST = [
    "id",
    "path",
    "corpus",
    "site",
    "lang",
    "render",
    "precision",
    "recall",
    "f1",
    "wrongly_kept",
    "wrongly_dropped",
    "blocks",
    "more_blocks",
    "replacement_chars",
    "other_renders",
]


def small_set() -> list[str]:
    files = sorted(LABELS.rglob("*.tsv"))
    return [str(f) for f in files[::27]]  # a handful of pages, several languages


@pytest.fixture(scope="module")
def report():
    examples = load_examples(small_set())
    ev = evaluate(examples, EvalConfig(str(DEFAULT_MODEL), workers=1))
    metrics, pages = build_metrics(ev, examples, DataInfo("small", ("x",)), worst=3)
    return to_json_ready(metrics), pages, ev


def test_metrics_json_keys_are_stable(report):
    m, _, _ = report
    assert list(m) == TOP
    assert m["schema_version"] == 1
    assert set(m["model"]) == {
        *("name", "version", "path", "created", "trained_on", "thresholds", "cv_page_f1"),
    }
    assert set(m["data"]) == {
        *("name", "paths", "pages", "sites", "lines", "fully_labelled_pages", "corpora"),
        "in_training",
    }
    assert set(m["run"]) == {
        "mode",
        "threshold",
        "workers",
        "seconds",
        "created",
        "winnow",
        "command",
    }
    assert list(m["headline"]) == ["model", "heuristic", "keep_all"]
    for system in m["headline"].values():
        assert list(system) == SUMMARY
    keys = {"by_corpus": ["corpus"], "by_render": ["render"], "by_lang": ["lang"]}
    keys |= {"by_type": ["type"], "by_corpus_render": ["corpus", "render"], "by_site": ["site"]}
    assert list(m["text"]) == list(keys)
    for name, group in keys.items():
        assert m["text"][name], name
        for record in m["text"][name]:
            assert list(record) == group + SUMMARY + BASELINE, name
    assert list(m["f1_histogram"]) == ["edges", "model", "heuristic", "keep_all"]
    assert list(m["lines"]) == ["content", "removal", "fine", "coarse"]
    for system in ("model", "heuristic", "keep_all"):
        for unit in ("lines", "chars"):
            assert list(m["lines"]["content"][system][unit]) == [
                "precision",
                "recall",
                "f1",
                "support",
            ]
        for kind in m["lines"]["removal"][system].values():
            assert list(kind) == ["lines", "chars", "line_recall", "char_recall"]
    for scheme in ("fine", "coarse"):
        assert list(m["lines"][scheme]) == ["pages", "lines", "per_label", "confusion"]
        assert list(m["lines"][scheme]["confusion"]) == ["labels", "rows"]
        for row in m["lines"][scheme]["per_label"].values():
            assert list(row) == ["precision", "recall", "f1", "support", "predicted"]
    points = m["thresholds"]["operating_points"]
    assert list(points) == ["precision", "balanced", "recall", "this_run"]
    for point in [*points.values(), *m["thresholds"]["curve"]]:
        assert list(point) == ["threshold", "precision", "recall", "f1", "page_f1"]
    assert len(m["thresholds"]["curve"]) == 101
    assert list(m["calibration"]) == ["ece", "bins"]
    assert list(m["calibration"]["bins"][0]) == ["lo", "hi", "lines", "mean_p", "observed"]
    assert m["worst_pages"] and all(list(w) == WORST for w in m["worst_pages"])
    for block in m["worst_pages"][0]["blocks"]:
        for line in block:
            assert list(line) == ["line", "gold", "pred", "p", "error", "text"]


def test_figures_are_consistent(report):
    m, pages, ev = report
    n = len(pages)
    assert m["data"]["pages"] == n == m["headline"]["model"]["pages"]
    assert m["data"]["lines"] == len(ev.lines) == m["lines"]["coarse"]["lines"]
    coarse = m["lines"]["coarse"]["confusion"]["rows"]
    assert sum(map(sum, coarse.values())) == len(ev.lines)
    assert sum(m["f1_histogram"]["model"]) == n
    assert sum(r["pages"] for r in m["text"]["by_corpus"]) == n
    keep_all = m["headline"]["keep_all"]
    assert keep_all["recall"] == 1.0 and keep_all["line_recall"] == 1.0
    assert keep_all["removal_recall"] == 0.0
    for system in m["headline"].values():
        for key in ("precision", "recall", "f1", "line_precision", "line_recall"):
            assert 0.0 <= system[key] <= 1.0
    # the report's mean page F1 is the mean of the per-page scores
    assert m["headline"]["model"]["f1"] == pytest.approx(pages["f1"].mean(), abs=1e-4)
    assert m["run"]["threshold"] == load_model(DEFAULT_MODEL).threshold("balanced")
    json.dumps(m, allow_nan=False)


def test_report_folder_is_self_contained(report, tmp_path):
    m, pages, _ = report
    paths = write_report(m, pages, tmp_path / "r")
    html = paths["html"].read_text(encoding="utf-8")
    assert html.count("data:image/png;base64,") == 4
    for remote in ('src="http', "src='http", 'href="http', "<link ", "<script"):
        assert remote not in html
    assert m["model"]["name"] in html and "Worst pages" in html
    md = paths["md"].read_text(encoding="utf-8")
    assert "| figure | model | line heuristic | keep everything |" in md
    assert "## Worst pages" in md
    assert json.loads(paths["json"].read_text()) == m
    assert paths["csv"].read_text().count("\n") == len(pages) + 1


def test_an_empty_page_scores_without_error(model):
    page = make_page(["", "  "], ["", "X"], header={"id": "e", "site": "a.b", "lang": "en"})
    result = evaluate_page(model, 0.5, Example(page, "labels", "a.b", None))
    assert len(result.line) == 0
    assert (result.row["precision"], result.row["recall"], result.row["f1"]) == (1.0, 1.0, 1.0)


def test_worker_processes_give_the_serial_result(monkeypatch):
    import winnow.train.evaluate as evaluate_module

    examples = load_examples(small_set()[:4])
    serial = evaluate(examples, EvalConfig(str(DEFAULT_MODEL), workers=1))
    monkeypatch.setattr(evaluate_module, "CHUNK", 2)
    pooled = evaluate(examples, EvalConfig(str(DEFAULT_MODEL), workers=2))
    assert pooled.workers == 2
    assert serial.pages.equals(pooled.pages)
    assert serial.lines.equals(pooled.lines)
    assert np.isfinite(pooled.lines["p"]).all()


def test_coarse_benchmark_pages(shared_corpora):
    """T/B/X pages: no nine-label table, removal only for X, the benchmarks' own rules filled."""
    from winnow.train.report_tables import sections

    files = [
        *sorted((shared_corpora / "wcxb" / "w3m").glob("*.tsv"))[:2],
        *sorted((shared_corpora / "aeb").glob("*/*.tsv"))[:2],
    ]
    examples = load_examples(files)
    ev = evaluate(examples, EvalConfig(str(DEFAULT_MODEL), workers=1))
    m, _ = build_metrics(ev, examples, DataInfo("bench", ("x",)), worst=2)
    m = to_json_ready(m)
    assert m["lines"]["fine"]["lines"] == 0 and m["lines"]["fine"]["per_label"] == {}
    assert set(m["lines"]["removal"]["model"]) <= {"X", "all"}
    by_corpus = {r["corpus"]: r for r in m["text"]["by_corpus"]}
    assert set(by_corpus) == {"wcxb", "aeb"}
    for row in by_corpus.values():
        assert row["benchmark_pages"] == 2
        assert 0.0 <= row["wcxb_f1"] <= 1.0 and 0.0 <= row["aeb_f1"] <= 1.0
    titles = [s.title for s in sections(m)]
    assert "Against published figures" in titles


def test_a_worker_refuses_a_model_changed_during_the_run(monkeypatch):
    import winnow.train.evaluate as evaluate_module
    from winnow.errors import ModelMismatch

    monkeypatch.setattr(evaluate_module, "_WORKER", {})
    evaluate_module._init_worker(str(DEFAULT_MODEL), 0.5, "0" * 64)
    with pytest.raises(ModelMismatch, match="changed during the evaluation"):
        evaluate_module._run_chunk([])


def test_site_interval_resamples_whole_sites():
    import pandas as pd

    from winnow.train.report_compare import site_interval

    def pages(f1_by_page):
        rows = [
            {"corpus": "c", "id": f"p{i}", "render": "r", "group": f"s{i // 5}", "f1": f1}
            for i, f1 in enumerate(f1_by_page)
        ]
        return pd.DataFrame(rows)

    base = pages([0.5] * 40)
    better = pages([0.6] * 40)
    low, high = site_interval(better, base)
    assert abs(low - 0.1) < 1e-9 and abs(high - 0.1) < 1e-9  # same gain on every site
    # one site of eight gains a lot, the others nothing: the interval spans 0
    mixed = pages([0.5] * 35 + [1.0] * 5)
    low, high = site_interval(mixed, base)
    assert low <= 0.0 < high
    # the same numbers on pages spread over 40 sites give a tighter interval
    spread = pages([0.5] * 35 + [1.0] * 5).assign(group=[f"s{i}" for i in range(40)])
    low2, high2 = site_interval(spread, base.assign(group=[f"s{i}" for i in range(40)]))
    assert high2 - low2 < high - low
