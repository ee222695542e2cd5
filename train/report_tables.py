"""The metrics dictionary -> titled tables, shared by the HTML page, report.md and the console.

One place decides which figures a person sees and under which names; the renderers only lay
them out, so the three outputs never disagree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from winnow.labels import LABEL_NAMES

HEADLINE_ROWS = (
    ("pages", "pages"),
    ("f1", "page F1 (tokens, mean per page)"),
    ("precision", "page precision (tokens)"),
    ("recall", "page recall (tokens)"),
    ("f1_ge_0_9", "share of pages with F1 ≥ 0.9"),
    ("f1_ge_0_99", "share of pages with F1 ≥ 0.99"),
    ("line_precision", "line precision (content, characters)"),
    ("line_recall", "line recall (content, characters)"),
    ("line_f1", "line F1 (content, characters)"),
    ("removal_recall", "boilerplate removed (characters)"),
    ("title_accuracy", "title accuracy (pages with a T line)"),
    ("benchmark_pages", "pages with a benchmark gold"),
    ("wcxb_f1", "WCXB rule F1 (bag of words, mean)"),
    ("aeb_precision", "AEB rule precision (mean)"),
    ("aeb_recall", "AEB rule recall (mean)"),
    ("aeb_f1", "AEB rule F1 (of the means)"),
)
GROUP_COLUMNS = (
    ("pages", "pages"),
    ("sites", "sites"),
    ("precision", "P"),
    ("recall", "R"),
    ("f1", "F1"),
    ("f1_ge_0_9", "≥0.9"),
    ("f1_ge_0_99", "≥0.99"),
    ("line_precision", "line P"),
    ("line_recall", "line R"),
    ("removal_recall", "removed"),
    ("title_accuracy", "title"),
    ("heuristic_f1", "heuristic F1"),
    ("keep_all_f1", "keep-all F1"),
)
BENCH_COLUMNS = (
    ("wcxb_f1", "WCXB F1"),
    ("aeb_precision", "AEB P"),
    ("aeb_recall", "AEB R"),
    ("aeb_f1", "AEB F1"),
)
# Published figures on the full benchmarks, from HTML (research/field.md §1a, §1b). Our pages
# are a subset rendered to text first, so they place winnow, they do not rank it.
PUBLISHED = {
    "aeb": "AEB (181 pages, shingle F1): rs-trafilatura 0.970, trafilatura 2.0 0.958, "
    "readability-lxml 0.922, jusText 0.804; HTML-to-text keep-everything 0.662–0.679.",
    "wcxb": "WCXB dev (1,497 pages, word F1): rs-trafilatura 0.859, MinerU-HTML 0.827, "
    "trafilatura 0.791, Readability 0.675 (articles only: 0.93 for the best).",
}
SYSTEM_NAMES = {"model": "model", "heuristic": "line heuristic", "keep_all": "keep everything"}
KIND_NAMES = {**LABEL_NAMES, "all": "all boilerplate", "CM": "caption/meta", "NLASX": "boilerplate"}


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list]
    note: str = ""
    heat: bool = False  # shade numeric cells by their share of the row (confusion matrices)


@dataclass
class Section:
    key: str
    title: str
    tables: list[Table] = field(default_factory=list)
    plots: list[str] = field(default_factory=list)  # plot names (report_plots.PLOTS)
    text: str = ""
    side: bool = False  # lay the plots beside the tables (short tables)


def fmt(value) -> str:
    """Figures as shown: 3 decimals, counts as integers, a dash for missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3f}"
    return str(value)


def headline_table(metrics: dict) -> Table:
    head = metrics["headline"]
    columns = ["figure", *(SYSTEM_NAMES[s] for s in head)]
    rows = [[name, *(head[s].get(key) for s in head)] for key, name in HEADLINE_ROWS]
    rows = [row for row in rows if any(v is not None for v in row[1:])]
    note = (
        "Page figures: tokens of the returned title+body against the labelled T+B lines "
        "(words; each Han/Kana character a token), averaged over pages. Line figures: "
        "non-space characters of T/B lines kept vs N/L/A/S/X lines kept; C/M lines count "
        "neither way. WCXB/AEB rules: against the benchmark's own gold where a corpus ships one."
    )
    return Table("Headline", columns, rows, note)


def group_rows(records: list[dict], keys: list[str], columns=GROUP_COLUMNS) -> list[list]:
    return [[*(r.get(k) for k in keys), *(r.get(c) for c, _ in columns)] for r in records]


def group_section(metrics: dict) -> Section:
    text = metrics["text"]
    in_training = set(metrics["data"]["in_training"])
    corpus_rows = group_rows(text["by_corpus"], ["corpus"], GROUP_COLUMNS + BENCH_COLUMNS)
    for row in corpus_rows:
        row[0] = f"{row[0]} *" if row[0] in in_training else row[0]
    note = "* the model was trained on this corpus: its figures here are in-sample." * bool(
        in_training
    )
    tables = [
        Table(
            "By corpus",
            ["corpus", *(n for _, n in GROUP_COLUMNS + BENCH_COLUMNS)],
            corpus_rows,
            note,
        )
    ]
    for key, title, label in (
        ("by_render", "By renderer", "render"),
        ("by_lang", "By language", "lang"),
        ("by_type", "By page type (WCXB)", "type"),
    ):
        records = [r for r in text[key] if r.get(label) != "-"]
        if records:
            cols = [label, *(n for _, n in GROUP_COLUMNS)]
            tables.append(Table(title, cols, group_rows(records, [label])))
    return Section("groups", "By corpus, renderer, language and page type", tables, ["by_corpus"])


def benchmark_table(metrics: dict) -> Table | None:
    rows = []
    for r in metrics["text"]["by_corpus_render"]:
        rule = {"aeb": "aeb", "wcxb": "wcxb"}.get(r["corpus"])
        if rule is None or not r.get("benchmark_pages"):
            continue
        if rule == "aeb":
            figures = [r["aeb_precision"], r["aeb_recall"], r["aeb_f1"]]
        else:
            figures = [r["wcxb_precision"], r["wcxb_recall"], r["wcxb_f1"]]
        base = [r.get(f"heuristic_{rule}_f1"), r.get(f"keep_all_{rule}_f1")]
        rows.append([r["corpus"], r["render"], r["benchmark_pages"], *figures, *base])
    if not rows:
        return None
    note = " ".join(PUBLISHED[c] for c in sorted({row[0] for row in rows}))
    cols = ["corpus", "render", "pages", "P", "R", "F1", "heuristic F1", "keep-all F1"]
    return Table("Benchmark rules against the benchmarks' own gold", cols, rows, note)


def content_table(metrics: dict) -> Table:
    rows = []
    for system, units in metrics["lines"]["content"].items():
        for unit, s in units.items():
            rows.append(
                [SYSTEM_NAMES[system], unit, s["precision"], s["recall"], s["f1"], s["support"]]
            )
    cols = ["system", "unit", "precision", "recall", "F1", "content support"]
    note = "Content = T+B; boilerplate = N/L/A/S/X; C and M lines are left out of both."
    return Table("Content vs boilerplate (line level)", cols, rows, note)


def label_tables(metrics: dict, scheme: str, title: str) -> list[Table]:
    part = metrics["lines"][scheme]
    if not part["lines"]:
        return []
    rows = [
        [
            k,
            KIND_NAMES.get(k, k),
            v["precision"],
            v["recall"],
            v["f1"],
            v["support"],
            v["predicted"],
        ]
        for k, v in part["per_label"].items()
    ]
    cols = ["label", "name", "precision", "recall", "F1", "support", "predicted"]
    head = f"{title} ({part['pages']:,} pages, {part['lines']:,} lines)"
    conf = part["confusion"]
    matrix = [[gold, *counts] for gold, counts in conf["rows"].items()]
    return [
        Table(head, cols, rows),
        Table(
            f"Confusion: gold (rows) × predicted (columns), {title.lower()}",
            ["gold \\ pred", *conf["labels"]],
            matrix,
            heat=True,
        ),
    ]


def removal_table(metrics: dict) -> Table:
    removal = metrics["lines"]["removal"]
    rows = []
    for kind, s in removal["model"].items():
        heur = removal["heuristic"].get(kind, {})
        rows.append(
            [
                kind,
                KIND_NAMES.get(kind, kind),
                s["lines"],
                s["chars"],
                s["line_recall"],
                s["char_recall"],
                heur.get("char_recall"),
            ]
        )
    cols = [
        "kind",
        "name",
        "lines",
        "chars",
        "removed (lines)",
        "removed (chars)",
        "heuristic removed (chars)",
    ]
    note = "Share of each gold boilerplate kind that the model did not return. Pages labelled "
    note += "T/B/X only put every kind under X."
    return Table("Which boilerplate got through: removal recall per kind", cols, rows, note)


def threshold_section(metrics: dict) -> Section:
    points = metrics["thresholds"]["operating_points"]
    rows = [
        [name, p["threshold"], p["precision"], p["recall"], p["f1"], p["page_f1"]]
        for name, p in points.items()
    ]
    cols = ["operating point", "threshold", "precision", "recall", "F1", "mean page F1"]
    note = (
        "Content lines, non-space characters, pooled over pages; the cut applies to p_content "
        "(the title line is chosen apart). Training picked each mode's threshold to maximise "
        "mean page F-beta (beta 0.5, 1, 2). Calibration: expected calibration error "
        f"{fmt(metrics['calibration']['ece'])} (line-weighted mean gap, 10 bins)."
    )
    table = Table("Operating thresholds", cols, rows, note)
    return Section(
        "thresholds", "Operating thresholds and calibration", [table], ["pr_curve", "calibration"]
    )


def worst_sites_table(metrics: dict, n: int = 25) -> Table:
    records = sorted(metrics["text"]["by_site"], key=lambda r: (r["f1"], -r["pages"]))[:n]
    columns = tuple(c for c in GROUP_COLUMNS if c[0] != "sites")
    cols = ["site", *(name for _, name in columns)]
    note = "Lowest mean page F1 first; every site is in metrics.json (text.by_site)."
    rows = group_rows(records, ["site"], columns)
    return Table(f"The {len(records)} weakest sites", cols, rows, note)


def sections(metrics: dict) -> list[Section]:
    """Every section of the report in reading order (the worst pages are rendered apart)."""
    line_tables = [content_table(metrics)]
    line_tables += label_tables(metrics, "fine", "All nine labels, fully labelled pages")
    line_tables += label_tables(metrics, "coarse", "Coarse labels, all pages")
    out = [
        Section("headline", "Headline", [headline_table(metrics)], ["f1_histogram"], side=True),
        group_section(metrics),
    ]
    bench = benchmark_table(metrics)
    if bench:
        out.append(Section("benchmarks", "Against published figures", [bench]))
    out += [
        Section("lines", "Line level", line_tables),
        Section("removal", "Removal recall per boilerplate kind", [removal_table(metrics)]),
        threshold_section(metrics),
        Section("sites", "Weakest sites", [worst_sites_table(metrics)]),
    ]
    if "compare" in metrics:
        from winnow.train.report_compare import compare_tables

        out.insert(1, compare_tables(metrics, HEADLINE_ROWS))
    return out


CARDS = (
    ("f1", "page F1"),
    ("precision", "page precision"),
    ("recall", "page recall"),
    ("f1_ge_0_9", "pages with F1 ≥ 0.9"),
    ("line_precision", "line precision (chars)"),
    ("line_recall", "line recall (chars)"),
    ("removal_recall", "boilerplate removed"),
    ("title_accuracy", "title accuracy"),
)
DEFINITIONS = (
    (
        "page precision / recall / F1",
        "Per page, the tokens of the returned title and body against the tokens of the "
        "labelled T and B lines (bags of tokens: lower-cased words, each Han or Kana character "
        "a token of its own), then averaged over pages. On corpora whose gold leaves the "
        "headline out (aeb, magic, multi, zhweb) the title is left out on both sides. A page "
        "with no T/B lines and an empty output scores 1.",
    ),
    (
        "line precision / recall (content)",
        "Over the non-blank lines of all pages pooled, weighted by non-space characters: "
        "precision = content characters returned / characters returned, recall = content "
        "characters returned / content characters. Content is T+B, boilerplate N/L/A/S/X. C "
        "(captions) and M (meta) are optional content: returning or dropping them is neither "
        "rewarded nor penalised here (training weighs them 0 too), and neither are the lines "
        "repeating the headline on pages whose gold has no title. The page figures, by "
        "contrast, count a returned caption as extra tokens.",
    ),
    (
        "boilerplate removed (removal recall)",
        "Share of the characters (or lines) of a gold boilerplate kind that the model did not "
        "return. Corpora labelled by alignment (aeb, wcxb, magic, multi, zhweb) use only T, B, X, "
        "so every kind of boilerplate is counted under X there.",
    ),
    (
        "labels (per-label table, confusion)",
        "The predicted label of a line is T or B when returned, else the kind model's best guess "
        "(C, M, N, L, A, S, X). The nine-label table uses only fully labelled pages (labels beyond "
        "T/B/X); the coarse table uses all pages with T, B, C/M and boilerplate collapsed.",
    ),
    (
        "WCXB rule",
        "WCXB's evaluate.py: bag of lower-cased \\w+ words, precision/recall/F1 per page, "
        "averaged; against the corpus's pages.jsonl.gz gold, with the title where that gold "
        "has one.",
    ),
    (
        "AEB rule",
        "The article-extraction-benchmark's rule: 4-token shingles (case kept) per page, tp/fp/fn "
        "normalised to sum 1, mean precision and mean recall over pages, F1 of the two means.",
    ),
    (
        "baselines",
        "keep everything: every non-blank line returned. line heuristic: keep lines of at least "
        "3 words ending in sentence punctuation (the C4-style rule, train.scoring.heuristic_keep).",
    ),
    (
        "operating thresholds, calibration",
        "The curve cuts p_content (the stage-2 probability) at 0, 0.01, …, 1; the marked points "
        "are the thresholds in the model card. Calibration bins p_content into ten and compares "
        "the mean p with the observed share of content lines; ECE is their line-weighted gap.",
    ),
)
