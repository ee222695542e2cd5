"""Where batch results go: one JSON Lines stream, or one file per page in a folder.

A sink's `write(outcome)` returns None when the result was written, or the reason it could not
be (a name the file system refuses…), which the caller reports like any failed record.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import TextIO

from winnow.batch import Outcome

# Result keys; an input field with one of these names is kept as `input_<name>`.
RESULT_KEYS = ("title", "text", "captions", "meta", "confidence", "threshold", "lines")
_UNSAFE = re.compile(r"[^\w.-]+")


def result_record(outcome: Outcome) -> dict:
    """`{"id", <the record's other fields>, "title", "text", "captions", "meta", …}`."""
    out: dict = {"id": outcome.record.id}
    for key, value in outcome.record.fields.items():
        out[f"input_{key}" if key in RESULT_KEYS else key] = value
    out.update(outcome.result or {})
    return out


def dumps_line(obj: dict) -> str:
    """One JSON line; strings with unpaired surrogates (legal in JSON input) stay escaped."""
    line = json.dumps(obj, ensure_ascii=False)
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        line = json.dumps(obj, ensure_ascii=True)
    return line + "\n"


def page_text(result: dict) -> str:
    """The `winnow clean FILE` output: title, blank line, body."""
    head = result["title"] + "\n\n" if result.get("title") else ""
    return head + result["text"] + "\n"


class JsonlSink:
    def __init__(self, stream: TextIO):
        self.stream = stream

    def write(self, outcome: Outcome) -> str | None:
        self.stream.write(dumps_line(result_record(outcome)))
        return None

    def close(self) -> None:
        self.stream.flush()


class FolderSink:
    """One file per page under `root`: a folder input's relative path (`a/b.txt`), or the
    record's id made safe for a file name; `as_json` writes the JSON result instead of text."""

    def __init__(self, root: str | os.PathLike, *, as_json: bool = False):
        self.root = Path(root)
        self.suffix = ".json" if as_json else ".txt"
        self.used: set[str] = set()

    def write(self, outcome: Outcome) -> str | None:
        name = self._unique(self._name(outcome))
        path = self.root / name
        if self.suffix == ".json":
            body = json.dumps(result_record(outcome), ensure_ascii=False, indent=2) + "\n"
        else:
            body = page_text(outcome.result or {"text": ""})
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(body, encoding="utf-8", errors="surrogatepass")
        except OSError as err:
            return f"cannot write {path} ({err.strerror or err})"
        return None

    def _name(self, outcome: Outcome) -> str:
        record = outcome.record
        if record.name:
            stem, dot, suffix = record.name.rpartition(".")
            return (stem if dot and suffix.lower() == "txt" else record.name) + self.suffix
        safe = _UNSAFE.sub("_", str(record.id)).strip("._")[:120] or "page"
        return safe + self.suffix

    def _unique(self, name: str) -> str:
        """Two records with the same id get `name`, `name~2`, … rather than one file."""
        candidate, n = name, 1
        while candidate in self.used:
            n += 1
            stem, dot, suffix = name.rpartition(".")
            candidate = f"{stem}~{n}{dot}{suffix}"
        self.used.add(candidate)
        return candidate

    def close(self) -> None:
        pass
