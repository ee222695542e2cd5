"""The console summary of `winnow eval`: headline, per corpus, and the deltas with --compare."""

from __future__ import annotations

from winnow.train.report_tables import (
    BENCH_COLUMNS,
    HEADLINE_ROWS,
    Table,
    fmt,
    group_rows,
    headline_table,
)

CORPUS_COLUMNS = (
    ("pages", "pages"),
    ("precision", "P"),
    ("recall", "R"),
    ("f1", "F1"),
    ("f1_ge_0_9", "≥0.9"),
    ("line_precision", "line P"),
    ("line_recall", "line R"),
    ("removal_recall", "removed"),
    *BENCH_COLUMNS,
    ("heuristic_f1", "heur. F1"),
    ("keep_all_f1", "keep-all F1"),
)


def rich_table(table: Table):
    from rich.table import Table as RichTable

    out = RichTable(title=table.title, title_justify="left")
    for j, name in enumerate(table.columns):
        out.add_column(str(name), justify="left" if j == 0 else "right")
    for row in table.rows:
        out.add_row(*(fmt(v) for v in row))
    return out


def print_summary(metrics: dict, console) -> None:
    m = metrics
    console.print(
        f"[bold]{m['model']['name']}[/bold] v{m['model']['version']} on {m['data']['name']}: "
        f"{m['data']['pages']:,} pages, {m['data']['sites']:,} sites, mode {m['run']['mode']} "
        f"(threshold {fmt(m['run']['threshold'])}), {m['run']['seconds']} s"
    )
    if m["data"]["in_training"]:
        seen = ", ".join(m["data"]["in_training"])
        console.print(f"[yellow]in-sample:[/yellow] the model was trained on {seen}")
    console.print(rich_table(headline_table(m)))
    rows = group_rows(m["text"]["by_corpus"], ["corpus"], CORPUS_COLUMNS)
    console.print(rich_table(Table("By corpus", ["corpus", *(n for _, n in CORPUS_COLUMNS)], rows)))
    if "compare" in m:
        from winnow.train.report_compare import compare_tables

        for table in compare_tables(m, HEADLINE_ROWS).tables[:2]:
            console.print(rich_table(table))
            if table.note:
                console.print(table.note)
