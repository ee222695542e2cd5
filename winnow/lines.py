"""Raw page text -> lines.

Every later stage refers to lines by their index in `split_lines(text)`, so this is the one
place that decides what a line is. The rule is deliberately small: a line ends at `\\n`,
`\\r\\n` or a lone `\\r`; a leading BOM and NUL characters are dropped, an unpaired surrogate
becomes U+FFFD; nothing else changes (tabs, other control characters and very long lines stay).
"""

from __future__ import annotations

_BOM = "\ufeff"


def replace_lone_surrogates(text: str) -> str:
    """U+FFFD for each unpaired surrogate (JSON can carry them; UTF-8 cannot)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text


def normalize_newlines(text: str) -> str:
    """Make `\\n` the only line break; drop what is never content (BOM, NUL); no lone surrogates."""
    text = replace_lone_surrogates(text)
    if text.startswith(_BOM):
        text = text[1:]
    if "\x00" in text:
        text = text.replace("\x00", "")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def split_lines(text: str) -> list[str]:
    """The page's lines: joined by `\\n` they give `normalize_newlines(text)` back.

    One trailing newline does not open an extra empty line (as with `str.splitlines`).
    """
    text = normalize_newlines(text)
    if not text:
        return []
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines
