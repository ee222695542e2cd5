import numpy as np

from winnow.features import BASE_FEATURES, base_matrix, line_features
from winnow.lexical import line_ngrams, ngram_matrix
from winnow.page import page_text
from winnow.stages import STAGE1_FEATURES, best_segment, stage1_matrix

PAGE = [
    "홈 > 경제 > 산업",
    "",
    "  • 많이 본 뉴스",
    "LG전자, 토론토에 AI 연구소 설립",
    "",
    "LG전자는 캐나다 토론토에 인공지능연구소를 개소했다고 1일 밝혔다.",
    "Contact: press@example.com · https://example.com",
    "ⓒ 한빛일보 무단전재 및 재배포 금지",
    "",
]


def test_rows_are_the_non_blank_lines():
    page = page_text(PAGE)
    assert list(page.nonblank) == [0, 2, 3, 5, 6, 7]
    x = base_matrix(page)
    assert x.shape == (6, len(BASE_FEATURES))
    assert np.isfinite(x).all()


def test_line_features_see_what_they_should():
    f = line_features(page_text(PAGE))
    assert f["ends_ko"][5] and f["ends_sentence"][5]
    assert f["starts_bullet"][2] and f["indent"][2] == 2
    assert f["n_email"][6] == 1 and f["n_url"][6] >= 1
    assert f["n_copyright"][7] >= 1
    assert f["n_separators"][0] == 2
    assert f["frac_hangul"][5] > 0.5


def test_repeated_lines_are_counted():
    f = line_features(page_text(["메뉴", "본문입니다.", " 메뉴 ", "메뉴"]))
    assert list(f["dup_count"]) == [3, 1, 3, 3]
    assert list(f["dup_first"]) == [True, True, False, False]


def test_empty_and_blank_pages():
    for lines in ([], [""], ["   ", "\t"]):
        page = page_text(lines)
        assert base_matrix(page).shape == (0, len(BASE_FEATURES))
        rows, _ = line_ngrams(page)
        assert len(rows) == 0


def test_featurizing_is_deterministic_and_per_page():
    a = base_matrix(page_text(PAGE))
    b = base_matrix(page_text(list(PAGE)))
    assert np.array_equal(a, b)


def test_ngram_rows_stay_inside_their_line():
    page = page_text(["ab", "", "cd"])
    rows, _ = line_ngrams(page)
    assert set(rows.tolist()) == {0, 1}
    assert ngram_matrix(page).shape[0] == 2


def test_stage1_matrix_has_named_columns():
    page = page_text(PAGE)
    base = base_matrix(page)
    lex = np.zeros((len(base), 8), dtype=np.float32)
    assert stage1_matrix(base, lex).shape == (len(base), len(STAGE1_FEATURES))


def test_best_segment_is_the_maximum_subarray():
    assert best_segment(np.array([-1.0, 2, 3, -1, 4, -5, 1])) == (1, 4)
    assert best_segment(np.array([-1.0, -2]))[1] < best_segment(np.array([-1.0, -2]))[0]


def test_title_case_runs_find_glued_headlines():
    page = page_text(
        [
            "Harvick Fails To Rally Overmatched Ford In NASCAR Finale Ford v Toyota flopped.",
            "The cat sat.",
        ]
    )
    f = line_features(page)
    assert f["lead_title_run"][0] >= 8 and f["title_run"][1] <= 2


def test_shingles_see_text_shared_with_other_lines_and_the_first_line():
    lines = [
        "Officials report a sixth fatality - Daily News",
        "Officials report a sixth fatality",
        "A sentence that appears nowhere else on this page at all.",
    ]
    f = line_features(page_text(lines))
    assert f["shingle_first_line"][1] > 0.5 and f["shingle_repeat"][1] > 0.5
    assert f["shingle_repeat"][2] == 0


def test_region_features_describe_the_lines_around():
    lines = [
        "user1",
        "2 days ago at 07:52 am",
        "A long comment that says a lot of things here.",
        "Rating: 3 Votes",
    ] * 4
    x = base_matrix(page_text(lines))
    col = BASE_FEATURES.index("around5_dated")
    assert 0 < x[2, col] < 1


def test_korean_endings_and_dates():
    f = line_features(
        page_text(["2024.10.02 11:05 입력", "성장률이 3% 올랐다.", "[서울=뉴스1] 홍길동 기자"])
    )
    assert f["n_date"][0] >= 2 and f["ends_ko"][1] and f["starts_opener"][2] and f["n_byline"][2]


def test_blank_line_structure_is_unknown_on_a_page_without_blank_lines():
    blocks = ("gap_before", "gap_after", "block_size", "pos_in_block")
    cols = [BASE_FEATURES.index(k) for k in blocks]
    dense = base_matrix(page_text([line for line in PAGE if line.strip()]))
    assert np.isnan(dense[:, cols]).all()
    others = np.delete(dense, cols, axis=1)
    assert np.isfinite(others).all()  # only the blank-line features are unknown
    spaced = base_matrix(page_text(PAGE))
    assert np.isfinite(spaced[:, cols]).all()
    assert spaced[:, BASE_FEATURES.index("block_size")].max() > 0
