"""`python -m winnow.serve.verify SOURCE DEST`: copy a model folder to DEST, then load the copy.

The gunicorn master runs this in a fresh process before its workers may use a model, at start
and on every HUP. Workers load the verified copy, so a model folder that is later changed,
half-written or tampered with never reaches them; and the master itself never imports winnow,
so a HUP reloads the code too. Prints one JSON line (path, name, version) on success, one
error line and exit status 1 otherwise.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

from winnow.errors import WinnowError
from winnow.model import (
    CARD_FILE,
    DEFAULT_MODEL_DIR,
    MODEL_FILE,
    WinnowModel,
    load_model,
    read_card,
)


def source_dir(source: str | None) -> Path:
    """The folder `load_model(source)` would read: SOURCE, else $WINNOW_MODEL, else the default."""
    return Path(source or os.environ.get("WINNOW_MODEL") or DEFAULT_MODEL_DIR)


def pin(source: Path, dest: Path) -> WinnowModel:
    """Copy the card and its artifact into `dest` (a new folder) and load them from there."""
    card = read_card(source)  # ModelNotFound with the how-to-train hint
    artifact = card.get("artifact", {}).get("file", MODEL_FILE)
    dest.mkdir(parents=True)
    shutil.copyfile(source / CARD_FILE, dest / CARD_FILE)
    if (source / artifact).exists():
        shutil.copyfile(source / artifact, dest / artifact)
    return load_model(dest)  # checks the copy's sha256 against the copied card


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2:
        print("usage: python -m winnow.serve.verify SOURCE DEST", file=sys.stderr)
        return 2
    source, dest = source_dir(argv[0]), Path(argv[1])
    try:
        model = pin(source, dest)
    except WinnowError as err:
        return _refuse(dest, str(err))
    except Exception as err:  # anything that stops a load (a broken pickle, I/O) refuses it
        return _refuse(dest, f"{source}: cannot be loaded ({type(err).__name__}: {err})")
    print(
        json.dumps(
            {"source": str(source), "path": str(dest), "name": model.name, "version": model.version}
        )
    )
    return 0


def _refuse(dest: Path, message: str) -> int:
    shutil.rmtree(dest, ignore_errors=True)
    print(message.replace("\n", " "), file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
