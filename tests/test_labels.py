import random

import pytest

from tests.conftest import LABELS
from winnow.cli import main
from winnow.labels import (
    LabelFormatError,
    format_page,
    iter_label_files,
    load_pages,
    make_page,
    parse_page,
    read_page,
    write_page,
)

HEADER = b"#winnow-labels\t1\n#id\tp1\n#site\tnews.example.kr\n#lang\tko\n"


def problems_of(data: bytes) -> list[str]:
    return [p.message for p in parse_page(data, "f.tsv")[1]]


def test_every_own_page_round_trips_byte_for_byte():
    files = [f for f, _ in iter_label_files([LABELS])]
    assert len(files) >= 120
    for file in files:
        data = file.read_bytes()
        page, problems = parse_page(data, str(file))
        assert problems == []
        assert format_page(page) == data, file


def test_sample_of_shared_corpora_round_trips(shared_corpora):
    files = sorted(f for f, _ in iter_label_files([shared_corpora]))
    for file in random.Random(0).sample(files, 300):
        data = file.read_bytes()
        page, problems = parse_page(data, str(file))
        assert problems == [], file
        assert format_page(page) == data, file


def test_text_fields_give_the_raw_page_back():
    page, problems = parse_page(HEADER + b"N\tmenu\n\nB\tbody\twith tab\n\t\nX\tfoot\n")
    assert problems == []
    assert page.text == "menu\n\nbody\twith tab\n\nfoot"
    assert page.labels == ("N", "", "B", "", "X")
    assert format_page(page) == HEADER + b"N\tmenu\n\nB\tbody\twith tab\n\t\nX\tfoot\n"


def test_missing_final_newline_is_kept():
    data = HEADER + b"B\tbody"
    assert format_page(parse_page(data)[0]) == data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty file: missing header"),
        (b"\xff\xfe", "not valid UTF-8"),
        (b"\xef\xbb\xbf" + HEADER + b"B\tx\n", "byte-order mark"),
        (b"B\tbody\n", "missing header: a page starts with #winnow-labels"),
        (HEADER.replace(b"#site\tnews.example.kr\n", b"") + b"B\tx\n", "missing header #site"),
        (HEADER.replace(b"\t1\n", b"\t2\n", 1) + b"B\tx\n", "unsupported format version '2'"),
        (HEADER + b"#note\tlate\n".replace(b"#note", b"#id") + b"B\tx\n", "header #id given twice"),
        (HEADER + b"#broken\nB\tx\n", "header row without a tab"),
        (HEADER + b"B\tx\n#note\tlate\n", "header row after the first labelled row"),
        (HEADER + b"Q\tx\n", "unknown label 'Q'"),
        (HEADER + b"b\tx\n", "unknown label 'b'"),
        (HEADER + b"body without label\n", "row without a tab"),
        (HEADER + b"\tx\n", "row with a text but no label"),
        (HEADER + b"B\t\n", "label B on a blank line"),
        (HEADER, "page has no lines after the header"),
        (HEADER.replace(b"\tko\n", b"\tKorean\n") + b"B\tx\n", "not an ISO 639-1 code"),
    ],
)
def test_each_malformed_input_gets_its_message(data, message):
    assert any(message in m for m in problems_of(data)), problems_of(data)


def test_problems_carry_file_and_line():
    _, problems = parse_page(HEADER + b"B\tok\nQ\tbad\n", "x.tsv")
    assert str(problems[0]) == "x.tsv:6: unknown label 'Q' (labels: T B C M N L A S X)"


def test_duplicate_page_id_is_reported(tmp_path):
    for name in ("a.tsv", "b.tsv"):
        (tmp_path / name).write_bytes(HEADER + b"B\tx\n")
    _, problems = load_pages([tmp_path])
    assert any("duplicate page id 'p1'" in p.message for p in problems)


def test_same_id_other_render_is_not_a_duplicate(tmp_path):
    (tmp_path / "a.tsv").write_bytes(HEADER + b"#render\tw3m\nB\tx\n")
    (tmp_path / "b.tsv").write_bytes(HEADER + b"#render\tlynx\nB\tx\n")
    assert load_pages([tmp_path])[1] == []


def test_write_refuses_to_overwrite(tmp_path):
    page = make_page(
        ["menu", "", "body"], ["N", "", "B"], header={"id": "x", "site": "s.kr", "lang": "ko"}
    )
    path = write_page(page, tmp_path / "x.tsv")
    assert read_page(path).text == "menu\n\nbody"
    with pytest.raises(FileExistsError):
        write_page(page, path)
    write_page(page, path, overwrite=True)


def test_read_page_raises_with_every_problem(tmp_path):
    path = tmp_path / "bad.tsv"
    path.write_bytes(HEADER + b"Q\ta\nZ\tb\n")
    with pytest.raises(LabelFormatError) as err:
        read_page(path)
    assert len(err.value.problems) == 2


def test_cli_check_ok_and_failing(tmp_path, capsys):
    assert main(["labels", "check", str(LABELS)]) == 0
    (tmp_path / "bad.tsv").write_bytes(HEADER + b"Q\tx\n")
    assert main(["labels", "check", str(tmp_path)]) == 1
    assert "bad.tsv:5: unknown label 'Q'" in capsys.readouterr().out


def test_cli_stats_counts_labels(capsys):
    assert main(["labels", "stats", str(LABELS), "--by", "lang"]) == 0
    out = capsys.readouterr().out
    assert "ko" in out and "total" in out


def test_cli_check_missing_path(capsys):
    assert main(["labels", "check", "/nonexistent/x"]) == 2


@pytest.mark.parametrize("label", ["", "TB", "q"])
def test_make_page_refuses_a_bad_label_on_a_text_line(label):
    with pytest.raises(ValueError, match="label"):
        make_page(["text"], [label], header={"id": "x", "site": "s.kr", "lang": "ko"})
