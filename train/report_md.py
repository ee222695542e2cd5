"""report.md: the same tables as the HTML page, as GitHub-flavoured Markdown (plots linked)."""

from __future__ import annotations

from winnow.train.report_tables import DEFINITIONS, Section, Table, fmt


def _escape(text: str) -> str:
    return text.replace("|", "\\|")


def md_table(table: Table, section_title: str = "") -> list[str]:
    out = [f"### {table.title}", ""] if table.title != section_title else []
    out.append("| " + " | ".join(_escape(str(c)) for c in table.columns) + " |")
    aligns = ["---" if j == 0 else "---:" for j in range(len(table.columns))]
    out.append("|" + "|".join(aligns) + "|")
    for row in table.rows:
        out.append("| " + " | ".join(_escape(fmt(v)) for v in row) + " |")
    if table.note:
        out += ["", f"_{table.note}_"]
    out.append("")
    return out


def _worst(metrics: dict) -> list[str]:
    out = ["## Worst pages: what to label next", ""]
    out.append(
        "Lines: number, gold → predicted label, p_content; `!K` kept wrongly (returned, "
        "labelled boilerplate), `!D` dropped wrongly (labelled title/body, not returned)."
    )
    out.append("")
    for k, w in enumerate(metrics["worst_pages"], 1):
        out.append(
            f"**{k}. {w['id']}** ({w['corpus']}, {w['site']}, {w['lang']}, {w['render']}): "
            f"F1 {fmt(w['f1'])} (P {fmt(w['precision'])}, R {fmt(w['recall'])}), "
            f"{w['wrongly_kept']} kept wrongly, {w['wrongly_dropped']} dropped wrongly — "
            f"`{w['path']}`"
        )
        if w["replacement_chars"] >= 10:
            out += ["", f"> {w['replacement_chars']} replacement characters: wrongly decoded text."]
        out += ["", "~~~~text"]  # tildes: page lines may hold backticks
        for b, block in enumerate(w["blocks"]):
            if b:
                out.append("   ⋯")
            for r in block:
                mark = {"kept": "!K", "dropped": "!D"}.get(r["error"], "  ")
                out.append(
                    f"{mark} {r['line']:>5} {r['gold']}→{r['pred']} {r['p']:.2f}  {r['text']}"
                )
        if w["more_blocks"]:
            out.append(f"   … {w['more_blocks']} more blocks")
        out += ["~~~~", ""]
    return out


def render_md(metrics: dict, sections: list[Section], plot_files: dict[str, str]) -> str:
    m = metrics
    lines = [
        f"# winnow eval: {m['model']['name']} (v{m['model']['version']}) on {m['data']['name']}",
        "",
        f"{fmt(m['data']['pages'])} pages, {fmt(m['data']['sites'])} sites, "
        f"{fmt(m['data']['lines'])} non-blank lines from `{' '.join(m['data']['paths'])}`; "
        f"mode {m['run']['mode']} (threshold {fmt(m['run']['threshold'])}); "
        f"{m['run']['seconds']} s on {m['run']['workers']} process(es); {m['run']['created']}.",
        "",
    ]
    if m["data"]["in_training"]:
        lines += [
            f"> The model was trained on {', '.join(m['data']['in_training'])}: figures on those "
            f"corpora are in-sample. Cross-validated mean page F1 at training: "
            f"{fmt(m['model']['cv_page_f1'])}.",
            "",
        ]
    for section in sections:
        lines += [f"## {section.title}", ""]
        if section.text:
            lines += [section.text, ""]
        for table in section.tables:
            lines += md_table(table, section.title)
        for name in section.plots:
            if name in plot_files:
                lines += [f"![{name}]({plot_files[name]})", ""]
    lines += _worst(metrics)
    lines += ["## Definitions", ""]
    lines += [f"- **{term}**: {text}" for term, text in DEFINITIONS]
    return "\n".join(lines) + "\n"
