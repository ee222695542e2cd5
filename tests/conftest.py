"""Shared fixtures: paths to the repository's corpus, the shared corpora (optional) and models."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LABELS = ROOT / "data" / "labels"
SHARED = (ROOT.parent / "shared").resolve()
CORPORA = SHARED / "corpora"
DEFAULT_MODEL = ROOT / "models" / "default"


@pytest.fixture(scope="session")
def shared_corpora() -> Path:
    if not CORPORA.is_dir():
        pytest.skip("../shared/corpora is not beside the repository")
    return CORPORA


@pytest.fixture(scope="session")
def korean_example() -> str:
    path = SHARED / "examples" / "korean-news-page.txt"
    if not path.exists():
        pytest.skip("../shared/examples is not beside the repository")
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def model():
    from winnow import load_model

    return load_model(DEFAULT_MODEL)
