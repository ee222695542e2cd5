"""The labelling tool's page and its JSON API (all on loopback, all local files)."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from winnow.guess import guess_lang, guess_site, suggest_id
from winnow.labels import LABEL_NAMES, LABELS
from winnow.serve.labeller import LOOPBACK_HOSTS
from winnow.serve.labeller.prelabel import UNSURE_MARGIN, Prelabel, prelabel, prelabel_lines
from winnow.serve.labeller.store import (
    FORM_KEYS,
    SaveError,
    SaveRequest,
    list_pages,
    read_labelled,
    resolve_inside,
    save,
    taken_ids,
)

bp = Blueprint("labeller", __name__, static_folder="static", template_folder="templates")
REPO_LABELS = Path("data/labels")
# GUIDELINE.md's table in one line per label, for the page's legend.
LABEL_HINTS = {
    "T": "the headline in the article header: exactly one per page",
    "B": "paragraphs, lead, subheadings, quotes, lists and tables of the article",
    "C": "caption or credit of the article's image, chart or video",
    "M": "byline, date, reporter e-mail, source line, the article's own © line",
    "N": "menus, breadcrumbs, section labels, tags, search, login, pagination",
    "L": "other articles: ranking, related, latest, prev/next, with their heading",
    "A": "ads, sponsored widgets, app and shopping promos",
    "S": "share bars, toolbars, counters, comment widgets and the comments",
    "X": "footer, legal, cookies, subscribe prompts, the <title> copy, anything else",
}


def _state() -> dict:
    return current_app.extensions["labeller"]


def _root() -> Path:
    return current_app.config["LABELS_DIR"]


@bp.before_app_request
def loopback_only():
    """Refuse requests addressed to another host name: a web page that rebinds its DNS to
    127.0.0.1 must not reach a tool that writes files."""
    host = request.host
    host = host[: host.index("]") + 1] if host.startswith("[") else host.rsplit(":", 1)[0]
    if host not in LOOPBACK_HOSTS:
        abort(403, description=f"the labeller answers on loopback only, not {request.host!r}")


@bp.app_errorhandler(SaveError)
def save_error(err: SaveError):
    return jsonify(errors=err.errors), err.status


@bp.app_errorhandler(HTTPException)
def http_error(err: HTTPException):
    return jsonify(errors=[err.description or err.name]), err.code


@bp.get("/")
def index():
    state = _state()
    model = state["model"]
    return render_template(
        "index.html",
        labels=[(label, LABEL_NAMES[label], LABEL_HINTS[label]) for label in LABELS],
        model_name=f"{model.name} {model.version}" if model else None,
        model_error=state["model_error"],
        labels_dir=str(_root()),
        margin=UNSURE_MARGIN,
    )


@bp.get("/api/files")
def files():
    return jsonify(root=str(_root()), files=list_pages(_root()))


def _json() -> dict:
    body = request.get_json(silent=False)
    if not isinstance(body, dict):
        raise SaveError(["expected a JSON object"])
    return body


def _rows_payload(result: Prelabel) -> dict:
    model = _state()["model"]
    return {
        "rows": [row.to_dict() for row in result.rows],
        "threshold": result.threshold,
        "model": f"{model.name} {model.version}" if model else None,
        "model_error": _state()["model_error"],
    }


@bp.post("/api/prelabel")
def prelabel_text():
    text = _json().get("text")
    if not isinstance(text, str) or not text.strip():
        raise SaveError(["paste or open a page first: the text is empty"])
    result = prelabel(text, _state()["model"], current_app.config["MODE"])
    site, lang = guess_site(text), guess_lang(text)
    header = {"site": site, "lang": lang, "id": suggest_id(site, taken_ids(_root()))}
    return jsonify(header=header, source=None, opened=None, **_rows_payload(result))


@bp.post("/api/open")
def open_page():
    """A labelled page (from the labels folder by `path`, or uploaded as `data`): its own
    labels, with the model's p and unsure marks beside them."""
    body = _json()
    if body.get("path"):
        path = resolve_inside(_root(), str(body["path"]))
        page = read_labelled(path.read_bytes(), str(body["path"]))
        source = opened = path.relative_to(_root()).as_posix()
    elif isinstance(body.get("data"), str):
        opened = str(body.get("name") or "upload")
        page = read_labelled(body["data"].encode("utf-8"), opened)
        source = None
    else:
        raise SaveError(["give the path of a page in the labels folder, or its data"])
    result = prelabel_lines(page.lines, _state()["model"], current_app.config["MODE"])
    payload = _rows_payload(result)
    for row, label in zip(payload["rows"], page.labels, strict=True):
        row["model_label"], row["label"] = row["label"], label
    header = dict(page.header)
    header.pop("winnow-labels", None)
    return jsonify(header=header, source=source, opened=opened, **payload)


@bp.get("/api/suggest-id")
def suggested_id():
    return jsonify(id=suggest_id(request.args.get("site", ""), taken_ids(_root())))


@bp.post("/api/save")
def save_page():
    body = _json()
    lines, labels, header = body.get("lines"), body.get("labels"), body.get("header")
    if not (_str_list(lines) and _str_list(labels) and isinstance(header, dict)):
        raise SaveError(["expected lines and labels (lists of strings) and a header object"])
    header = {str(k): str(v) for k, v in header.items() if v is not None}
    form = {k: v for k, v in header.items() if k in FORM_KEYS}
    extra = {k: v for k, v in header.items() if k not in FORM_KEYS and k != "winnow-labels"}
    request_ = SaveRequest(lines, labels, form, bool(body.get("overwrite")), extra)
    saved = save(_root(), request_)
    return jsonify(
        path=saved.relative,
        file=str(saved.path),
        warnings=saved.warnings,
        check=f"winnow labels check {saved.path}",
        next=train_command(_root()),
    ), 201


def _str_list(value) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def train_command(root: Path) -> str:
    """`make train` trains on data/labels; another folder is added to CORPORA."""
    repo_labels = REPO_LABELS.resolve()
    if root == repo_labels or root.is_relative_to(repo_labels):
        return "make train"
    return f'make train CORPORA="data/labels {root}"'
