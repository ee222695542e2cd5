"""The report's plots as PNG bytes, drawn from the metrics dictionary with matplotlib (Agg).

Figures are built with `matplotlib.figure.Figure`, never pyplot: no global state, nothing left
open between reports.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import numpy as np

COLORS = {"model": "#1f6feb", "heuristic": "#d97706", "keep_all": "#8b949e", "compare": "#8250df"}
NAMES = {"model": "model", "heuristic": "line heuristic", "keep_all": "keep everything"}
DPI = 110


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    return fig


def _png(fig) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def f1_histogram(metrics: dict) -> bytes:
    hist = metrics["f1_histogram"]
    edges = np.array(hist["edges"])
    fig = _figure(6.0, 4.0)
    ax = fig.add_subplot()
    ax.bar(
        edges[:-1],
        hist["model"],
        width=np.diff(edges),
        align="edge",
        color=COLORS["model"],
        alpha=0.85,
        label=NAMES["model"],
    )
    for name in ("heuristic", "keep_all"):
        ax.stairs(hist[name], edges, color=COLORS[name], linewidth=1.8, label=NAMES[name])
    ax.set_xlabel("page F1 (tokens of title+body)")
    ax.set_ylabel("pages")
    ax.set_xlim(0, 1)
    ax.set_title("Per-page F1")
    ax.legend(loc="upper left", frameon=False)
    return _png(fig)


def by_corpus(metrics: dict) -> bytes | None:
    rows = metrics["text"]["by_corpus"]
    if not rows:
        return None
    names = [r["corpus"] for r in rows]
    y = np.arange(len(rows))
    fig = _figure(7.5, 0.55 * len(rows) + 1.2)
    ax = fig.add_subplot()
    height = 0.26
    for k, (system, key) in enumerate(
        (("model", "f1"), ("heuristic", "heuristic_f1"), ("keep_all", "keep_all_f1"))
    ):
        values = [r.get(key) if r.get(key) is not None else np.nan for r in rows]
        ax.barh(y + (k - 1) * height, values, height, color=COLORS[system], label=NAMES[system])
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("mean page F1")
    fig.legend(loc="outside upper center", ncols=3, frameon=False, fontsize="small")
    return _png(fig)


def _pr_panel(ax, metrics: dict, curve: np.ndarray, limits: tuple[float, float]) -> None:
    lo_x, lo_y = limits
    for f in (0.6, 0.7, 0.8, 0.85, 0.9, 0.95):
        rr = np.linspace(f / (2 - f) + 1e-6, 1, 200)
        pp = f * rr / (2 * rr - f)
        keep = (rr >= lo_x) & (pp >= lo_y) & (pp <= 1.02)
        ax.plot(rr[keep], pp[keep], color="#d0d7de", linewidth=0.8)
        if keep.any():
            ax.text(rr[keep][-1], pp[keep][-1], f" F1={f}", fontsize=7, color="#8b949e")
    r, p = curve
    ax.plot(r, p, color=COLORS["model"], linewidth=2, label="model, cut on p_content")
    markers = {"precision": "^", "balanced": "o", "recall": "v"}
    for name, point in metrics["thresholds"]["operating_points"].items():
        if name in markers:
            ax.scatter(
                point["recall"],
                point["precision"],
                s=70,
                marker=markers[name],
                zorder=3,
                color="black",
                label=f"{name} (t={point['threshold']:.2f})",
            )
    content = metrics["lines"]["content"]
    for name in ("heuristic", "keep_all"):
        c = content[name]["chars"]
        if c["recall"] is not None and c["precision"] is not None:
            ax.scatter(
                c["recall"],
                c["precision"],
                s=60,
                marker="s",
                color=COLORS[name],
                zorder=3,
                label=NAMES[name],
            )
    ax.set_xlim(lo_x, 1.005)
    ax.set_ylim(lo_y, 1.005)
    ax.set_xlabel("recall (content characters kept)")


def pr_curve(metrics: dict) -> bytes:
    """The whole curve, and a zoom on the model's operating points."""
    points = [
        (c["recall"], c["precision"])
        for c in metrics["thresholds"]["curve"]
        if c["precision"] is not None and c["recall"] is not None
    ]
    curve = np.array(points).T if points else np.zeros((2, 0))
    marked = [
        (p["recall"], p["precision"])
        for name, p in metrics["thresholds"]["operating_points"].items()
        if name in ("precision", "balanced", "recall") and p["precision"] is not None
    ] or [(0.9, 0.9)]
    lo_x = max(0.0, min(r for r, _ in marked) - 0.06)
    lo_y = max(0.0, min(p for _, p in marked) - 0.06)
    fig = _figure(11.0, 4.8)
    full, zoom = fig.subplots(1, 2)
    _pr_panel(full, metrics, curve, (0.0, 0.0))
    _pr_panel(zoom, metrics, curve, (lo_x, lo_y))
    full.set_ylabel("precision (kept characters that are content)")
    full.set_title("Precision–recall, line level, character-weighted")
    zoom.set_title("Zoom on the operating points")
    full.legend(loc="lower left", fontsize="small")
    return _png(fig)


def calibration(metrics: dict) -> bytes:
    from matplotlib.ticker import NullFormatter

    bins = metrics["calibration"]["bins"]
    mid = np.array([(b["lo"] + b["hi"]) / 2 for b in bins])
    mean_p = np.array([b["mean_p"] if b["mean_p"] is not None else np.nan for b in bins])
    observed = np.array([b["observed"] if b["observed"] is not None else np.nan for b in bins])
    counts = np.array([b["lines"] for b in bins])
    fig = _figure(6.4, 5.0)
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[3, 1])
    top.plot([0, 1], [0, 1], color="#8b949e", linestyle="--", linewidth=1, label="perfect")
    top.plot(mean_p, observed, marker="o", color=COLORS["model"], label="model")
    top.set_ylabel("observed share of content lines")
    top.set_title(f"Reliability of p_content (ECE {metrics['calibration']['ece'] or 0:.3f})")
    top.legend(loc="upper left", frameon=False)
    top.set_ylim(0, 1)
    bottom.bar(mid, counts, width=0.09, color=COLORS["model"], alpha=0.6)
    bottom.set_yscale("log")
    bottom.yaxis.set_minor_formatter(NullFormatter())
    bottom.set_ylabel("lines")
    bottom.set_xlabel("p_content")
    bottom.set_xlim(0, 1)
    return _png(fig)


PLOTS: dict[str, Callable[[dict], bytes | None]] = {
    "f1_histogram": f1_histogram,
    "by_corpus": by_corpus,
    "pr_curve": pr_curve,
    "calibration": calibration,
}


def render_all(metrics: dict) -> dict[str, bytes]:
    """Every plot that has data, by name."""
    out = {}
    for name, draw in PLOTS.items():
        png = draw(metrics)
        if png:
            out[name] = png
    return out
