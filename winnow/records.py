"""Where batch pages come from: folders of `.txt` files, JSON Lines files, single files, stdin.

Every input becomes a stream of `Record`s, read lazily so a crawl of millions of pages never sits
in memory. A record that cannot be cleaned (not UTF-8, not JSON, not an object, no string
`text`) still comes out, carrying its position and the reason, so the caller can report it and
go on: one bad line never stops a run or shifts the others.
"""

from __future__ import annotations

import gzip
import json
import os
import sys
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

JSONL_SUFFIXES = (".jsonl", ".jsonl.gz")
TEXT_SUFFIX = ".txt"
STDIN = "-"
_BOM = b"\xef\xbb\xbf"
_MISSING = object()


@dataclass(frozen=True)
class Record:
    """One page to clean, or the reason it cannot be.

    `id` is the JSONL record's own id (any JSON value) or the file's path; `where` is the
    position for messages (`crawl.jsonl:17`, `pages/a.txt`); `fields` are the record's other
    JSON fields, passed through to the output; `name` is the relative output path a folder
    input suggests (`a/b.txt`).
    """

    id: object
    where: str
    text: str | None = None
    fields: dict = field(default_factory=dict)
    name: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def is_jsonl(path: str) -> bool:
    return path.lower().endswith(JSONL_SUFFIXES)


def iter_records(
    paths: Iterable[str], *, jsonl: bool = False, stdin: BinaryIO | None = None
) -> Iterator[Record]:
    """Records from each path in turn: `-` (stdin), a folder, a JSONL file or one page file.

    `jsonl=True` reads every file and stdin as JSON Lines; otherwise a `.jsonl`/`.jsonl.gz`
    suffix decides. A folder yields its `.txt` files, recursively, sorted folder by folder.
    """
    for path in paths:
        if path == STDIN:
            stream = stdin if stdin is not None else sys.stdin.buffer
            if jsonl:
                yield from iter_jsonl(stream, "<stdin>")
            else:
                yield page_record(stream.read(), "<stdin>", STDIN)
        elif os.path.isdir(path):
            yield from iter_folder(path)
        elif jsonl or is_jsonl(path):
            yield from iter_jsonl_file(path)
        else:
            yield read_page_file(path, path, Path(path).name)


def page_record(data: bytes, where: str, record_id: object, name: str | None = None) -> Record:
    """A whole file's bytes as one page (UTF-8; a leading BOM is dropped by `split_lines`)."""
    try:
        return Record(record_id, where, text=data.decode("utf-8"), name=name)
    except UnicodeDecodeError as err:
        return Record(
            record_id, where, name=name, error=f"not UTF-8 ({err.reason} at byte {err.start})"
        )


def read_page_file(path: str | os.PathLike, record_id: object, name: str | None) -> Record:
    where = os.fspath(path)
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as err:
        return Record(record_id, where, name=name, error=f"unreadable ({err.strerror or err})")
    return page_record(data, where, record_id, name)


def iter_folder(root: str | os.PathLike) -> Iterator[Record]:
    """Every `.txt` file under `root`, sorted by name folder by folder; id = its path."""
    root = Path(root)
    for rel in _sorted_walk(root, ()):
        name = "/".join(rel)
        yield read_page_file(root.joinpath(*rel), (root / name).as_posix(), name)


def _sorted_walk(root: Path, rel: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    """Relative paths of `.txt` files, one folder listing in memory at a time."""
    try:
        with os.scandir(root.joinpath(*rel)) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            yield from _sorted_walk(root, (*rel, entry.name))
        elif entry.name.lower().endswith(TEXT_SUFFIX) and entry.is_file():
            yield (*rel, entry.name)


def iter_jsonl_file(path: str) -> Iterator[Record]:
    opener = gzip.open if path.lower().endswith(".gz") else open
    try:
        fh = opener(path, "rb")
    except OSError as err:
        yield Record(path, path, error=f"unreadable ({err.strerror or err})")
        return
    with fh:
        yield from iter_jsonl(fh, path)


def iter_jsonl(stream: BinaryIO, name: str) -> Iterator[Record]:
    """One record per non-blank line; a stream that breaks off (truncated gzip) ends the file
    with one record saying where it broke."""
    number = 0
    try:
        for number, raw in enumerate(stream, 1):
            if number == 1 and raw.startswith(_BOM):
                raw = raw[len(_BOM) :]
            if raw.strip():
                yield parse_jsonl_line(raw, f"{name}:{number}")
    except (OSError, EOFError, zlib.error) as err:
        where = f"{name}:{number + 1}"
        yield Record(where, where, error=f"unreadable from here on ({err})")


def parse_jsonl_line(raw: bytes, where: str) -> Record:
    """`{"id": …, "text": "…", …}` -> a Record; anything else -> a Record with the reason."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        return Record(where, where, error=f"not UTF-8 ({err.reason} at byte {err.start})")
    try:
        obj = json.loads(line)
    except ValueError as err:
        return Record(where, where, error=f"not JSON ({err})")
    if not isinstance(obj, dict):
        return Record(where, where, error=f"not a JSON object but {_json_type(obj)}")
    record_id = obj.pop("id", where)
    text = obj.pop("text", _MISSING)
    if text is _MISSING:
        return Record(record_id, where, fields=obj, error='no "text" field')
    if not isinstance(text, str):
        error = f'"text" is {_json_type(text)}, not a string'
        return Record(record_id, where, fields=obj, error=error)
    return Record(record_id, where, text=text, fields=obj)


def _json_type(value: object) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}
    return "null" if value is None else names.get(type(value), "a number")
