"""`winnow serve`: check the model, then hand the process over to gunicorn.

Settings come from WINNOW_* variables (the flags below set the same variables), read by
`serve/gunicorn.conf.py` in the master and by `create_app` in each worker.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

HELP = (
    "Run the HTTP service under gunicorn (settings from WINNOW_HOST, WINNOW_PORT, "
    "WINNOW_WORKERS, WINNOW_MODEL, WINNOW_MAX_BYTES, …; see the README's Service section)."
)
CONFIG_FILE = Path(__file__).resolve().parent / "gunicorn.conf.py"
FLAGS = {
    "host": "WINNOW_HOST",
    "port": "WINNOW_PORT",
    "workers": "WINNOW_WORKERS",
    "model": "WINNOW_MODEL",
}


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", help="address to listen on (WINNOW_HOST, default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (WINNOW_PORT, default 8000)")
    parser.add_argument(
        "--workers", type=int, help="worker processes (WINNOW_WORKERS, default cores + 1)"
    )
    parser.add_argument("--model", help="model folder (WINNOW_MODEL, default models/default)")


def settings(args: argparse.Namespace, environ: dict[str, str]) -> dict[str, str]:
    """The environment gunicorn will run with: flags override WINNOW_* variables."""
    env = dict(environ)
    for flag, var in FLAGS.items():
        value = getattr(args, flag)
        if value is not None:
            env[var] = str(value)
    if env.get("WINNOW_MODEL"):
        env["WINNOW_MODEL"] = str(Path(env["WINNOW_MODEL"]).resolve())
    return env


def gunicorn_argv() -> list[str]:
    return [sys.executable, "-m", "gunicorn", "--config", str(CONFIG_FILE)]


def run(args: argparse.Namespace) -> int:
    from winnow.errors import WinnowError
    from winnow.model import load_model

    env = settings(args, dict(os.environ))
    try:
        load_model(env.get("WINNOW_MODEL") or None)  # the clear one-line reason, before gunicorn
    except WinnowError as err:
        print(f"winnow serve: {err}", file=sys.stderr)
        return 1
    sys.stdout.flush()
    sys.stderr.flush()
    argv = gunicorn_argv()
    os.execve(argv[0], argv, env)
    return 1  # not reached: execve replaces this process
