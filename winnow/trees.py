"""Tree ensembles as machine code: LightGBM boosters compiled by lleaves, cached per machine.

LightGBM's own predict costs ~80 µs per call plus ~19 ns per tree and row; a page makes five
calls over a few hundred rows, which was most of a page's time. lleaves turns each booster
into native code through LLVM (same splits in double precision, so the same probabilities
to ~1e-15) that runs ~10x faster. Compiling takes seconds, so the object code is cached under
`$WINNOW_CACHE` (default `~/.cache/winnow`), keyed by the booster's text, the lleaves version
and the host CPU; the first load on a machine compiles, every later load reads the cache.
Where lleaves is missing or compiling fails, predictions stay with LightGBM (same numbers).
`WINNOW_COMPILE=0` turns compiling off.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)


def cache_dir() -> Path:
    root = os.environ.get("WINNOW_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache"), "winnow"
    )
    return Path(root)


def compiling_enabled() -> bool:
    return os.environ.get("WINNOW_COMPILE", "1").strip().lower() not in ("0", "false", "no", "off")


@contextlib.contextmanager
def _locked(directory: Path):
    """One process compiles a given booster at a time (gunicorn workers start together)."""
    import fcntl

    with open(directory / ".lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@functools.cache
def _host_key() -> str:
    from importlib.metadata import version

    from llvmlite import binding as llvm

    cpu = f"{llvm.get_host_cpu_name()}|{llvm.get_host_cpu_features().flatten()}"
    return f"lleaves {version('lleaves')}|llvmlite {version('llvmlite')}|{cpu}"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _intact(obj: Path) -> bool:
    """LLVM aborts the process on a damaged object file, so each one carries its sha256."""
    stamp = obj.with_suffix(".sha256")
    return obj.exists() and stamp.exists() and stamp.read_text().strip() == _digest(obj)


def compile_booster(booster, directory: Path | None = None):
    """The lleaves model of `booster`, read from the cache or compiled into it."""
    import lleaves

    directory = directory or cache_dir()
    directory.mkdir(parents=True, exist_ok=True)
    text = booster.model_to_string()
    key = hashlib.sha256((_host_key() + "\n" + text).encode()).hexdigest()[:24]
    obj = directory / f"{key}.o"
    with _locked(directory):
        fd, model_file = tempfile.mkstemp(suffix=".txt", dir=directory)
        try:
            with os.fdopen(fd, "w") as fh:
                fh.write(text)
            compiled = lleaves.Model(model_file=model_file)
            if _intact(obj):
                compiled.compile(cache=str(obj))
                return compiled
            print(f"winnow: compiling trees into {obj} (once per machine)", file=sys.stderr)
            partial = obj.with_suffix(f".{os.getpid()}.part")
            compiled.compile(cache=str(partial))
            obj.with_suffix(".sha256").write_text(_digest(partial) + "\n")
            partial.replace(obj)
            return compiled
        finally:
            os.unlink(model_file)


def predict(booster, x: np.ndarray, threads: int = 1) -> np.ndarray:
    """LightGBM's predict as winnow calls it: all trees, no early stopping, so training's
    out-of-fold scores and the compiled trees serving later are the same numbers."""
    return booster.predict(x, num_threads=threads)


class Forest:
    """One booster's predict: compiled code when available, else LightGBM (same output)."""

    def __init__(self, booster, compiled=None):
        self.booster = booster
        self.compiled = compiled

    def predict(self, x: np.ndarray, threads: int = 1) -> np.ndarray:
        if self.compiled is not None and len(x):
            return self.compiled.predict(x, n_jobs=1)
        return predict(self.booster, x, threads)


def forests(
    boosters: dict[str, object], compile: bool = True, cache: Path | None = None
) -> dict[str, Forest]:
    """A Forest per named booster, compiled (into `cache`, default `cache_dir()`) when asked,
    possible and allowed."""
    out = {name: Forest(b) for name, b in boosters.items() if b is not None}
    if not (compile and compiling_enabled()):
        return out
    try:
        import lleaves  # noqa: F401
    except ImportError:
        log.info("lleaves is not installed; trees are evaluated by LightGBM")
        return out
    for name, forest in out.items():
        try:
            forest.compiled = compile_booster(forest.booster, cache)
        except Exception as err:  # an odd CPU or a read-only cache: LightGBM still works
            log.warning("could not compile the %s trees (%s); LightGBM evaluates them", name, err)
            break
    return out
