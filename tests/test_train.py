"""Training end to end on a slice of the repository's own corpus: artifact, card, determinism."""

import hashlib
import json

import pytest

from tests.conftest import LABELS
from winnow import clean, load_model
from winnow.cli import main

pytestmark = pytest.mark.slow
CORPUS = [str(LABELS / "ko"), str(LABELS / "en")]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    out = tmp_path_factory.mktemp("models")
    assert main(["train", *CORPUS, "--out", str(out), "--name", "a", "--folds", "3"]) == 0
    assert main(["train", *CORPUS, "--out", str(out), "--name", "b", "--folds", "3"]) == 0
    return out


def test_artifact_and_card(trained):
    card = json.loads((trained / "a" / "card.json").read_text())
    assert card["name"] == "a" and card["corpora"] == ["labels"]
    assert card["pages"] == 110 and card["sites"] >= 20
    assert set(card["thresholds"]) == {"precision", "balanced", "recall"}
    assert len(card["cv"]["folds"]) == 3
    assert {"line_precision", "line_recall", "page_f1"} <= set(card["cv"]["folds"][0])
    assert card["label_counts"]["T"] == 110
    assert card["libraries"]["lightgbm"] and card["feature_version"]


def test_same_data_same_seed_same_model(trained):
    digest = [hashlib.sha256((trained / n / "model.joblib").read_bytes()).hexdigest() for n in "ab"]
    assert digest[0] == digest[1]


def test_trained_model_cleans(trained):
    model = load_model(trained / "a")
    page = (LABELS / "ko").rglob("*.tsv").__next__().read_text(encoding="utf-8")
    text = "\n".join(row.partition("\t")[2] for row in page.splitlines() if not row.startswith("#"))
    assert clean(text, model=model).text


def test_refuses_to_overwrite_and_reports_bad_corpora(trained, tmp_path, capsys):
    assert main(["train", *CORPUS, "--out", str(trained), "--name", "a"]) == 1
    assert "exists" in capsys.readouterr().err
    (tmp_path / "bad.tsv").write_text("not a labelled page\n")
    assert main(["train", str(tmp_path), "--out", str(tmp_path)]) == 1
