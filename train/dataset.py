"""Labelled pages -> training examples: which corpus and site each page is from, its gold.

The split unit is the site (its registered domain): every rendering of a page and every page
of a site land on the same side, so a score says how winnow does on sites it never saw.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import numpy as np

from winnow.labels import LabelledPage, iter_label_files, parse_page

DEFAULT_CORPUS = "data/labels"


def add_corpora_argument(parser, dest: str) -> None:
    """The labelled pages a command reads (`winnow train`, `winnow eval`)."""
    parser.add_argument(
        dest,
        nargs="*",
        default=[DEFAULT_CORPUS],
        metavar="PATH",
        help=f"labelled pages, files or folders (default: {DEFAULT_CORPUS})",
    )


CORPUS_MARKERS = ("SOURCE.md", "README.md", "pages.jsonl.gz")
SECOND_LEVEL = {"co", "or", "go", "ac", "ne", "re", "pe", "com", "net", "org", "gov", "edu", "ltd"}
# Sites the shared corpora name as one publisher group (ko-hand/README.md).
SITE_GROUPS = {"mtn.co.kr": "mt.co.kr"}
# How each corpus's gold treats the headline: AEB's articleBody and the hand-copied Chinese
# and newspaper golds leave it out, WCXB's main_content and the hand labels keep it.
GOLD_HAS_TITLE = {"wcxb": True, "ko-hand": True, "labels": True}


@dataclass(frozen=True)
class Example:
    """One labelled page with where it came from."""

    page: LabelledPage
    corpus: str
    group: str
    gold: dict | None  # the corpus's pages.jsonl.gz record, when it ships one

    @property
    def fully_labelled(self) -> bool:
        return bool(self.page.label_set - {"T", "B", "X"})

    @property
    def page_type(self) -> str:
        """The benchmark's page type (WCXB, magic); pages of article corpora are articles."""
        kind = (self.gold or {}).get("type") or self.page.get("type") or "article"
        return {"collection": "listing", "category": "listing"}.get(kind, kind)

    @property
    def gold_has_title(self) -> bool:
        return GOLD_HAS_TITLE.get(self.corpus, False)


def registered_domain(site: str) -> str:
    """example.co.kr for news.example.co.kr; good enough for grouping, no suffix list needed."""
    host = site.strip().lower().split(":")[0].removeprefix("www.")
    parts = [p for p in host.split(".") if p]
    if len(parts) >= 3 and len(parts[-1]) == 2 and parts[-2] in SECOND_LEVEL:
        domain = ".".join(parts[-3:])
    else:
        domain = ".".join(parts[-2:])
    return SITE_GROUPS.get(domain, domain)


def group_of(page: LabelledPage) -> str:
    site = page.site.strip()
    if not site or site == "unknown":
        return f"unknown:{page.id}"
    return registered_domain(site)


@cache
def _corpus_dir(folder: Path) -> Path | None:
    for candidate in (folder, *folder.parents):
        if any((candidate / m).exists() for m in CORPUS_MARKERS):
            return candidate
    return None


@cache
def _gold(corpus_dir: Path) -> dict[str, dict]:
    path = corpus_dir / "pages.jsonl.gz"
    if not path.exists():
        return {}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return {rec["id"]: rec for rec in map(json.loads, fh)}


def load_examples(paths: Iterable[str | os.PathLike]) -> list[Example]:
    """Every page under `paths` with corpus, group and gold; raises on a malformed file."""
    from winnow.labels import LabelFormatError, duplicate_problems

    examples, problems = [], []
    for file, root in iter_label_files(paths):
        page, found = parse_page(file.read_bytes(), str(file))
        problems.extend(found)
        if page is None:
            continue
        corpus_dir = _corpus_dir(file.parent.resolve()) or root.resolve()
        corpus = corpus_dir.name
        gold = _gold(corpus_dir).get(page.id)
        examples.append(Example(page, corpus, group_of(page), gold))
    problems.extend(duplicate_problems(e.page for e in examples))
    if problems:
        raise LabelFormatError(problems)
    return examples


def fingerprint(examples: Iterable[Example]) -> str:
    """sha256 over every page's bytes in a fixed order: names the data a model saw."""
    from winnow.labels import format_page

    digest = hashlib.sha256()
    for ex in sorted(examples, key=lambda e: (e.corpus, e.page.id, e.page.render)):
        digest.update(format_page(ex.page))
    return digest.hexdigest()


def stable_hash(*parts: str) -> int:
    """A 64-bit hash of strings that is the same in every process and on every machine."""
    return int.from_bytes(
        hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=8).digest(), "big"
    )


CROPPED = "cropped"  # the render name of a cropped copy
CROPPED_DENSE = "cropped-dense"  # a cropped copy without its blank lines
COPY_RENDERS = (CROPPED, CROPPED_DENSE)
CROP_CONTEXT = 8  # at most this many non-blank lines kept on either side of the article


def cropped_copies(examples: Iterable[Example], max_lines: int, seed: int = 0) -> list[Example]:
    """A second copy of each page whose article (first to last T/B line, plus the context)
    spans at most `max_lines` non-blank lines, with the page cut to the article and 0-8 lines on
    either side; half of the copies (drawn) also lose their blank lines.

    Scrapers often hand over a page's main block only, or text another tool already cleaned.
    A model that only ever saw whole pages learns that a page's last lines are its footer and
    drops an article's closing paragraphs when the page ends with them. Many extractors also
    join blocks without blank lines, and a model that always saw them leans on them (WCXB pages
    given without their blank lines lost 0.09 of token F1, measured in-sample). A copy keeps
    its page's site, so it stays in its site's fold; its render is `cropped` (or
    `cropped-dense`), so its scores get rows of their own. Short articles only: there the
    chrome is most of the page, and each copy costs training time. The cuts are drawn from the
    page's id and the seed, so adding a page changes no other page's copy.
    """
    out = []
    for ex in examples:
        labels = ex.page.labels
        nonblank = [i for i, label in enumerate(labels) if label]
        content = [k for k, i in enumerate(nonblank) if labels[i] in ("T", "B")]
        if not content or content[-1] - content[0] + 1 + 2 * CROP_CONTEXT > max_lines:
            continue
        rng = np.random.default_rng(stable_hash(str(seed), ex.corpus, ex.page.id, ex.page.render))
        before, after = (int(v) for v in rng.integers(0, CROP_CONTEXT + 1, size=2))
        lo = nonblank[max(content[0] - before, 0)]
        hi = nonblank[min(content[-1] + after, len(nonblank) - 1)]
        rows = range(lo, hi + 1)
        render = CROPPED_DENSE if rng.integers(0, 2) else CROPPED
        if render == CROPPED_DENSE:  # blank as PageText sees it: nothing but white space
            rows = [i for i in rows if ex.page.lines[i].strip()]
        header = tuple((k, render if k == "render" else v) for k, v in ex.page.header)
        if "render" not in dict(header):
            header += (("render", render),)
        page = replace(
            ex.page,
            header=header,
            labels=tuple(labels[i] for i in rows),
            lines=tuple(ex.page.lines[i] for i in rows),
            lone_tab_rows=frozenset(),
        )
        out.append(replace(ex, page=page))
    return out
