"""`winnow` command line: a table of sub-commands, one module each.

A sub-command module exposes `HELP` (one line), `configure(parser)` and `run(args) -> int`.
Modules are imported only when their command runs, so `winnow labels check` does not pay for
LightGBM or Flask.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from enum import IntEnum

# Tasks whose import pulls optional parts keep that cost out of the others.
COMMANDS: dict[str, str] = {
    "labels": "winnow.tasks.labels",
    "clean": "winnow.tasks.clean",
    "train": "winnow.train.cli",
    "eval": "winnow.train.eval_cli",
    "bench": "winnow.train.bench",
    "serve": "winnow.serve.cli",
    "label": "winnow.serve.label_cli",
    "suggest": "winnow.train.suggest",
}
SUMMARIES: dict[str, str] = {
    "labels": "check labelled pages, or count their labels",
    "clean": "raw page text in, the article out",
    "train": "train a model from labelled pages and write a versioned artifact",
    "eval": "precision/recall reports of a model on labelled pages",
    "bench": "speed and memory of clean() and of training",
    "serve": "run the HTTP service (gunicorn)",
    "label": "open the labelling tool in a browser",
    "suggest": "rank unlabelled pages by how much labelling them would teach",
}


class ExitStatus(IntEnum):
    OK = 0
    ERROR = 1
    USAGE = 2
    PARTIAL = 3  # a batch ran, but some records failed (each reported on stderr)
    INTERRUPTED = 130


def build_parser(commands: dict[str, str] | None = None) -> argparse.ArgumentParser:
    from winnow import __version__

    parser = argparse.ArgumentParser(prog="winnow", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"winnow {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in commands or COMMANDS:
        sub.add_parser(name, help=SUMMARIES.get(name, ""), add_help=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    top = build_parser()
    if not argv or argv[0] not in COMMANDS:
        top.parse_args(argv)  # prints help/version or a usage error and exits
        return ExitStatus.USAGE
    name = argv[0]
    module = importlib.import_module(COMMANDS[name])
    parser = argparse.ArgumentParser(prog=f"winnow {name}", description=module.HELP)
    module.configure(parser)
    args = parser.parse_args(argv[1:])
    try:
        return int(module.run(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return ExitStatus.INTERRUPTED
    except BrokenPipeError:  # `winnow clean … | head` is not an error
        sys.stderr.close()
        return ExitStatus.OK
