"""The fitted pipeline (lexical scorer, stage-1 and stage-2 LightGBM, title and kind models) and
its artifact: `model.joblib` plus `card.json`, whose sha256 is checked before unpickling.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from winnow.errors import ModelIntegrityError, ModelMismatch, ModelNotFound
from winnow.features import FEATURE_VERSION, base_matrix
from winnow.lexical import LexicalScorer
from winnow.page import PageText, page_text
from winnow.stages import (
    page_profile,
    stage1_matrix,
    stage2_matrix,
    uncertain,
)
from winnow.title import LineScores, body_start, title_candidates, title_matrix
from winnow.trees import Forest, forests

ARTIFACT_FORMAT = 1
MODEL_FILE = "model.joblib"
CARD_FILE = "card.json"
MODES = ("precision", "balanced", "recall")
KIND_LABELS = ("B", "C", "M", "N", "L", "A", "S", "X")  # B: article text (T or B)
DEFAULT_MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "default"
BOOSTERS = ("stage1", "stage2", "title", "kinds", "page_type")


@dataclass
class PagePrediction:
    """Per non-blank line (`rows` index `page.nonblank`): probabilities and the title pick."""

    rows: np.ndarray
    p_content: np.ndarray
    title_row: int | None
    title_prob: float
    kind_probs: np.ndarray  # (rows × KIND_LABELS)


@dataclass
class WinnowModel:
    lexical: LexicalScorer
    stage1: object  # lightgbm.Booster
    stage2: object
    title: object
    kinds: object | None
    page_type: object  # lightgbm.Booster over page_profile()
    thresholds: dict[str, float]
    title_threshold: float
    relative_cut: float = 0.0
    card: dict = field(default_factory=dict)

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("_forests", None)  # machine code: rebuilt from the boosters after loading
        return state

    def compile(self, enabled: bool = True, cache: Path | None = None) -> WinnowModel:
        """Evaluate the trees through compiled code from now on (see `winnow.trees`)."""
        boosters = {name: getattr(self, name) for name in BOOSTERS}
        self._forests = forests(boosters, enabled, cache)
        return self

    @property
    def compiled(self) -> list[str]:
        """Names of the boosters that run as compiled code."""
        return [n for n, f in self._trees().items() if f.compiled is not None]

    def _trees(self) -> dict[str, Forest]:
        if getattr(self, "_forests", None) is None:
            self.compile(enabled=False)
        return self._forests

    @property
    def name(self) -> str:
        return self.card.get("name", "unnamed")

    @property
    def version(self) -> str:
        return self.card.get("version", "0")

    def threshold(self, mode: str) -> float:
        return self.thresholds[mode]

    def predict_page(self, page: PageText, *, threshold: float) -> PagePrediction:
        n = len(page.nonblank)
        if n == 0:
            empty = np.zeros(0)
            return PagePrediction(page.nonblank, empty, None, 0.0, np.zeros((0, len(KIND_LABELS))))
        trees = self._trees()
        base = base_matrix(page)
        lex = self.lexical.score(page)
        x1 = stage1_matrix(base, lex)
        p1 = trees["stage1"].predict(x1)
        types = trees["page_type"].predict(page_profile(x1, p1))[0]
        p2 = p1.copy()
        redo = uncertain(p1)
        if redo.any():
            p2[redo] = trees["stage2"].predict(stage2_matrix(p1, x1, types, redo))
        start = body_start(p2, threshold)
        cand = title_candidates(n, start)
        title_row, title_prob = None, 0.0
        if len(cand):
            scores = LineScores(base, lex, p1, p2)
            pt = trees["title"].predict(title_matrix(page, cand, start, scores))
            best = int(np.argmax(pt))
            if pt[best] >= self.title_threshold:
                title_row, title_prob = int(cand[best]), float(pt[best])
        if self.kinds is not None:
            kinds = trees["kinds"].predict(np.concatenate([x1, p2[:, None]], axis=1))
        else:
            kinds = np.tile(np.eye(len(KIND_LABELS))[-1], (n, 1))
        return PagePrediction(page.nonblank, p2, title_row, title_prob, kinds)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def save_model(model: WinnowModel, directory: str | os.PathLike) -> Path:
    """Write `model.joblib` and `card.json` (with the joblib file's sha256) into `directory`."""
    import joblib

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    card = dict(model.card)
    model.card = {}
    try:
        joblib.dump(model, directory / MODEL_FILE, compress=("xz", 6))
    finally:
        model.card = card
    card["artifact"] = {
        "file": MODEL_FILE,
        "sha256": _sha256(directory / MODEL_FILE),
        "bytes": (directory / MODEL_FILE).stat().st_size,
        "format": ARTIFACT_FORMAT,
    }
    card["feature_version"] = FEATURE_VERSION
    (directory / CARD_FILE).write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n")
    model.card = card
    return directory


def read_card(directory: str | os.PathLike) -> dict:
    path = Path(directory)
    card_path = path if path.name == CARD_FILE else path / CARD_FILE
    if not card_path.exists():
        raise ModelNotFound(
            f"no model at {path} ({CARD_FILE} missing). Train one with `make train`, or point "
            "WINNOW_MODEL at a model folder (models/<name>/ holding card.json and model.joblib)."
        )
    try:
        return json.loads(card_path.read_text())
    except (OSError, ValueError) as err:
        raise ModelIntegrityError(f"{card_path}: unreadable model card ({err})") from err


def load_model(path: str | os.PathLike | None = None, *, compile: bool = True) -> WinnowModel:
    """Load an artifact after checking its card: format, feature version, then sha256; then
    compile its trees (cached per machine; `compile=False` or WINNOW_COMPILE=0 skips it)."""
    import joblib

    directory = Path(path or os.environ.get("WINNOW_MODEL") or DEFAULT_MODEL_DIR)
    if directory.name == CARD_FILE:
        directory = directory.parent
    card = read_card(directory)
    artifact = card.get("artifact", {})
    if artifact.get("format") != ARTIFACT_FORMAT or card.get("feature_version") != FEATURE_VERSION:
        raise ModelMismatch(
            f"{directory}: made for artifact format {artifact.get('format')} / features "
            f"{card.get('feature_version')}, this winnow reads {ARTIFACT_FORMAT} / "
            f"{FEATURE_VERSION}. Retrain it with this version (`make train`)."
        )
    model_path = directory / artifact.get("file", MODEL_FILE)
    if not model_path.exists():
        raise ModelNotFound(f"{model_path} is missing; the card has no artifact to load.")
    actual = _sha256(model_path)
    if actual != artifact.get("sha256"):
        raise ModelIntegrityError(
            f"{model_path}: sha256 {actual[:12]}… does not match the card's "
            f"{str(artifact.get('sha256'))[:12]}…; the file is corrupt or was changed. "
            "Restore it (git checkout models/) or retrain (`make train`)."
        )
    model = joblib.load(model_path)
    if not isinstance(model, WinnowModel):
        raise ModelMismatch(f"{model_path} holds a {type(model).__name__}, not a WinnowModel")
    model.card = card
    model.compile(compile)
    if compile:
        warm_up(model)
    return model


def warm_up(model: WinnowModel) -> None:
    """Clean a two-line page: loads numba's compiled passes (on a new machine, compiles them,
    ~10 s), so that the first request does not wait for them."""
    model.predict_page(page_text(["Warm-up.", "", "A line of the warm-up."]), threshold=0.5)


@lru_cache(maxsize=1)
def default_model() -> WinnowModel:
    """The process-wide default model (WINNOW_MODEL or models/default), loaded once."""
    return load_model(None)
