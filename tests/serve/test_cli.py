"""`winnow serve` and the master's model check (`python -m winnow.serve.verify`), in-process."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

import pytest

from tests.conftest import DEFAULT_MODEL
from winnow.cli import main
from winnow.serve import cli, verify


@pytest.fixture
def model_copy(tmp_path) -> Path:
    target = tmp_path / "model"
    shutil.copytree(DEFAULT_MODEL, target)
    return target


def test_missing_model_is_one_clear_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("WINNOW_MODEL", str(tmp_path / "nowhere"))
    assert main(["serve"]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "make train" in err and "WINNOW_MODEL" in err and "Traceback" not in err


def test_tampered_model_is_refused_before_gunicorn(model_copy, capsys):
    (model_copy / "model.joblib").write_bytes(b"tampered")
    assert main(["serve", "--model", str(model_copy)]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "does not match the card" in err


def test_flags_override_the_environment(tmp_path):
    args = argparse.Namespace(host="0.0.0.0", port=9000, workers=None, model="models/x")
    env = cli.settings(args, {"WINNOW_HOST": "127.0.0.1", "WINNOW_WORKERS": "3"})
    assert env["WINNOW_HOST"] == "0.0.0.0" and env["WINNOW_PORT"] == "9000"
    assert env["WINNOW_WORKERS"] == "3"
    assert Path(env["WINNOW_MODEL"]).is_absolute()


def test_gunicorn_runs_with_the_packaged_config():
    argv = cli.gunicorn_argv()
    assert argv[:3] == [sys.executable, "-m", "gunicorn"]
    assert Path(argv[-1]).name == "gunicorn.conf.py" and Path(argv[-1]).is_file()


def test_verify_pins_a_loadable_copy(model_copy, tmp_path, capsys):
    dest = tmp_path / "runtime" / "1"
    assert verify.main([str(model_copy), str(dest)]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["path"] == str(dest) and info["name"] and info["version"]
    assert sorted(p.name for p in dest.iterdir()) == ["card.json", "model.joblib"]
    # later changes to the source never reach the copy workers load
    (model_copy / "model.joblib").write_bytes(b"changed")
    assert (dest / "model.joblib").read_bytes() == (DEFAULT_MODEL / "model.joblib").read_bytes()


@pytest.mark.parametrize("damage", ["flip", "missing-artifact", "missing-card", "bad-card"])
def test_verify_refuses_a_damaged_model(model_copy, tmp_path, capsys, damage):
    if damage == "flip":
        data = bytearray((model_copy / "model.joblib").read_bytes())
        data[100] ^= 1
        (model_copy / "model.joblib").write_bytes(bytes(data))
    elif damage == "missing-artifact":
        (model_copy / "model.joblib").unlink()
    elif damage == "missing-card":
        (model_copy / "card.json").unlink()
    else:
        (model_copy / "card.json").write_text("{not json")
    dest = tmp_path / "runtime" / "1"
    assert verify.main([str(model_copy), str(dest)]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert not dest.exists()


def test_verify_refuses_an_artifact_that_does_not_unpickle(model_copy, tmp_path, capsys):
    import hashlib

    (model_copy / "model.joblib").write_bytes(b"\x80\x04not a pickle")
    card = json.loads((model_copy / "card.json").read_text())
    card["artifact"]["sha256"] = hashlib.sha256(b"\x80\x04not a pickle").hexdigest()
    (model_copy / "card.json").write_text(json.dumps(card))
    assert verify.main([str(model_copy), str(tmp_path / "1")]) == 1
    assert "cannot be loaded" in capsys.readouterr().err
