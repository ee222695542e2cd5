"""`winnow clean [INPUT…]`: raw page text in, the article out.

One page (a file or stdin) prints its title and body (or `--json`). Folders of `.txt` files,
JSON Lines files and the batch options run the batch engine (`winnow.batch`, in
`winnow.tasks.clean_batch`): JSON Lines out, or one file per page with `--output-dir`.
"""

from __future__ import annotations

import argparse
import json
import sys

HELP = "Clean pages: raw text from FILE (or stdin) in, title and body out (--json for all)."
EPILOG = """batch mode (a folder, a .jsonl/.jsonl.gz file, --jsonl, several inputs, --output,
--output-dir or --jobs): one JSON line per page, in input order, to stdout or --output; or one
file per page in --output-dir. Bad records are reported on stderr with their position and
skipped. Exit status: 0 all pages cleaned, 1 nothing could run (bad option, model, output),
3 some records failed (the others were written), 130 interrupted."""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument(
        "inputs",
        nargs="*",
        metavar="INPUT",
        help="page file, folder of .txt files, JSON Lines file or - for stdin (default: stdin)",
    )
    parser.add_argument("--json", action="store_true", help="print the full result as JSON")
    parser.add_argument(
        "--lines", action="store_true", help="every line's label and score (--json, batch)"
    )
    parser.add_argument("--mode", choices=("precision", "balanced", "recall"), default="balanced")
    parser.add_argument(
        "--threshold", type=float, help="content threshold in [0, 1] (overrides --mode)"
    )
    parser.add_argument("--model", help="model folder (default: $WINNOW_MODEL or models/default)")
    batch = parser.add_argument_group("batch")
    batch.add_argument(
        "--jsonl", action="store_true", help='inputs are JSON Lines of {"id", "text", …}'
    )
    where = batch.add_mutually_exclusive_group()
    where.add_argument("-o", "--output", help="write the JSON Lines here (default: stdout)")
    where.add_argument("--output-dir", help="write one .txt (.json with --json) per page here")
    batch.add_argument(
        "-j", "--jobs", type=int, help="worker processes (default: every core); one model each"
    )


def _read(path: str) -> str:
    data = sys.stdin.buffer.read() if path == "-" else open(path, "rb").read()  # noqa: SIM115
    return data.decode("utf-8")


def run(args: argparse.Namespace) -> int:
    from winnow import clean, load_model
    from winnow.errors import WinnowError
    from winnow.tasks.clean_batch import run_batch, wants_batch

    if wants_batch(args):
        return run_batch(args)
    path = args.inputs[0] if args.inputs else "-"
    try:
        text = _read(path)
    except OSError as err:
        print(f"winnow clean: {err}", file=sys.stderr)
        return 1
    except UnicodeDecodeError as err:
        print(
            f"winnow clean: {path} is not UTF-8 text ({err.reason} at byte {err.start})",
            file=sys.stderr,
        )
        return 1
    try:
        model = load_model(args.model) if args.model else None
        article = clean(text, model=model, mode=args.mode, threshold=args.threshold)
    except WinnowError as err:
        print(f"winnow clean: {err}", file=sys.stderr)
        return 1
    if args.json:
        out = article.to_dict(include=("captions", "meta"), lines=args.lines)
        json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        if article.title:
            sys.stdout.write(article.title + "\n\n")
        sys.stdout.write(article.text + "\n")
    return 0
