"""The labels folder: list its pages, open one, and save a new one after checking it.

Every check `winnow labels check` makes runs before a byte is written (format, header, the
(id, render) pair unique across the folder), plus the path rules of the folder layout
`<lang>/<site>/<id>.tsv`; nothing is replaced unless the person asked for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from winnow.guess import ID_PATTERN, SITE_PATTERN
from winnow.labels import (
    SUFFIX,
    LabelledPage,
    duplicate_problems,
    format_page,
    iter_label_files,
    load_pages,
    make_page,
    parse_page,
    write_page,
)
from winnow.serve.labeller.prelabel import fill_labels

# Header keys the form edits, in the order data/labels/README.md writes them.
FORM_KEYS = ("id", "site", "lang", "url", "render", "source", "note")
REQUIRED = ("id", "site", "lang")


class SaveError(Exception):
    """A page that cannot be saved; `errors` says every reason, `status` the HTTP answer."""

    def __init__(self, errors: list[str], status: int = 400):
        super().__init__("; ".join(errors))
        self.errors = errors
        self.status = status


@dataclass(frozen=True)
class SaveRequest:
    lines: list[str]
    labels: list[str]
    header: dict[str, str]
    overwrite: bool = False
    extra_header: dict[str, str] = field(default_factory=dict)  # keys kept from an opened file


@dataclass(frozen=True)
class Saved:
    path: Path
    relative: str
    warnings: list[str]


def list_pages(root: Path) -> list[str]:
    """Every `.tsv` under `root`, as paths relative to it (POSIX separators), sorted."""
    if not root.is_dir():
        return []
    return [file.relative_to(root).as_posix() for file, _ in iter_label_files([root])]


def resolve_inside(root: Path, relative: str) -> Path:
    """`root/relative`, refusing anything that leaves `root` or is not a `.tsv` file."""
    path = (root / relative).resolve()
    if not path.is_relative_to(root.resolve()) or path.suffix != SUFFIX:
        raise SaveError([f"{relative!r} is not a {SUFFIX} file inside the labels folder"])
    if not path.is_file():
        raise SaveError([f"{relative} does not exist"], status=404)
    return path


def read_labelled(data: bytes, name: str) -> LabelledPage:
    """A page from a file's bytes; a `SaveError` listing the problems if it is not valid."""
    page, problems = parse_page(data, name)
    if page is None or problems:
        raise SaveError([str(p) for p in problems])
    return page


def taken_ids(root: Path) -> set[str]:
    """Ids in use, by file name (the folder's convention: `<id>.tsv`)."""
    return {Path(rel).stem for rel in list_pages(root)}


def target_path(root: Path, header: dict[str, str]) -> Path:
    return root / header["lang"] / header["site"] / f"{header['id']}{SUFFIX}"


def header_errors(header: dict[str, str]) -> list[str]:
    """What is wrong with the form's header fields (the page's path is built from them)."""
    errors = [f"{key} is required" for key in REQUIRED if not header.get(key, "").strip()]
    site, page_id = header.get("site", ""), header.get("id", "")
    if site and (not SITE_PATTERN.match(site) or ".." in site):
        errors.append(f"site {site!r}: use the site's domain, e.g. news.example.co.kr")
    if page_id and (not ID_PATTERN.match(page_id) or ".." in page_id):
        errors.append(f"id {page_id!r}: letters, digits, '.', '_' and '-' only, e.g. example-3")
    for key, value in header.items():
        if "\n" in value or "\r" in value or "\t" in value:
            errors.append(f"{key} may not hold a tab or a line break")
    return errors


def build_page(request: SaveRequest) -> LabelledPage:
    """The page to write, or a `SaveError` saying every reason it would not pass the check."""
    header = {k: v.strip() for k, v in request.header.items() if k in FORM_KEYS and v.strip()}
    errors = header_errors(header)
    if errors:
        raise SaveError(errors)
    ordered = {key: header[key] for key in FORM_KEYS if key in header}
    extra = {k: v for k, v in request.extra_header.items() if k not in FORM_KEYS}
    labels = fill_labels(request.lines, request.labels)
    try:
        page = make_page(request.lines, labels, header={**ordered, **extra})
    except ValueError as err:
        raise SaveError([str(err)]) from None
    _, problems = parse_page(format_page(page), "page")
    if problems:
        raise SaveError([p.message if p.line == 0 else str(p) for p in problems])
    return page


def page_warnings(page: LabelledPage) -> list[str]:
    """Guideline checks that do not block saving (a page may lack a headline)."""
    titles = page.labels.count("T")
    warnings = []
    if titles != 1:
        warnings.append(f"{titles} title lines: the guideline asks for exactly one T per page")
    if "B" not in page.labels:
        warnings.append("no body line (B): is this an article page?")
    return warnings


def save(root: Path, request: SaveRequest) -> Saved:
    """Check and write the page into `root/<lang>/<site>/<id>.tsv`."""
    page = build_page(request)
    path = target_path(root, dict(page.header))
    if path.exists() and not request.overwrite:
        raise SaveError(
            [f"{path.relative_to(root).as_posix()} exists: tick “overwrite” to replace it"],
            status=409,
        )
    others, _ = load_pages([root]) if root.is_dir() else ([], [])
    others = [p for p in others if Path(p.path or "").resolve() != path.resolve()]
    mine = _with_path(page, path)
    duplicates = [d for d in duplicate_problems([*others, mine]) if d.path == mine.path]
    if duplicates:
        raise SaveError([d.message for d in duplicates], status=409)
    write_page(page, path, overwrite=request.overwrite)
    return Saved(path, path.relative_to(root).as_posix(), page_warnings(page))


def _with_path(page: LabelledPage, path: Path) -> LabelledPage:
    return LabelledPage(page.header, page.labels, page.lines, path=str(path))
