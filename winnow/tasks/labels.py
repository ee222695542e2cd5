"""`winnow labels check|stats PATH…`: validate labelled pages, or count what they hold."""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from winnow.labels import LABELS, LabelledPage, load_pages

HELP = "Check labelled-page files (every problem as file:line: message), or count their labels."
GROUPS = ("lang", "site", "render")


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    check = sub.add_parser(
        "check", help="report malformed rows, unknown labels, missing headers, duplicate ids"
    )
    check.add_argument("paths", nargs="+", metavar="PATH", help="files or folders (recursive)")
    stats = sub.add_parser("stats", help="pages, lines and label counts per language and site")
    stats.add_argument("paths", nargs="+", metavar="PATH", help="files or folders (recursive)")
    stats.add_argument(
        "--by",
        action="append",
        choices=GROUPS,
        help="group by this column (repeatable; default: lang, then site)",
    )


def run(args: argparse.Namespace) -> int:
    try:
        pages, problems = load_pages(args.paths)
    except FileNotFoundError as err:
        print(f"winnow labels: {err}", file=sys.stderr)
        return 2
    if args.action == "check":
        for problem in problems:
            print(problem)
        files = len({p.path for p in pages} | {p.path for p in problems})
        verdict = f"{len(problems)} problem(s)" if problems else "ok"
        print(f"{files} file(s), {len(pages)} page(s) read: {verdict}", file=sys.stderr)
        return 1 if problems else 0
    for problem in problems:
        print(problem, file=sys.stderr)
    frame = label_counts(pages)
    with pd.option_context("display.max_rows", None, "display.width", 200):
        for group in args.by or ("lang", "site"):
            print(summarize(frame, group).to_string())
            print()
    return 1 if problems else 0


def label_counts(pages: list[LabelledPage]) -> pd.DataFrame:
    """One row per page: its header columns and the count of each label (blank lines excluded)."""
    rows = []
    for page in pages:
        counts = dict.fromkeys(LABELS, 0)
        for label in page.labels:
            if label:
                counts[label] += 1
        rows.append({"lang": page.lang, "site": page.site, "render": page.render or "-", **counts})
    return pd.DataFrame(rows, columns=[*GROUPS, *LABELS])


def summarize(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """Pages, sites, lines and label counts per value of `by`, with a total row."""
    labels = list(LABELS)
    grouped = frame.groupby(by, sort=True)
    table = grouped[labels].sum()
    table.insert(0, "lines", table[labels].sum(axis=1))
    table.insert(0, "sites", grouped["site"].nunique())
    table.insert(0, "pages", grouped.size())
    total = table.sum(numeric_only=True)
    total["sites"] = frame["site"].nunique()
    table.loc["total"] = total
    table["share"] = (table["pages"] / max(len(frame), 1)).map("{:.0%}".format)
    return table
