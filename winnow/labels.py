"""The labelled-page format, version 1: read, write, check.

A labelled page is UTF-8 text: header rows `#key<TAB>value`, then one row `LABEL<TAB>TEXT` per
raw line (a blank raw line is an empty row or a lone tab). The TEXT fields joined by `\\n` give
the raw page back. The reader keeps what the format leaves open (lone-tab blanks, a missing
final newline), so `format_page(parse_page(b)) == b` for every valid file: the shared corpora
and any hold-out use this format, and a round trip must never change a byte.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

FORMAT_VERSION = "1"
LABELS = "TBCMNLASX"
LABEL_NAMES = {
    "T": "title",
    "B": "body",
    "C": "caption",
    "M": "meta",
    "N": "navigation",
    "L": "link list",
    "A": "ad",
    "S": "social/comments",
    "X": "other boilerplate",
}
CONTENT_LABELS = frozenset("TB")
OPTIONAL_LABELS = frozenset("CM")
BOILERPLATE_LABELS = frozenset("NLASX")
REQUIRED_KEYS = ("winnow-labels", "id", "site", "lang")
KNOWN_KEYS = (*REQUIRED_KEYS, "url", "render", "source", "note", "type")
SUFFIX = ".tsv"
_LANG = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]+)?\Z")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file, reported as `path:line: message` (line 0 = whole file)."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class LabelFormatError(ValueError):
    """A file is not a valid labelled page; `problems` lists every reason."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(map(str, problems)))


@dataclass(frozen=True)
class LabelledPage:
    """One page: its header, and a label per raw line ("" for a blank line)."""

    header: tuple[tuple[str, str], ...]
    labels: tuple[str, ...]
    lines: tuple[str, ...]
    path: str | None = None
    lone_tab_rows: frozenset[int] = field(default=frozenset(), repr=False)
    final_newline: bool = field(default=True, repr=False)

    def get(self, key: str, default: str | None = None) -> str | None:
        for k, v in self.header:
            if k == key:
                return v
        return default

    @property
    def id(self) -> str:
        return self.get("id", "")

    @property
    def site(self) -> str:
        return self.get("site", "")

    @property
    def lang(self) -> str:
        return self.get("lang", "")

    @property
    def render(self) -> str:
        return self.get("render", "")

    @property
    def text(self) -> str:
        """The raw page, exactly."""
        return "\n".join(self.lines)

    @property
    def label_set(self) -> frozenset[str]:
        return frozenset(self.labels) - {""}


def make_page(
    lines: Iterable[str], labels: Iterable[str], *, header: dict[str, str], path: str | None = None
) -> LabelledPage:
    """A page from parts (the labelling tool's and the tests' way in); header gains the version."""
    lines, labels = tuple(lines), tuple(labels)
    if len(lines) != len(labels):
        raise ValueError(f"{len(lines)} lines but {len(labels)} labels")
    for i, (line, label) in enumerate(zip(lines, labels, strict=True)):
        if "\n" in line or "\r" in line:
            raise ValueError(f"line {i + 1} contains a line break")
        if not (len(label) == 1 and label in LABELS) and not (label == "" and line == ""):
            raise ValueError(f"line {i + 1}: label {label!r} (expected one of {LABELS})")
    items = {"winnow-labels": FORMAT_VERSION, **header}
    for key, value in items.items():
        if "\n" in key + value or "\t" in key:
            raise ValueError(f"header {key!r} may not hold a line break or a tab in its key")
    labels = tuple("" if line == "" else label for line, label in zip(lines, labels, strict=True))
    return LabelledPage(tuple(items.items()), labels, lines, path=path)


def parse_page(data: bytes, path: str = "<bytes>") -> tuple[LabelledPage | None, list[Problem]]:
    """Parse one file's bytes; returns the page (None if unusable) and every problem found."""
    problems: list[Problem] = []

    def bad(line: int, message: str) -> None:
        problems.append(Problem(path, line, message))

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        bad(0, f"not valid UTF-8 (byte {err.start}: {data[err.start : err.start + 1]!r})")
        return None, problems
    if text.startswith("\ufeff"):
        bad(1, "file starts with a byte-order mark; save as UTF-8 without BOM")
        text = text[1:]
    if not text:
        bad(0, "empty file: missing header")
        return None, problems

    rows = text.split("\n")
    final_newline = rows[-1] == ""
    if final_newline:
        rows.pop()

    header, n_header = _parse_header(rows, bad)
    labels: list[str] = []
    lines: list[str] = []
    lone_tabs: set[int] = set()
    for i in range(n_header, len(rows)):
        row = rows[i]
        if row == "" or row == "\t":
            if row == "\t":
                lone_tabs.add(len(lines))
            labels.append("")
            lines.append("")
        elif len(row) >= 2 and row[1] == "\t" and row[0] in LABELS:
            if len(row) == 2:
                bad(i + 1, f"label {row[0]} on a blank line: write a blank line as an empty row")
            labels.append(row[0])
            lines.append(row[2:])
        else:
            bad(i + 1, _row_problem(row))
            labels.append("X")
            lines.append(row.partition("\t")[2])
    if not lines:
        bad(0, "page has no lines after the header")
    page = LabelledPage(
        tuple(header.items()),
        tuple(labels),
        tuple(lines),
        path=path,
        lone_tab_rows=frozenset(lone_tabs),
        final_newline=final_newline,
    )
    return page, problems


def _parse_header(rows: list[str], bad) -> tuple[dict[str, str], int]:
    header: dict[str, str] = {}
    n = 0
    while n < len(rows) and rows[n].startswith("#"):
        key, tab, value = rows[n][1:].partition("\t")
        if not tab:
            bad(n + 1, f"header row without a tab: expected #key<TAB>value, got {rows[n][:40]!r}")
        elif key in header:
            bad(n + 1, f"header #{key} given twice")
        else:
            header[key] = value
        n += 1
    if n == 0:
        bad(1, "missing header: a page starts with #winnow-labels<TAB>1")
        return header, n
    for key in REQUIRED_KEYS:
        if key not in header:
            bad(0, f"missing header #{key}")
        elif not header[key].strip():
            bad(0, f"header #{key} is empty")
    version = header.get("winnow-labels")
    if version is not None and version != FORMAT_VERSION:
        bad(1, f"unsupported format version {version!r} (this reader knows {FORMAT_VERSION})")
    lang = header.get("lang", "").strip()
    if lang and not _LANG.match(lang):
        bad(0, f"header #lang {lang!r} is not an ISO 639-1 code such as ko, en, zh")
    return header, n


def _row_problem(row: str) -> str:
    if row.startswith("#"):
        return "header row after the first labelled row (headers come first)"
    label, tab, _ = row.partition("\t")
    if not tab:
        return f"row without a tab: expected LABEL<TAB>TEXT, got {row[:40]!r}"
    if label.strip() == "":
        return "row with a text but no label"
    return f"unknown label {label[:10]!r} (labels: {' '.join(LABELS)})"


def format_page(page: LabelledPage) -> bytes:
    """The file bytes of a page; inverse of `parse_page` for every valid file."""
    out = [f"#{key}\t{value}" for key, value in page.header]
    for i, (label, line) in enumerate(zip(page.labels, page.lines, strict=True)):
        if label == "" and line == "":
            out.append("\t" if i in page.lone_tab_rows else "")
        else:
            out.append(f"{label}\t{line}")
    text = "\n".join(out)
    if page.final_newline:
        text += "\n"
    return text.encode("utf-8")


def read_page(path: str | os.PathLike) -> LabelledPage:
    """Read one file; raises `LabelFormatError` listing every problem."""
    path = os.fspath(path)
    with open(path, "rb") as fh:
        page, problems = parse_page(fh.read(), path)
    if problems:
        raise LabelFormatError(problems)
    assert page is not None
    return page


def write_page(page: LabelledPage, path: str | os.PathLike, *, overwrite: bool = False) -> Path:
    """Write a page; refuses to replace an existing file unless `overwrite`."""
    path = Path(path)
    data = format_page(page)
    _, problems = parse_page(data, str(path))
    if problems:
        raise LabelFormatError(problems)
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = "wb" if overwrite else "xb"
    try:
        with open(path, mode) as fh:
            fh.write(data)
    except FileExistsError:
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it") from None
    return path


def iter_label_files(paths: Iterable[str | os.PathLike]) -> Iterator[tuple[Path, Path]]:
    """(file, root it was found under) for each `.tsv` file or folder given, sorted, recursive."""
    for root in map(Path, paths):
        if root.is_dir():
            for file in sorted(root.rglob(f"*{SUFFIX}")):
                if file.is_file():
                    yield file, root
        elif root.exists():
            yield root, root.parent
        else:
            raise FileNotFoundError(f"{root}: no such file or folder")


def load_pages(paths: Iterable[str | os.PathLike]) -> tuple[list[LabelledPage], list[Problem]]:
    """Every readable page under `paths` and every problem found, duplicates included."""
    pages: list[LabelledPage] = []
    problems: list[Problem] = []
    for file, _root in iter_label_files(paths):
        with open(file, "rb") as fh:
            page, found = parse_page(fh.read(), str(file))
        problems.extend(found)
        if page is None:
            continue
        pages.append(page)
    problems.extend(duplicate_problems(pages))
    return pages, problems


def read_pages(paths: Iterable[str | os.PathLike]) -> list[LabelledPage]:
    """Every page under `paths`; raises `LabelFormatError` with all problems of all files."""
    pages, problems = load_pages(paths)
    if problems:
        raise LabelFormatError(problems)
    return pages


def duplicate_problems(pages: Iterable[LabelledPage]) -> list[Problem]:
    """A page is the pair (id, render); the same pair twice is a duplicate."""
    seen: dict[tuple[str, str], str] = {}
    problems = []
    for page in pages:
        key = (page.id, page.render)
        if key in seen:
            where = f" (render {page.render!r})" if page.render else ""
            problems.append(
                Problem(
                    page.path or "?",
                    0,
                    f"duplicate page id {page.id!r}{where}: also in {seen[key]}",
                )
            )
        else:
            seen[key] = page.path or "?"
    return problems
