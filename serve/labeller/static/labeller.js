// winnow label: one page of lines, a cursor, a selection, labels set by key or by click.
// Plain browser JavaScript, no build step; talks to the Flask views under /api/.
"use strict";

const LABELS = "TBCMNLASX";
const LABEL_NAMES = {T: "title", B: "body", C: "caption", M: "meta", N: "navigation",
  L: "link list", A: "ad", S: "social", X: "other boilerplate"};
const $ = (sel) => document.querySelector(sel);

const state = {
  rows: [],        // {text, label, p, unsure, blank, model_label?} from the server
  labels: [],      // current label per row ("" on blank rows)
  cursor: -1,      // row index of the cursor (never a blank row)
  anchor: -1,      // other end of the selection
  undo: [],        // [{rows: [i…], before: [label…], cursor, anchor}]
  touched: new Set(),  // rows the person labelled (unsure marks fade)
  extraHeader: {}, // header keys of an opened page that the form does not show
  idEdited: false,
  dirty: false,
};

// ---------- talking to the server ----------

async function api(path, body) {
  const init = body === undefined ? {} : {
    method: "POST",
    headers: {"Content-Type": "application/json"},
    body: JSON.stringify(body),
  };
  const response = await fetch(path, init);
  let data = {};
  try { data = await response.json(); } catch (e) { data = {errors: [response.statusText]}; }
  return {ok: response.ok, status: response.status, data};
}

function showMessages(kind, title, items, extra) {
  const box = $("#messages");
  box.innerHTML = "";
  if (!kind) return;
  const div = document.createElement("div");
  div.className = "msg " + kind;
  const h = document.createElement("p");
  h.className = "msg-title";
  h.textContent = title;
  div.appendChild(h);
  if (items && items.length) {
    const ul = document.createElement("ul");
    for (const item of items) {
      const li = document.createElement("li");
      li.textContent = item;
      ul.appendChild(li);
    }
    div.appendChild(ul);
  }
  if (extra) div.appendChild(extra);
  box.appendChild(div);
}

async function loadFileList() {
  const select = $("#existing");
  const {ok, data} = await api("/api/files");
  select.innerHTML = "";
  const first = document.createElement("option");
  first.value = "";
  first.textContent = ok ? `(${data.files.length} labelled pages)` : "(cannot list the folder)";
  select.appendChild(first);
  for (const path of (data.files || [])) {
    const option = document.createElement("option");
    option.value = option.textContent = path;
    select.appendChild(option);
  }
}

async function prelabelText(text) {
  const {ok, data} = await api("/api/prelabel", {text});
  if (!ok) return showMessages("error", "Cannot pre-label this text", data.errors);
  startEditing(data);
}

async function openPage(body) {
  const {ok, data} = await api("/api/open", body);
  if (!ok) return showMessages("error", "Cannot open this page", data.errors);
  startEditing(data);
}

// ---------- the editor ----------

function startEditing(data) {
  state.rows = data.rows;
  state.labels = data.rows.map((r) => r.label);
  state.undo = [];
  state.touched = new Set();
  state.dirty = false;
  const header = data.header || {};
  state.extraHeader = {};
  const form = $("#meta");
  for (const input of form.querySelectorAll("input[name]")) input.value = "";
  for (const [key, value] of Object.entries(header)) {
    const input = form.elements.namedItem(key);
    if (input) input.value = value; else state.extraHeader[key] = value;
  }
  state.idEdited = Boolean(data.opened);  // an opened page keeps its id
  $("#f-overwrite").checked = false;
  $("#load").open = false;
  $("#editor").hidden = false;
  const note = data.opened ? `Opened ${data.opened}: its own labels; the model's p beside them.`
    : `Pre-labelled by ${data.model || "no model (every line X)"}.`;
  showMessages("info", note + " Correct the labels, then save.");
  $("#lines").style.setProperty("--cut", data.threshold ?? 0.5);
  $("#lines").classList.toggle("no-model", data.threshold === null);
  renderRows();
  const first = nextIndex(-1, 1, (i) => true);
  setCursor(first, false);
  updatePath();
  $("#lines").focus();
}

function fmtP(p) {
  return p === null || p === undefined ? "" : p.toFixed(2);
}

function renderRows() {
  const list = $("#lines");
  painted = new Set();
  paintedCursor = -1;
  list.innerHTML = "";
  const frag = document.createDocumentFragment();
  state.rows.forEach((row, i) => {
    const div = document.createElement("div");
    div.className = "line";
    div.dataset.i = i;
    if (row.blank) {
      div.classList.add("blank");
      div.setAttribute("aria-hidden", "true");
    } else {
      div.setAttribute("role", "option");
      div.innerHTML = `<span class="num">${i + 1}</span><span class="badge"></span>` +
        `<span class="p" title="p_content: probability that the line is article content">` +
        `<em>${fmtP(row.p)}</em><i><b style="width:${Math.round((row.p || 0) * 100)}%"></b></i></span>` +
        `<span class="text"></span>`;
      div.querySelector(".text").textContent = row.text;
      if (row.unsure) {
        div.classList.add("unsure-" + row.unsure);
        div.title = {content: "unsure: kept or dropped is close to the threshold",
          title: "unsure: the model's title pick is weak",
          kind: row.hint ? `unsure: the model also sees ${row.hint} (${LABEL_NAMES[row.hint]}) here`
            : "unsure: which boilerplate label is a guess"}[row.unsure];
      }
    }
    frag.appendChild(div);
    paintRow(div, i);
  });
  list.appendChild(frag);
  updateStatus();
}

function rowEl(i) {
  return $("#lines").children[i];
}

function paintRow(div, i) {
  const row = state.rows[i];
  if (row.blank) return;
  const label = state.labels[i];
  div.className = div.className.replace(/\blab-[A-Z]\b/g, "").trim() + " lab-" + label;
  div.querySelector(".badge").textContent = label;
  div.classList.toggle("touched", state.touched.has(i));
  const other = row.model_label && row.model_label !== label ? "model: " + row.model_label
    : row.hint && row.hint !== label && !state.touched.has(i) ? `${row.hint}?` : "";
  div.querySelector(".text").dataset.model = other;
  div.classList.toggle("disagree", Boolean(other));
}

function selection() {
  if (state.cursor < 0) return [];
  const lo = Math.min(state.cursor, state.anchor), hi = Math.max(state.cursor, state.anchor);
  const out = [];
  for (let i = lo; i <= hi; i++) if (!state.rows[i].blank) out.push(i);
  return out;
}

let painted = new Set();  // rows drawn as selected last time: repaint only what changed
let paintedCursor = -1;

function paintSelection() {
  const chosen = new Set(selection());
  for (const i of new Set([...painted, ...chosen, paintedCursor, state.cursor])) {
    const div = rowEl(i);
    if (!div || div.classList.contains("blank")) continue;
    div.classList.toggle("selected", chosen.has(i));
    div.classList.toggle("cursor", i === state.cursor);
    div.setAttribute("aria-selected", chosen.has(i));
  }
  painted = chosen;
  paintedCursor = state.cursor;
}

function setCursor(i, extend, block = "nearest") {
  if (i < 0 || i >= state.rows.length) return;
  state.cursor = i;
  if (!extend) state.anchor = i;
  paintSelection();
  rowEl(i).scrollIntoView({block});  // "center" after a jump: the line's context shows
  updateStatus();
}

function nextIndex(from, step, accept) {
  for (let i = from + step; i >= 0 && i < state.rows.length; i += step) {
    if (!state.rows[i].blank && accept(i)) return i;
  }
  return -1;
}

function move(step, extend) {
  const i = nextIndex(state.cursor, step, () => true);
  if (i >= 0) setCursor(i, extend);
}

function jumpUnsure(step) {
  const open = (i) => state.rows[i].unsure && !state.touched.has(i);
  let i = nextIndex(state.cursor, step, open);
  if (i < 0) i = nextIndex(step > 0 ? -1 : state.rows.length, step, open);  // wrap around
  if (i >= 0) setCursor(i, false, "center");
  else showMessages("info", "No unsure line left to check.");
}

function setLabel(label, advance) {
  const rows = selection();
  if (!rows.length) return;
  state.undo.push({rows, before: rows.map((i) => state.labels[i]),
    touched: rows.map((i) => state.touched.has(i)), cursor: state.cursor, anchor: state.anchor});
  for (const i of rows) {
    state.labels[i] = label;
    state.touched.add(i);
    paintRow(rowEl(i), i);
  }
  state.dirty = true;
  if (advance && rows.length === 1) move(1, false);
  else if (rows.length > 1) setCursor(state.cursor, false);
  updateStatus();
}

function undo() {
  const step = state.undo.pop();
  if (!step) return showMessages("info", "Nothing to undo.");
  step.rows.forEach((i, k) => {
    state.labels[i] = step.before[k];
    if (!step.touched[k]) state.touched.delete(i);
    paintRow(rowEl(i), i);
  });
  state.anchor = step.anchor;
  setCursor(step.cursor, true);
}

function updateStatus() {
  const counts = Object.fromEntries([...LABELS].map((l) => [l, 0]));
  let visible = 0, unsure = 0, open = 0;
  state.rows.forEach((row, i) => {
    if (row.blank) return;
    visible++;
    counts[state.labels[i]]++;
    if (row.unsure) { unsure++; if (!state.touched.has(i)) open++; }
  });
  for (const el of document.querySelectorAll("[data-count]")) el.textContent = counts[el.dataset.count];
  const parts = [`${visible} lines`, `${unsure} unsure (${open} left)`,
    `${state.undo.length} change${state.undo.length === 1 ? "" : "s"}`];
  if (state.cursor >= 0) {
    const n = selection().length;
    parts.push(`line ${state.cursor + 1}` + (n > 1 ? ` · ${n} selected` : ""));
  }
  if (counts.T !== 1 && visible) parts.push(`⚠ ${counts.T} title lines (want 1)`);
  $("#status").textContent = parts.join(" · ");
}

// ---------- the header form and saving ----------

function header() {
  const out = {...state.extraHeader};
  for (const input of $("#meta").querySelectorAll("input[name]")) out[input.name] = input.value.trim();
  return out;
}

function updatePath() {
  const h = header();
  $("#target-path").textContent = `${h.lang || "?"}/${h.site || "?"}/${h.id || "?"}.tsv`;
}

let idTimer = null;
function refreshId() {
  if (state.idEdited) return updatePath();
  clearTimeout(idTimer);
  idTimer = setTimeout(async () => {
    const {ok, data} = await api("/api/suggest-id?site=" + encodeURIComponent($("#f-site").value.trim()));
    if (ok && !state.idEdited) $("#f-id").value = data.id;
    updatePath();
  }, 200);
}

async function savePage() {
  if (!state.rows.length) return;
  const body = {
    lines: state.rows.map((r) => r.text),
    labels: state.labels,
    header: header(),
    overwrite: $("#f-overwrite").checked,
  };
  $("#save-btn").disabled = true;
  const {ok, data} = await api("/api/save", body);
  $("#save-btn").disabled = false;
  if (!ok) return showMessages("error", "Not saved", data.errors);
  state.dirty = false;
  state.idEdited = true;
  $("#f-overwrite").checked = false;
  const next = document.createElement("div");
  next.className = "next";
  next.innerHTML = "<p>Next, train a model with it:</p><pre class=\"cmd\"></pre>" +
    "<button type=\"button\" class=\"copy\">copy</button><p class=\"small\">Check it alone: <code></code></p>";
  next.querySelector(".cmd").textContent = data.next;
  next.querySelector("code").textContent = data.check;
  next.querySelector(".copy").addEventListener("click", () => navigator.clipboard?.writeText(data.next));
  const warnings = (data.warnings || []).map((w) => "⚠ " + w);
  showMessages("ok", `Saved ${data.path}`, warnings, next);
  loadFileList();
}

// ---------- keys and clicks ----------

function onKey(event) {
  const target = event.target;
  const typing = target.matches("input, textarea, select");
  if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "s") {
    event.preventDefault();
    return savePage();
  }
  if (typing) {
    if (event.key === "Escape") target.blur();
    if (target.id === "paste-text" && event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      prelabelText(target.value);
    }
    return;
  }
  if ($("#editor").hidden || !state.rows.length) return;
  if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "z") {
    event.preventDefault();
    return undo();
  }
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const key = event.key;
  const lower = key.length === 1 ? key.toLowerCase() : key;
  const handled = {
    j: () => move(1, event.shiftKey), ArrowDown: () => move(1, event.shiftKey),
    k: () => move(-1, event.shiftKey), ArrowUp: () => move(-1, event.shiftKey),
    PageDown: () => { for (let n = 0; n < 10; n++) move(1, event.shiftKey); },
    PageUp: () => { for (let n = 0; n < 10; n++) move(-1, event.shiftKey); },
    g: () => setCursor(nextIndex(event.shiftKey ? state.rows.length : -1, event.shiftKey ? -1 : 1, () => true), false),
    Home: () => setCursor(nextIndex(-1, 1, () => true), false),
    End: () => setCursor(nextIndex(state.rows.length, -1, () => true), false),
    u: () => jumpUnsure(event.shiftKey ? -1 : 1),
    z: () => undo(),
    Escape: () => setCursor(state.cursor, false),
  }[lower];
  if (handled) {
    event.preventDefault();
    return handled();
  }
  if (lower.length === 1 && LABELS.includes(lower.toUpperCase())) {
    event.preventDefault();
    setLabel(lower.toUpperCase(), true);
  }
}

function onLineClick(event) {
  const div = event.target.closest(".line");
  if (!div || div.classList.contains("blank")) return;
  if (event.shiftKey) event.preventDefault();  // no text selection on shift-click
  setCursor(Number(div.dataset.i), event.shiftKey);
  $("#lines").focus({preventScroll: true});
}

function readFile(file) {
  const reader = new FileReader();
  reader.onload = () => {
    const text = reader.result;
    if (/\.tsv$/i.test(file.name) || text.startsWith("#winnow-labels\t")) {
      openPage({data: text, name: file.name});
    } else {
      $("#paste-text").value = text;
      prelabelText(text);
    }
  };
  reader.onerror = () => showMessages("error", `Cannot read ${file.name}`, [String(reader.error)]);
  reader.readAsText(file, "utf-8");
}

function init() {
  document.addEventListener("keydown", onKey);
  $("#lines").addEventListener("mousedown", (e) => { if (e.shiftKey) e.preventDefault(); });
  $("#lines").addEventListener("click", onLineClick);
  $("#prelabel-btn").addEventListener("click", () => prelabelText($("#paste-text").value));
  $("#file-input").addEventListener("change", (e) => { if (e.target.files[0]) readFile(e.target.files[0]); });
  $("#open-btn").addEventListener("click", () => {
    const path = $("#existing").value;
    if (path) openPage({path}); else showMessages("error", "Pick a page of the labels folder first.");
  });
  $("#existing").addEventListener("change", (e) => { if (e.target.value) openPage({path: e.target.value}); });
  for (const button of document.querySelectorAll("button.set")) {
    button.addEventListener("click", () => { setLabel(button.dataset.label, false); $("#lines").focus(); });
  }
  $("#meta").addEventListener("submit", (e) => { e.preventDefault(); savePage(); });
  $("#f-site").addEventListener("input", refreshId);
  $("#f-lang").addEventListener("input", updatePath);
  $("#f-id").addEventListener("input", () => { state.idEdited = $("#f-id").value.trim() !== ""; updatePath(); });
  $("#f-url").addEventListener("change", () => {
    try {
      if (!$("#f-site").value.trim()) { $("#f-site").value = new URL($("#f-url").value).hostname; refreshId(); }
    } catch (e) { /* not a URL yet */ }
  });
  window.addEventListener("beforeunload", (e) => { if (state.dirty) { e.preventDefault(); e.returnValue = ""; } });
  loadFileList();
}

init();
