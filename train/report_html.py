"""The self-contained HTML report: one file, plots embedded as base64 PNG, readable offline."""

from __future__ import annotations

import base64
from importlib import resources

from winnow.train.report_tables import CARDS, DEFINITIONS, Section, Table, fmt

TEMPLATE = "report_template.html"
OPEN_PAGES = 3  # worst pages shown unfolded
CONTEXT = 2


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _heat(value, row: list, gold: str, label: str) -> str:
    total = sum(v for v in row[1:] if _is_number(v))
    if not total or not value:
        return ""
    share = value / total
    rgb = "31,136,61" if gold == label else "207,34,46"
    return f"background: rgba({rgb},{0.08 + 0.6 * share:.2f})"


def _cells(table: Table, numeric: list[bool]) -> list[list[tuple[str, str, str]]]:
    out = []
    for row in table.rows:
        cells = []
        for j, value in enumerate(row):
            style = ""
            if table.heat and j > 0:
                style = _heat(value, row, str(row[0]), table.columns[j])
            elif str(table.columns[j]).startswith("Δ") and _is_number(value) and value:
                style = "color: #1a7f37" if value > 0 else "color: #cf222e"
            cells.append((fmt(value), "n" if numeric[j] else "", style))
        out.append(cells)
    return out


def _numeric(table: Table) -> list[bool]:
    flags = []
    for j in range(len(table.columns)):
        values = [row[j] for row in table.rows if row[j] is not None]
        flags.append(bool(values) and all(_is_number(v) for v in values))
    return flags


def render_html(metrics: dict, sections: list[Section], plots: dict[str, bytes]) -> str:
    from jinja2 import Environment

    env = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters["f"] = fmt
    env.filters["num"] = fmt
    source = resources.files("winnow.train").joinpath(TEMPLATE).read_text(encoding="utf-8")
    views = [
        {
            "key": s.key,
            "title": s.title,
            "text": s.text,
            "plots": s.plots,
            "side": s.side,
            "tables": [
                {
                    "title": t.title,
                    "columns": t.columns,
                    "note": t.note,
                    "cells": _cells(t, _numeric(t)),
                    "numeric": _numeric(t),
                }
                for t in s.tables
            ],
        }
        for s in sections
    ]
    uris = {
        name: "data:image/png;base64," + base64.b64encode(png).decode("ascii")
        for name, png in plots.items()
    }
    return env.from_string(source).render(
        m=metrics,
        sections=views,
        plots=uris,
        cards=CARDS,
        definitions=DEFINITIONS,
        open_pages=OPEN_PAGES,
        context=CONTEXT,
    )
