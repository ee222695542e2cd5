import numpy as np

from winnow.article import assemble, keep_mask, line_labels
from winnow.model import KIND_LABELS, PagePrediction

LINES = [
    "Menu",
    "",
    "Headline of the story",
    "",
    "First paragraph.",
    "Second paragraph.",
    "",
    "Photo: AP",
    "Footer",
]
ROWS = np.array([0, 2, 4, 5, 7, 8])


def kinds(*labels: str) -> np.ndarray:
    out = np.zeros((len(labels), len(KIND_LABELS)))
    for i, label in enumerate(labels):
        out[i, KIND_LABELS.index(label)] = 1.0
    return out


def prediction(p, title=None, kind_labels=("N", "B", "B", "B", "C", "X")):
    return PagePrediction(ROWS, np.array(p, dtype=float), title, 0.9, kinds(*kind_labels))


def test_relative_cut_drops_lines_far_below_the_page_best():
    p = np.array([0.95, 0.9, 0.5, 0.2])
    assert keep_mask(p, 0.4).tolist() == [True, True, True, False]
    assert keep_mask(p, 0.4, relative_cut=0.6).tolist() == [True, True, False, False]
    assert keep_mask(np.array([0.5, 0.45]), 0.4, relative_cut=0.6).tolist() == [True, True]


def test_title_body_and_caption_move_apart():
    article = assemble(LINES, prediction([0.0, 0.9, 0.9, 0.9, 0.8, 0.1], title=1), 0.5)
    assert article.title == "Headline of the story"
    assert article.paragraphs == ("First paragraph.\nSecond paragraph.",)
    assert article.text == "First paragraph.\nSecond paragraph."
    assert article.captions == ("Photo: AP",)  # kind C: not body, though p is high
    assert [r.label for r in article.lines] == ["N", "T", "B", "B", "C", "X"]
    assert [r.number for r in article.lines] == [1, 3, 5, 6, 8, 9]


def test_a_title_below_body_text_is_not_used():
    article = assemble(LINES, prediction([0.0, 0.9, 0.9, 0.9, 0.1, 0.1], title=3), 0.5)
    assert article.title is None
    assert "Second paragraph." in article.text


def test_a_caption_or_byline_is_never_the_title():
    for kind in ("C", "M"):
        pred = prediction([0.0, 0.3, 0.9, 0.9, 0.1, 0.1], 1, ("N", kind, "B", "B", "C", "X"))
        article = assemble(LINES, pred, 0.5)
        assert article.title is None
        assert "Headline of the story" not in article.text
    kept = assemble(LINES, prediction([0.0, 0.3, 0.9, 0.9, 0.1, 0.1], title=1), 0.5)
    assert kept.title == "Headline of the story"


def test_dropped_lines_take_their_likeliest_boilerplate_kind():
    pred = prediction([0.0, 0.1, 0.9, 0.9, 0.1, 0.1], kind_labels=("N", "B", "B", "B", "S", "X"))
    labels, keep = line_labels(pred, 0.5)
    assert keep.tolist() == [False, False, True, True, False, False]
    assert labels[1] != "B" and labels[4] == "S"


def test_paragraphs_split_where_the_input_has_a_gap():
    p = [0.0, 0.0, 0.9, 0.9, 0.9, 0.0]
    article = assemble(LINES, prediction(p, kind_labels=("N", "B", "B", "B", "B", "X")), 0.5)
    assert article.paragraphs == ("First paragraph.\nSecond paragraph.", "Photo: AP")
