"""Batch cleaning: `winnow clean` over folders and JSON Lines, and the engine behind it."""

import gzip
import importlib
import json
from itertools import count

import pytest

from winnow import clean
from winnow.batch import BatchOptions, clean_records
from winnow.cli import ExitStatus, main
from winnow.errors import InvalidInput
from winnow.labels import load_pages
from winnow.records import Record, iter_records, parse_jsonl_line

from .conftest import DEFAULT_MODEL, LABELS

MODEL = ["--model", str(DEFAULT_MODEL)]


@pytest.fixture(scope="module")
def texts() -> list[str]:
    pages, _ = load_pages([LABELS])
    return [page.text for page in sorted(pages, key=lambda p: p.id)[:12]]


def jsonl(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines()]


def same_as_clean(result: dict, text: str, model) -> bool:
    article = clean(text, model=model)
    return (result["title"], result["text"]) == (article.title, article.text)


@pytest.fixture
def mixed_folder(tmp_path, texts):
    root = tmp_path / "pages"
    (root / "b" / "deep").mkdir(parents=True)
    (root / "a").mkdir()
    files = {
        "a/2.txt": texts[0],
        "a/10.txt": texts[1],
        "b/deep/x.txt": texts[2],
        "b/y.TXT": texts[3],
        "z.txt": "",
    }
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    (root / "a" / "broken.txt").write_bytes(b"ok\n\xff\xfe not utf-8")
    (root / "notes.md").write_text("not a page")
    return root, files


def test_folder_is_cleaned_in_sorted_order_and_bad_files_reported(mixed_folder, model, capsys):
    root, files = mixed_folder
    assert main(["clean", str(root), "--jobs", "1", *MODEL]) == ExitStatus.PARTIAL
    captured = capsys.readouterr()
    results = jsonl(captured.out)
    order = ["a/10.txt", "a/2.txt", "b/deep/x.txt", "b/y.TXT", "z.txt"]  # a/broken.txt skipped
    assert [r["id"] for r in results] == [(root / name).as_posix() for name in order]
    for result, name in zip(results, order, strict=True):
        assert same_as_clean(result, files[name], model)
        assert {"captions", "meta", "confidence"} <= set(result) and "lines" not in result
    assert f"{root / 'a' / 'broken.txt'}: not UTF-8" in captured.err
    assert "5 pages" in captured.err and "1 failed" in captured.err


def write_crawl(path, texts) -> list[str]:
    """A crawl with good records between every kind of bad one; returns the good ids."""
    lines = [
        json.dumps({"id": "p1", "text": texts[0], "url": "https://a.example/1", "title": "x"}),
        "{not json",
        json.dumps(["an", "array"]),
        json.dumps({"id": "p4", "body": "no text"}),
        "",
        json.dumps({"id": 5, "text": texts[1]}),
        json.dumps({"id": "p7", "text": None}),
        json.dumps({"text": texts[2], "lang": "ko"}),
    ]
    data = "\n".join(lines).encode() + b'\n{"id": "p9", "text": "caf\xe9"}\n'
    data += json.dumps({"id": "p10", "text": texts[3]}).encode() + b"\n"
    path.write_bytes(data)
    return ["p1", 5, f"{path}:8", "p10"]


def test_jsonl_keeps_order_and_fields_and_reports_bad_records(tmp_path, texts, model, capsys):
    crawl = tmp_path / "crawl.jsonl"
    good = write_crawl(crawl, texts)
    out = tmp_path / "out.jsonl"
    assert main(["clean", str(crawl), "-o", str(out), "--lines", *MODEL]) == ExitStatus.PARTIAL
    results = jsonl(out.read_text(encoding="utf-8"))
    assert [r["id"] for r in results] == good
    assert results[0]["url"] == "https://a.example/1" and results[0]["input_title"] == "x"
    assert results[2]["lang"] == "ko"
    for result, text in zip(results, [texts[0], texts[1], texts[2], texts[3]], strict=True):
        assert same_as_clean(result, text, model)
        assert [line["line"] for line in result["lines"]] == [
            r.number for r in clean(text, model=model).lines
        ]
    err = capsys.readouterr().err
    for position, reason in [
        (2, "not JSON"),
        (3, "not a JSON object"),
        (4, 'no "text" field'),
        (7, '"text" is null'),
        (9, "not UTF-8"),
    ]:
        assert f"{crawl}:{position}" in err and reason in err
    assert "4 pages" in err and "5 failed" in err


def test_jobs_1_and_2_give_identical_output(tmp_path, texts, capsys):
    crawl = tmp_path / "crawl.jsonl.gz"
    records = [{"id": i, "text": text} for i, text in enumerate(texts * 3)]
    with gzip.open(crawl, "wt", encoding="utf-8") as fh:
        fh.writelines(json.dumps(r) + "\n" for r in records)
    outputs = []
    for jobs in ("1", "2"):
        assert main(["clean", str(crawl), "--jobs", jobs, *MODEL]) == ExitStatus.OK
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1]
    assert [r["id"] for r in jsonl(outputs[1])] == list(range(len(records)))


def test_engine_reads_ahead_only_a_bounded_window():
    pulled = count()

    def endless():
        for i in range(10_000):
            next(pulled)
            yield Record(i, f"mem:{i}", text=f"line {i}\nanother line")

    options = BatchOptions(model=str(DEFAULT_MODEL), jobs=2, chunk=2)
    outcomes = clean_records(endless(), options)
    first = next(outcomes)
    assert first.ok and first.record.id == 0
    assert next(pulled) <= 2 * 2 * 4 + 2 + 1  # chunks in flight per job, plus one chunk
    outcomes.close()


def test_engine_rejects_zero_jobs():
    with pytest.raises(InvalidInput, match="jobs"):
        next(clean_records([], BatchOptions(jobs=0)))


def test_a_page_that_breaks_clean_is_one_failure(monkeypatch, texts):
    module = importlib.import_module("winnow.clean")  # `winnow.clean` is the function
    real = module.clean

    def flaky(text, **kwargs):
        if text == "boom":
            raise RuntimeError("kaput")
        return real(text, **kwargs)

    monkeypatch.setattr(module, "clean", flaky)
    records = [Record(i, str(i), text=t) for i, t in enumerate([texts[0], "boom", texts[1]])]
    outcomes = list(clean_records(records, BatchOptions(model=str(DEFAULT_MODEL), jobs=1)))
    assert [o.ok for o in outcomes] == [True, False, True]
    assert "kaput" in outcomes[1].error


def test_output_dir_writes_one_file_per_page(mixed_folder, tmp_path, model, capsys):
    root, files = mixed_folder
    out = tmp_path / "clean"
    assert main(["clean", str(root), "--output-dir", str(out), *MODEL]) == ExitStatus.PARTIAL
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert written == sorted(name[:-4] + ".txt" for name in files)
    article = clean(files["a/2.txt"], model=model)
    expected = (article.title + "\n\n" if article.title else "") + article.text + "\n"
    assert (out / "a" / "2.txt").read_text(encoding="utf-8") == expected
    capsys.readouterr()

    crawl = tmp_path / "dup.jsonl"
    crawl.write_text("".join(json.dumps({"id": "../x/y", "text": "a b"}) + "\n" for _ in "12"))
    assert main(["clean", str(crawl), "--output-dir", str(out), "--json", *MODEL]) == 0
    assert json.loads((out / "x_y.json").read_text())["id"] == "../x/y"
    assert (out / "x_y~2.json").exists()


def test_stdin_jsonl_and_surrogates(monkeypatch, capsys):
    import io
    import sys

    data = b'{"id": "s\\ud800", "text": "Title\\nBody \\udc00 text."}\n'
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert main(["clean", "--jsonl", "--jobs", "1", *MODEL]) == ExitStatus.OK
    (result,) = jsonl(capsys.readouterr().out)
    assert result["id"] == "s\ud800"  # escaped in the output, so the line is valid UTF-8


@pytest.mark.parametrize(
    "argv, message",
    [
        (["PAGES", "missing-folder"], "no such file or folder: missing-folder"),
        (["PAGES", "--jobs", "0"], "--jobs must be at least 1"),
        (["PAGES", "--output-dir", "PAGES/out"], "inside the input folder"),
        (["PAGES", "--model", "no/such/model"], "no model at"),
        (["PAGES", "--jobs", "2", "--model", "no/such/model"], "no model at"),
    ],
)
def test_runs_that_cannot_start_exit_1(mixed_folder, capsys, argv, message):
    root, _ = mixed_folder
    argv = [a.replace("PAGES", str(root)) for a in argv]
    assert main(["clean", *argv]) == ExitStatus.ERROR
    assert message in capsys.readouterr().err


def test_truncated_gzip_reports_where_it_broke(tmp_path):
    crawl = tmp_path / "cut.jsonl.gz"
    whole = gzip.compress(b"".join(b'{"id": %d, "text": "t"}\n' % i for i in range(2000)))
    crawl.write_bytes(whole[: len(whole) // 2])
    records = list(iter_records([str(crawl)]))
    assert all(r.ok for r in records[:-1]) and len(records) > 1
    assert not records[-1].ok and "unreadable" in records[-1].error
    assert records[-1].where == f"{crawl}:{len(records)}"


def test_parse_jsonl_line():
    assert parse_jsonl_line(b'\xef\xbb{"text": "x"}', "f:1").error.startswith("not UTF-8")
    record = parse_jsonl_line(b'{"text": "x", "id": [1]}', "f:1")
    assert record.ok and record.id == [1] and record.fields == {}
    assert parse_jsonl_line(b'{"text": 3}', "f:2").error == '"text" is a number, not a string'
