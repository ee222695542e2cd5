"""`winnow suggest FOLDER`: which unlabelled pages to label first.

A page teaches the model most where the model is least sure of it: the score is the mean of
two numbers in [0, 1], the char-weighted binary entropy of p_content over the page's lines
(long uncertain lines weigh more: they hold more of the article) and the share of lines whose
p_content sits near the threshold (kept or dropped is a coin flip). Ranking then spreads the
top across sites: each page already picked from a site multiplies the next one's score by
SITE_DECAY, so ten pages of one confusing site do not fill the list.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

HELP = (
    "Rank a folder of unlabelled raw pages (.txt, recursive) by how much labelling them would "
    "teach the model: its uncertainty on each page, spread across sites."
)
NEAR_MARGIN = 0.2  # as the labelling tool's "unsure" mark
SITE_DECAY = 0.5
SITE_SOURCES = ("folder", "top", "text")
UNKNOWN_SITE = "-"


@dataclass(frozen=True)
class Uncertainty:
    lines: int  # non-blank lines
    entropy: float  # char-weighted mean binary entropy of p_content, in bits (0 … 1)
    near: float  # share of lines with |p_content - threshold| < NEAR_MARGIN
    title_found: bool
    worst_line: int = 0  # 1-based number of the line holding the most uncertainty

    @property
    def score(self) -> float:
        return (self.entropy + self.near) / 2


@dataclass(frozen=True)
class Suggestion:
    path: str
    site: str
    lines: int
    score: float
    entropy: float
    near_threshold: float
    title_found: bool
    reason: str


def binary_entropy(p: np.ndarray) -> np.ndarray:
    """Entropy in bits of each Bernoulli(p): 0 when certain, 1 at p = 0.5."""
    p = np.clip(np.asarray(p, dtype=float), 1e-9, 1 - 1e-9)
    return -(p * np.log2(p) + (1 - p) * np.log2(1 - p))


def uncertainty(article) -> Uncertainty:
    """How unsure the model was of an `Article`'s lines."""
    if not article.lines:
        return Uncertainty(0, 0.0, 0.0, article.title is not None)
    p = np.array([r.p_content for r in article.lines])
    chars = np.array([len(r.text.strip()) for r in article.lines], dtype=float)
    weighted = binary_entropy(p) * chars
    entropy = float(weighted.sum() / chars.sum()) if chars.sum() else 0.0
    near = float(np.mean(np.abs(p - article.threshold) < NEAR_MARGIN))
    worst = article.lines[int(np.argmax(weighted))].number
    return Uncertainty(len(p), entropy, near, article.title is not None, worst)


def reason(u: Uncertainty) -> str:
    """The signal behind the score, in words."""
    if not u.lines:
        return "no visible line"
    parts = [f"{u.near:.0%} of lines near the threshold", f"entropy {u.entropy:.2f}"]
    if not u.title_found:
        parts.append("no title found")
    parts.append(f"most unsure: line {u.worst_line}")
    return ", ".join(parts)


def site_of(path: Path, root: Path, text: str, source: str) -> str:
    """The page's site: its folder (`folder`), the first folder under root (`top`), or the
    host its text names most (`text`); the text is the fallback for pages at the top level."""
    relative = path.relative_to(root)
    if source == "folder" and len(relative.parts) > 1:
        return path.parent.name
    if source == "top" and len(relative.parts) > 1:
        return relative.parts[0]
    from winnow.guess import guess_site

    return guess_site(text) or UNKNOWN_SITE


def diversify(items: Sequence[Suggestion], decay: float = SITE_DECAY) -> list[Suggestion]:
    """Greedy order: always the best score × decay^(pages already taken from its site)."""
    by_site: dict[str, list[Suggestion]] = {}
    for item in sorted(items, key=lambda s: (-s.score, s.path)):
        by_site.setdefault(item.site, []).append(item)
    taken = dict.fromkeys(by_site, 0)
    order: list[Suggestion] = []
    while len(order) < len(items):
        site = max(
            (s for s in by_site if taken[s] < len(by_site[s])),
            key=lambda s: (by_site[s][taken[s]].score * decay ** taken[s], s),
        )
        order.append(by_site[site][taken[site]])
        taken[site] += 1
    return order


def raw_pages(root: Path) -> Iterable[Path]:
    return (p for p in sorted(root.rglob("*.txt")) if p.is_file())


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "folder", help="folder of raw page text files (*.txt, searched recursively)"
    )
    parser.add_argument("--top", type=int, default=20, help="how many pages to list (default 20)")
    parser.add_argument("--json", action="store_true", help="print the ranking as JSON")
    parser.add_argument(
        "--site-from",
        choices=SITE_SOURCES,
        default="folder",
        help="a page's site: its folder's name (default), the first folder under FOLDER, or "
        "the host its text names most",
    )
    parser.add_argument("--mode", choices=("precision", "balanced", "recall"), default="balanced")
    parser.add_argument("--model", help="model folder (default: $WINNOW_MODEL or models/default)")


def score_folder(root: Path, args: argparse.Namespace, model) -> list[Suggestion]:
    from winnow import clean

    out = []
    for path in raw_pages(root):
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as err:
            print(f"winnow suggest: skipping {path}: not UTF-8 ({err.reason})", file=sys.stderr)
            continue
        u = uncertainty(clean(text, model=model, mode=args.mode))
        if not u.lines:
            print(f"winnow suggest: skipping {path}: no visible line", file=sys.stderr)
            continue
        site = site_of(path, root, text, args.site_from)
        rel = path.relative_to(root).as_posix()
        out.append(
            Suggestion(rel, site, u.lines, u.score, u.entropy, u.near, u.title_found, reason(u))
        )
    return out


def print_table(ranked: Sequence[Suggestion], total: int) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=None if sys.stdout.isatty() else 160)
    table = Table(title=f"label these first ({len(ranked)} of {total} pages)")
    for name, justify in (("#", "right"), ("path", "left"), ("site", "left"), ("lines", "right")):
        table.add_column(name, justify=justify)
    table.add_column("score", justify="right")
    table.add_column("reason")
    for rank, s in enumerate(ranked, start=1):
        table.add_row(str(rank), s.path, s.site, str(s.lines), f"{s.score:.3f}", s.reason)
    console.print(table)


def run(args: argparse.Namespace) -> int:
    from winnow import load_model
    from winnow.errors import WinnowError

    root = Path(args.folder)
    if not root.is_dir():
        print(f"winnow suggest: {root}: not a folder", file=sys.stderr)
        return 2
    if args.top < 1:
        print("winnow suggest: --top must be at least 1", file=sys.stderr)
        return 2
    try:
        model = load_model(args.model)
        scored = score_folder(root, args, model)
    except WinnowError as err:
        print(f"winnow suggest: {err}", file=sys.stderr)
        return 1
    if not scored:
        print(f"winnow suggest: no readable .txt page under {root}", file=sys.stderr)
        return 1
    ranked = diversify(scored)[: args.top]
    if args.json:
        rows = [{"rank": i, **asdict(s)} for i, s in enumerate(ranked, start=1)]
        for row in rows:
            for key in ("score", "entropy", "near_threshold"):
                row[key] = round(row[key], 4)
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print_table(ranked, len(scored))
    return 0
