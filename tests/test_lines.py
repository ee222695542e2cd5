from hypothesis import given
from hypothesis import strategies as st

from winnow.lines import normalize_newlines, split_lines


def test_line_breaks_of_every_kind():
    assert split_lines("a\r\nb\rc\nd") == ["a", "b", "c", "d"]


def test_bom_and_nul_are_dropped_tabs_kept():
    assert split_lines("\ufeffa\x00b\n\tc") == ["ab", "\tc"]


def test_trailing_newline_opens_no_line_but_blank_lines_stay():
    assert split_lines("a\n\nb\n") == ["a", "", "b"]
    assert split_lines("") == []
    assert split_lines("\n") == [""]


def test_lone_surrogate_becomes_replacement_character():
    assert split_lines("a\ud800b") == ["a\ufffdb"]


def test_very_long_line_is_one_line():
    assert split_lines("x" * 2_000_000) == ["x" * 2_000_000]


@given(st.text())
def test_joined_lines_give_the_normalized_text_back(text):
    lines = split_lines(text)
    normal = normalize_newlines(text)
    assert "\n".join(lines) == normal.removesuffix("\n") or "\n".join(lines) + "\n" == normal
    assert all("\n" not in line and "\r" not in line for line in lines)
