"""`winnow clean [FILE]`: raw page text from a file or stdin -> the article on stdout."""

from __future__ import annotations

import argparse
import json
import sys

HELP = "Clean one page: raw text from FILE (or stdin) in, title and body out (--json for all)."


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", nargs="?", default="-", help="raw page text (default: stdin)")
    parser.add_argument("--json", action="store_true", help="print the full result as JSON")
    parser.add_argument(
        "--lines", action="store_true", help="with --json: every line's label and score"
    )
    parser.add_argument("--mode", choices=("precision", "balanced", "recall"), default="balanced")
    parser.add_argument(
        "--threshold", type=float, help="content threshold in [0, 1] (overrides --mode)"
    )
    parser.add_argument("--model", help="model folder (default: $WINNOW_MODEL or models/default)")


def _read(path: str) -> str:
    data = sys.stdin.buffer.read() if path == "-" else open(path, "rb").read()  # noqa: SIM115
    return data.decode("utf-8")


def run(args: argparse.Namespace) -> int:
    from winnow import clean, load_model
    from winnow.errors import WinnowError

    try:
        text = _read(args.file)
    except OSError as err:
        print(f"winnow clean: {err}", file=sys.stderr)
        return 1
    except UnicodeDecodeError as err:
        print(
            f"winnow clean: {args.file} is not UTF-8 text ({err.reason} at byte {err.start})",
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
