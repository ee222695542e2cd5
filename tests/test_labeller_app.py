"""The labelling tool's views through Flask's test client: pre-label, open, save, refuse."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from winnow import clean
from winnow.cli import main
from winnow.labels import LABELS, format_page, make_page, parse_page, read_page, write_page
from winnow.lines import split_lines
from winnow.serve.labeller import create_app
from winnow.serve.labeller.views import train_command

PAGE = (
    "Skip to main content\n"
    "Home › Local\n"
    "\n"
    "Harbor council approves new ferry timetable\n"
    "By Priya Okafor, Staff Writer\n"
    "The council voted 7–2 on Tuesday evening to adopt the timetable for the harbor ferries.\n"
    "   \n"
    "Riders can comment on the plan until May 1, the ferry authority said in a statement.\n"
    "Share on Facebook  Share on X  Email\n"
    "© 2024 Millbrook Ledger Media LLC. All rights reserved. Privacy · Terms\n"
)


@pytest.fixture
def labels_dir(tmp_path: Path) -> Path:
    return tmp_path / "labels"


@pytest.fixture
def client(labels_dir, model):
    app = create_app({"LABELS_DIR": labels_dir, "TESTING": True}, model=model)
    return app.test_client()


def _save_body(lines, labels, **header):
    base = {"site": "millbrook-ledger.example", "lang": "en", "id": "millbrook-1"}
    return {"lines": lines, "labels": labels, "header": {**base, **header}}


def _labels_for(lines):
    """B for the three article lines, "" for blank and whitespace-only lines, else X."""
    return [
        "" if not line.strip() else "B" if i in (3, 5, 7) else "X" for i, line in enumerate(lines)
    ]


def _file_labels(lines):
    """As in a file: whitespace-only lines labelled too."""
    return [
        "X" if line and not label else label
        for line, label in zip(lines, _labels_for(lines), strict=True)
    ]


def test_index_and_static_files_are_served(client):
    page = client.get("/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "winnow" in html and 'id="lines"' in html
    for label in LABELS:
        assert f'data-label="{label}"' in html
    assert client.get("/static/labeller.js").status_code == 200
    assert client.get("/static/labeller.css").status_code == 200


def test_prelabel_matches_clean_line_by_line(client, model, korean_example):
    response = client.post("/api/prelabel", json={"text": korean_example})
    assert response.status_code == 200
    data = response.get_json()
    lines = split_lines(korean_example)
    rows = data["rows"]
    assert [row["text"] for row in rows] == lines
    by_number = {r.number: r for r in clean(korean_example, model=model).lines}
    for number, row in enumerate(rows, start=1):
        if number in by_number:
            assert row["label"] == by_number[number].label
            assert row["p"] == pytest.approx(by_number[number].p_content, abs=1e-3)
            assert row["unsure"] in (None, "content", "title", "kind")
            if row["hint"] is not None:  # a body line the kind model sees as something else
                assert row["label"] == "B" and row["hint"] in "CMNLASX" and row["unsure"]
        else:
            assert row["blank"] and row["text"].strip() == "" and row["p"] is None
    assert data["header"]["lang"] == "ko"
    assert data["header"]["id"]
    assert data["threshold"] == pytest.approx(model.threshold("balanced"))


def test_unsure_content_lines_sit_near_the_threshold(client):
    data = client.post("/api/prelabel", json={"text": PAGE}).get_json()
    for row in data["rows"]:
        if row["p"] is not None:
            near = abs(row["p"] - data["threshold"]) < 0.2 - 1e-3
            far = abs(row["p"] - data["threshold"]) > 0.2 + 1e-3
            assert not (near and row["unsure"] is None)
            assert not (far and row["unsure"] == "content")


def test_prelabel_refuses_empty_text_and_non_json(client):
    response = client.post("/api/prelabel", json={"text": "  \n "})
    assert response.status_code == 400
    assert "empty" in response.get_json()["errors"][0]
    assert client.post("/api/prelabel", data="text", content_type="text/plain").status_code == 415


def test_save_writes_a_valid_page_that_round_trips(client, labels_dir):
    lines = split_lines(PAGE)
    response = client.post("/api/save", json=_save_body(lines, _labels_for(lines), url="https://x"))
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    path = labels_dir / "en" / "millbrook-ledger.example" / "millbrook-1.tsv"
    assert data["path"] == "en/millbrook-ledger.example/millbrook-1.tsv"
    assert data["next"].startswith("make train")
    raw = path.read_bytes()
    page, problems = parse_page(raw, str(path))
    assert problems == [] and format_page(page) == raw
    assert list(page.lines) == lines
    assert page.get("url") == "https://x"
    assert page.labels[6] == "B"  # the whitespace-only line takes its neighbour's label
    assert main(["labels", "check", str(path)]) == 0
    assert data["warnings"]  # no T line: the guideline wants one


def test_save_refuses_to_overwrite_unless_asked(client, labels_dir):
    lines = split_lines(PAGE)
    body = _save_body(lines, _labels_for(lines))
    assert client.post("/api/save", json=body).status_code == 201
    path = labels_dir / "en" / "millbrook-ledger.example" / "millbrook-1.tsv"
    before = path.read_bytes()
    changed = {**body, "labels": ["" if not line else "X" for line in lines]}
    refused = client.post("/api/save", json=changed)
    assert refused.status_code == 409
    assert "overwrite" in refused.get_json()["errors"][0]
    assert path.read_bytes() == before
    assert client.post("/api/save", json={**changed, "overwrite": True}).status_code == 201
    assert "B" not in read_page(path).labels


def test_save_lists_every_header_problem(client, labels_dir):
    lines = split_lines(PAGE)
    body = _save_body(lines, _labels_for(lines), site="", lang="English", id="../up")
    response = client.post("/api/save", json=body)
    assert response.status_code == 400
    errors = " ".join(response.get_json()["errors"])
    assert "site is required" in errors and "id '../up'" in errors
    assert not labels_dir.exists() or not any(labels_dir.rglob("*.tsv"))
    bad_lang = client.post("/api/save", json=_save_body(lines, _labels_for(lines), lang="English"))
    assert bad_lang.status_code == 400
    assert "ISO 639-1" in bad_lang.get_json()["errors"][0]


def test_save_refuses_bad_labels_and_shapes(client):
    lines = split_lines(PAGE)
    wrong = _labels_for(lines)
    wrong[0] = "Q"
    response = client.post("/api/save", json=_save_body(lines, wrong))
    assert response.status_code == 400 and "'Q'" in response.get_json()["errors"][0]
    short = client.post("/api/save", json=_save_body(lines, _labels_for(lines)[:-1]))
    assert short.status_code == 400 and "labels" in short.get_json()["errors"][0]
    assert client.post("/api/save", json={"lines": "x"}).status_code == 400


def test_save_refuses_an_id_used_by_another_page(client, labels_dir):
    lines = split_lines(PAGE)
    header = {"id": "millbrook-1", "site": "a.example", "lang": "en"}
    other = make_page(lines, _file_labels(lines), header=header)
    write_page(other, labels_dir / "en" / "a.example" / "millbrook-1.tsv")
    response = client.post("/api/save", json=_save_body(lines, _labels_for(lines)))
    assert response.status_code == 409
    assert "duplicate page id 'millbrook-1'" in response.get_json()["errors"][0]


def test_open_lists_and_reopens_a_saved_page_byte_for_byte(client, labels_dir):
    lines = split_lines(PAGE)
    header = {"id": "millbrook-7", "site": "m.example", "lang": "en", "render": "w3m"}
    header |= {"source": "test", "note": "kept as is"}
    path = write_page(
        make_page(lines, _file_labels(lines), header=header),
        labels_dir / "en/m.example/millbrook-7.tsv",
    )
    before = path.read_bytes()
    assert client.get("/api/files").get_json()["files"] == ["en/m.example/millbrook-7.tsv"]
    data = client.post("/api/open", json={"path": "en/m.example/millbrook-7.tsv"}).get_json()
    assert data["source"] == "en/m.example/millbrook-7.tsv"
    assert [r["label"] for r in data["rows"]] == list(read_page(path).labels)
    assert data["header"] == header
    assert all("model_label" in r for r in data["rows"] if not r["blank"])
    body = {
        "lines": [r["text"] for r in data["rows"]],
        "labels": [r["label"] for r in data["rows"]],
    }
    saved = client.post("/api/save", json={**body, "header": data["header"], "overwrite": True})
    assert saved.status_code == 201, saved.get_json()
    assert saved.get_json()["path"] == "en/m.example/millbrook-7.tsv"
    assert path.read_bytes() == before


def test_open_refuses_paths_outside_the_folder_and_invalid_uploads(client, labels_dir):
    labels_dir.mkdir()
    assert client.post("/api/open", json={"path": "../secret.tsv"}).status_code == 400
    assert client.post("/api/open", json={"path": "en/none.tsv"}).status_code == 404
    bad = client.post("/api/open", json={"data": "#winnow-labels\t1\nQ\tline\n", "name": "up"})
    assert bad.status_code == 400
    errors = bad.get_json()["errors"]
    assert any("missing header #id" in e for e in errors)
    assert any("unknown label 'Q'" in e for e in errors)


def test_suggested_id_skips_ids_in_use(client, labels_dir):
    lines = split_lines(PAGE)
    header = {"id": "ledger-1", "site": "ledger.com", "lang": "en"}
    page = make_page(lines, _file_labels(lines), header=header)
    write_page(page, labels_dir / "en" / "ledger.com" / "ledger-1.tsv")
    assert client.get("/api/suggest-id?site=news.ledger.com").get_json()["id"] == "ledger-2"


def test_without_a_model_the_tool_still_labels_and_says_why(tmp_path):
    app = create_app({"LABELS_DIR": tmp_path, "MODEL": tmp_path / "no-model", "TESTING": True})
    client = app.test_client()
    assert "No model could be loaded" in client.get("/").get_data(as_text=True)
    data = client.post("/api/prelabel", json={"text": PAGE}).get_json()
    assert {r["label"] for r in data["rows"] if not r["blank"]} == {"X"}
    assert data["threshold"] is None and "make train" in data["model_error"]


def test_requests_for_other_host_names_are_refused(client):
    assert client.get("/", headers={"Host": "attacker.example"}).status_code == 403
    assert client.get("/", headers={"Host": "127.0.0.1:8765"}).status_code == 200
    assert client.get("/", headers={"Host": "[::1]:8765"}).status_code == 200


@pytest.mark.slow
def test_cli_serves_the_tool_until_interrupted(tmp_path):
    import signal
    import subprocess
    import sys
    import urllib.request

    from .conftest import DEFAULT_MODEL

    command = [sys.executable, "-m", "winnow", "label", "--port", "0", "--no-browser"]
    command += ["--labels-dir", str(tmp_path), "--model", str(DEFAULT_MODEL)]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = proc.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+/", first)
        assert url, first + proc.stderr.read()
        with urllib.request.urlopen(url.group(0), timeout=10) as response:
            assert response.status == 200 and b"winnow" in response.read()
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0


def test_cli_serves_loopback_only():
    with pytest.raises(SystemExit):
        main(["label", "--host", "0.0.0.0", "--no-browser"])


def test_next_command_names_other_folders(tmp_path):
    assert train_command(Path("data/labels").resolve()) == "make train"
    assert train_command(tmp_path) == f'make train CORPORA="data/labels {tmp_path}"'


def test_spaces_only_lines_take_the_nearest_visible_label():
    from winnow.serve.labeller.prelabel import fill_labels

    lines = ["  ", "a", "", "\t", "b", " "]
    assert fill_labels(lines, ["", "N", "", "", "B", ""]) == ["N", "N", "", "N", "B", "B"]
    assert fill_labels(["  "], [""]) == ["X"]
    assert fill_labels(["  ", "a"], ["S", "B"]) == ["S", "B"]  # a label given is kept
