"""Training end to end on a slice of the repository's own corpus: artifact, card, determinism."""

import hashlib
import json

import pytest

from tests.conftest import LABELS
from winnow import clean, load_model
from winnow.cli import main
from winnow.train.fit import site_folds

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


def test_site_folds_keep_sites_whole_and_do_not_move_when_sites_are_added():
    sites = [f"site{i}.example" for i in range(40)]
    pages = [s for s in sites for _ in range(3)]
    folds = site_folds(pages, 4)
    assert set(folds.tolist()) == {0, 1, 2, 3}
    assert all(len(set(folds[i : i + 3].tolist())) == 1 for i in range(0, len(pages), 3))
    more = site_folds([*pages, "new-a.example", "new-b.example"], 4)
    assert more[: len(pages)].tolist() == folds.tolist()


def test_site_folds_leave_no_fold_empty_with_few_sites():
    for n in range(3, 8):
        assert set(site_folds([f"s{i}" for i in range(n)], 3).tolist()) == {0, 1, 2}
