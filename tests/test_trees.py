"""Compiled trees (lleaves) give LightGBM's numbers, are cached, and are optional."""

import numpy as np
import pytest

from tests.conftest import DEFAULT_MODEL, LABELS
from winnow import clean, load_model
from winnow.labels import read_page
from winnow.trees import compile_booster

pytest.importorskip("lleaves")


@pytest.fixture(scope="module")
def plain():
    return load_model(DEFAULT_MODEL, compile=False)


def _rows(booster, n=300, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, booster.num_feature())) * 3
    x[rng.random(x.shape) < 0.1] = np.nan  # neighbours past the page's ends are NaN
    return x


def test_compiled_trees_predict_what_lightgbm_predicts(plain, tmp_path):
    for name in ("title", "kinds"):
        booster = getattr(plain, name)
        x = _rows(booster)
        compiled = compile_booster(booster, tmp_path)
        np.testing.assert_allclose(compiled.predict(x, n_jobs=1), booster.predict(x), atol=1e-9)


def test_compiled_trees_are_cached_and_a_broken_cache_is_rebuilt(plain, tmp_path, capsys):
    booster = plain.title
    compile_booster(booster, tmp_path)
    assert "compiling" in capsys.readouterr().err
    (obj,) = tmp_path.glob("*.o")
    compile_booster(booster, tmp_path)
    assert "compiling" not in capsys.readouterr().err  # read from the cache
    obj.write_bytes(b"not an object file")
    compiled = compile_booster(booster, tmp_path)
    assert "compiling" in capsys.readouterr().err
    x = _rows(booster, seed=1)
    np.testing.assert_allclose(compiled.predict(x, n_jobs=1), booster.predict(x), atol=1e-9)


def test_compiling_can_be_turned_off(monkeypatch):
    monkeypatch.setenv("WINNOW_COMPILE", "0")
    assert load_model(DEFAULT_MODEL).compiled == []


def test_clean_is_the_same_with_and_without_compiled_trees(model, plain, korean_example):
    assert set(model.compiled) == {"stage1", "stage2", "title", "kinds", "page_type"}
    files = sorted(LABELS.glob("*/*/*.tsv"))[::7]
    pages = [korean_example, *(read_page(f).text for f in files)]
    for text in pages:
        a, b = clean(text, model=model), clean(text, model=plain)
        assert (a.title, a.paragraphs) == (b.title, b.paragraphs)
        np.testing.assert_allclose(
            [r.p_content for r in a.lines], [r.p_content for r in b.lines], atol=1e-9
        )
