"""Training end to end on a slice of the repository's own corpus: artifact, card, determinism."""

import hashlib
import json

import numpy as np
import pytest

from tests.conftest import LABELS
from winnow import clean, load_model
from winnow.cli import main
from winnow.labels import make_page
from winnow.train.dataset import CROP_CONTEXT, CROPPED, CROPPED_DENSE, Example, cropped_copies
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


def test_site_folds_keep_sites_whole_and_balance_every_corpus():
    sizes = {"a": [5, 1, 1, 1, 1, 1, 1, 1, 1, 1], "b": [2, 2, 2, 2, 1, 1, 1, 1]}
    corpora, groups = [], []
    for corpus, per_site in sizes.items():
        for i, n in enumerate(per_site):
            corpora += [corpus] * n
            groups += [f"{corpus}-site{i}.example"] * n
    folds = site_folds(corpora, groups, 4)
    by_site = {}
    for group, fold in zip(groups, folds.tolist(), strict=True):
        assert by_site.setdefault(group, fold) == fold  # a site is never split
    for corpus in sizes:
        counts = np.bincount(folds[[c == corpus for c in corpora]], minlength=4)
        assert counts.min() > 0 and counts.max() - counts.min() <= 4


def test_adding_to_one_corpus_moves_no_site_of_another():
    corpora = ["big"] * 40 + ["small"] * 6
    groups = [f"big{i // 2}" for i in range(40)] + [f"small{i}" for i in range(6)]
    before = site_folds(corpora, groups, 4)
    after = site_folds([*corpora, "small", "small"], [*groups, "new1", "new2"], 4)
    assert after[:40].tolist() == before[:40].tolist()
    assert site_folds(corpora[::-1], groups[::-1], 4)[::-1].tolist() == before.tolist()


def test_site_folds_leave_no_fold_empty_with_few_sites():
    for n in range(3, 8):
        corpora = ["a" if i % 2 else "b" for i in range(n)]
        assert set(site_folds(corpora, [f"s{i}" for i in range(n)], 3).tolist()) == {0, 1, 2}


def _example(n_before: int, n_body: int, n_after: int, page_id: str = "p-1") -> Example:
    labels = ["N"] * n_before + ["T", ""] + ["B", ""] * n_body + ["X"] * n_after
    lines = [f"{label or 'blank'} line {i}" if label else "" for i, label in enumerate(labels)]
    header = {"id": page_id, "site": "site.example", "lang": "en", "render": "w3m"}
    page = make_page(lines, labels, header=header)
    return Example(page, "labels", "site.example", None)


def test_cropped_copy_keeps_the_article_and_at_most_a_few_lines_around_it():
    examples = [_example(30, 5, 40, f"p-{i}") for i in range(20)]
    copies = cropped_copies(examples, max_lines=80)
    assert len(copies) == 20
    for ex, copy in zip(examples, copies, strict=True):
        original = ex.page
        start = original.lines.index(copy.page.lines[0])
        end = original.lines.index(copy.page.lines[-1]) + 1
        rows = [
            (label, line)
            for label, line in zip(
                original.labels[start:end], original.lines[start:end], strict=True
            )
            if label or copy.page.render == CROPPED
        ]
        assert list(zip(copy.page.labels, copy.page.lines, strict=True)) == rows
        kept = [label for label in copy.page.labels if label]
        assert kept.count("T") == 1 and kept.count("B") == 5
        assert kept.index("T") <= CROP_CONTEXT and kept[::-1].index("B") <= CROP_CONTEXT
        assert copy.group == ex.group and copy.page.id == ex.page.id
        if copy.page.render == CROPPED_DENSE:
            assert "" not in copy.page.lines
    # the cut varies from page to page; some copies keep their blank lines, some do not
    assert len({c.page.lines[0] for c in copies}) > 3
    assert {c.page.render for c in copies} == {CROPPED, CROPPED_DENSE}


def test_cropped_copies_skip_long_articles_and_pages_without_content():
    assert cropped_copies([_example(5, 70, 5)], max_lines=80) == []
    assert cropped_copies([_example(5, 10, 5)], max_lines=0) == []
    title_only = _example(3, 0, 3)
    bare = make_page(["menu", "footer"], ["N", "X"], header={"id": "x", "site": "s.example"})
    assert cropped_copies([Example(bare, "labels", "s.example", None)], max_lines=80) == []
    assert len(cropped_copies([title_only], max_lines=80)) == 1  # a title alone is content


def test_a_page_s_copy_does_not_depend_on_the_other_pages():
    pages = [_example(30, 4, 30, f"p-{i}") for i in range(6)]
    alone = cropped_copies(pages[3:4], max_lines=80)[0]
    among = cropped_copies(pages[::-1], max_lines=80)[2]
    assert alone.page == among.page
    other_seed = cropped_copies(pages, max_lines=80, seed=1)
    assert [c.page for c in other_seed] != [c.page for c in cropped_copies(pages, max_lines=80)]


def test_cropped_copies_do_not_vote_on_the_thresholds():
    import numpy as np

    from winnow.train.fit import pick_relative_cut, pick_thresholds, whole_pages
    from winnow.train.matrices import build

    pages = [_example(6 + i, 4 + i % 3, 9, f"p-{i}") for i in range(6)]
    copies = cropped_copies(pages, max_lines=80)
    alone = build(pages, {}, jobs=1)
    both = build(pages + copies, {}, jobs=1)
    assert whole_pages(both).tolist() == [True] * len(pages) + [False] * len(copies)
    rng = np.random.default_rng(0)
    p = rng.random(len(alone.y_content))
    noise = rng.random(len(both.y_content) - len(p))  # whatever the copies score
    p_both = np.concatenate([p, noise])
    assert pick_thresholds(both, p_both) == pick_thresholds(alone, p)
    cut = pick_thresholds(alone, p)["balanced"]
    assert pick_relative_cut(both, p_both, cut) == pick_relative_cut(alone, p, cut)
