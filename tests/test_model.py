import json
import shutil

import pytest

from tests.conftest import DEFAULT_MODEL
from winnow.errors import ModelIntegrityError, ModelMismatch, ModelNotFound
from winnow.model import load_model


@pytest.fixture
def copy(tmp_path):
    target = tmp_path / "m"
    shutil.copytree(DEFAULT_MODEL, target)
    return target


def test_default_model_has_a_complete_card(model):
    card = model.card
    for key in (
        "name",
        "version",
        "created",
        "corpora",
        "data_fingerprint",
        "label_counts",
        "thresholds",
        "cv",
        "libraries",
        "artifact",
        "feature_version",
    ):
        assert key in card, key
    assert set(card["thresholds"]) == {"precision", "balanced", "recall"}
    assert (
        card["thresholds"]["precision"]
        >= card["thresholds"]["balanced"]
        >= card["thresholds"]["recall"]
    )
    assert len(card["artifact"]["sha256"]) == 64


def test_tampered_artifact_is_refused(copy):
    data = bytearray((copy / "model.joblib").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (copy / "model.joblib").write_bytes(bytes(data))
    with pytest.raises(ModelIntegrityError, match="does not match the card"):
        load_model(copy)


def test_missing_card_or_artifact(copy, tmp_path):
    with pytest.raises(ModelNotFound, match="make train"):
        load_model(tmp_path / "nowhere")
    (copy / "model.joblib").unlink()
    with pytest.raises(ModelNotFound):
        load_model(copy)


def test_incompatible_feature_version_is_refused(copy):
    card = json.loads((copy / "card.json").read_text())
    card["feature_version"] = -1
    (copy / "card.json").write_text(json.dumps(card))
    with pytest.raises(ModelMismatch, match="Retrain"):
        load_model(copy)
