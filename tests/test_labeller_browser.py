"""The labelling tool driven as a person would, in headless Chromium (Playwright).

The server runs in a thread on a free loopback port with a temporary labels folder; each test
types and clicks in a fresh browser page, then reads what was written to disk.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from winnow.cli import main
from winnow.labels import format_page, make_page, parse_page, write_page
from winnow.lines import split_lines

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="/usr/bin/chromium is absent: run `make browser`"
    ),
]

PAGE = (
    "Skip to main content\n"  # 1
    "Home › Local › Waterfront\n"  # 2
    "\n"  # 3
    "Harbor council approves new ferry timetable after two-year dispute\n"  # 4
    "By Priya Okafor, Staff Writer\n"  # 5
    "The council voted 7–2 on Tuesday evening to adopt the timetable for the harbor ferries.\n"
    "   \n"  # 7: whitespace only
    "Riders can comment on the plan until May 1, the ferry authority said in a statement.\n"
    "Share on Facebook  Share on X  Email\n"  # 9
    "38 comments\n"  # 10
    "© 2024 Millbrook Ledger Media LLC. All rights reserved. Privacy · Terms\n"  # 11
)


@pytest.fixture(scope="module")
def server(tmp_path_factory, model):
    from werkzeug.serving import make_server

    from winnow.serve.labeller import create_app

    labels = tmp_path_factory.mktemp("labels")
    app = create_app({"LABELS_DIR": labels, "TESTING": True}, model=model)
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}/", labels
    httpd.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda err: errors.append(str(err)))
    tab.goto(server[0])
    yield tab
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"


def _prelabel(page, text: str) -> None:
    page.fill("#paste-text", text)
    page.click("#prelabel-btn")
    page.wait_for_selector("#lines .line")


def _row(page, number: int):
    return page.locator(f'#lines .line[data-i="{number - 1}"]')


def _badges(page) -> list[str]:
    return page.locator("#lines .line").evaluate_all(
        "rows => rows.map(r => r.classList.contains('blank') ? '' : "
        "r.querySelector('.badge').textContent)"
    )


def _fill_header(page, site: str, page_id: str | None = None) -> None:
    page.fill("#f-site", site)
    if page_id is not None:  # else the tool suggests one from the site
        page.fill("#f-id", page_id)


def _expected_labels() -> list[str]:
    return ["N", "N", "", "T", "M", "B", "B", "B", "S", "S", "X"]


def _label_by_keyboard_and_mouse(page) -> None:
    page.keyboard.press("g")  # first line
    page.keyboard.press("n")  # line 1 N, cursor moves on
    page.keyboard.press("a")  # a mistake on line 2 …
    page.keyboard.press("z")  # … undone: cursor back on line 2
    page.keyboard.press("n")  # line 2 N, then the blank line 3 is skipped
    for key in "tmbb":  # 4 T, 5 M, 6 B, (7 blank) 8 B
        page.keyboard.press(key)
    _row(page, 9).click()  # a range by mouse: click, shift-click, click the label
    _row(page, 10).click(modifiers=["Shift"])
    page.click('button.set[data-label="S"]')
    _row(page, 11).click()
    page.keyboard.press("k")  # up to 10, then a range by keyboard: 10..11
    page.keyboard.press("Shift+J")
    page.keyboard.press("x")  # both X …
    page.keyboard.press("k")  # … then line 10 back to S
    page.keyboard.press("Escape")
    page.keyboard.press("s")


def test_label_by_keyboard_and_mouse_then_save_a_valid_page(page, server):
    from playwright.sync_api import expect

    _, labels = server
    _prelabel(page, PAGE)
    lines = split_lines(PAGE)
    assert page.locator("#lines .line").count() == len(lines)
    assert page.locator("#lines .line.blank").count() == 2  # the empty and the spaces-only line
    expect(page.locator("#f-lang")).to_have_value("en")
    _label_by_keyboard_and_mouse(page)
    want = _expected_labels()
    assert _badges(page) == [*want[:6], "", *want[7:]]  # line 7 (spaces) is not labelled by hand

    _fill_header(page, "millbrook-ledger.example")
    page_id = "millbrook-ledger-1"
    expect(page.locator("#f-id")).to_have_value(page_id)
    expect(page.locator("#target-path")).to_have_text(f"en/millbrook-ledger.example/{page_id}.tsv")
    page.click("#save-btn")
    expect(page.locator(".msg.ok")).to_contain_text("Saved en/millbrook-ledger.example/")
    expect(page.locator(".msg.ok .cmd")).to_have_text(f'make train CORPORA="data/labels {labels}"')

    path = labels / "en" / "millbrook-ledger.example" / f"{page_id}.tsv"
    raw = path.read_bytes()
    saved, problems = parse_page(raw, str(path))
    assert problems == [] and format_page(saved) == raw
    assert list(saved.lines) == lines
    assert list(saved.labels) == want  # the spaces-only line 7 took its neighbour's B
    assert (saved.site, saved.lang, saved.id) == ("millbrook-ledger.example", "en", page_id)
    assert main(["labels", "check", str(path)]) == 0


def test_an_existing_page_is_only_replaced_when_overwrite_is_ticked(page, server):
    from playwright.sync_api import expect

    _, labels = server
    _prelabel(page, PAGE)
    _fill_header(page, "overwrite.example", "overwrite-1")
    page.click("#save-btn")
    expect(page.locator(".msg.ok")).to_be_visible()
    path = labels / "en" / "overwrite.example" / "overwrite-1.tsv"
    before = path.read_bytes()

    _row(page, 1).click()
    page.keyboard.press("b")
    page.click("#save-btn")
    expect(page.locator(".msg.error")).to_contain_text("exists")
    expect(page.locator(".msg.error")).to_contain_text("overwrite")
    assert path.read_bytes() == before

    page.check("#f-overwrite")
    page.click("#save-btn")
    expect(page.locator(".msg.ok")).to_be_visible()
    assert parse_page(path.read_bytes())[0].labels[0] == "B"


def test_errors_are_listed_and_nothing_is_written(page, server):
    from playwright.sync_api import expect

    _, labels = server
    _prelabel(page, PAGE)
    page.fill("#f-site", "bad/site")
    page.fill("#f-lang", "English")
    page.fill("#f-id", "errors-1")
    page.click("#save-btn")
    error = page.locator(".msg.error")
    expect(error).to_contain_text("Not saved")
    expect(error).to_contain_text("site 'bad/site'")
    assert not list(labels.rglob("errors-1.tsv"))

    page.fill("#f-site", "errors.example")
    page.click("#save-btn")
    expect(error).to_contain_text("ISO 639-1")
    assert not list(labels.rglob("errors-1.tsv"))

    page.locator("#load summary").click()
    page.fill("#paste-text", "   ")  # an empty page cannot be pre-labelled
    page.click("#prelabel-btn")
    expect(error).to_contain_text("empty")


def test_a_page_of_the_labels_folder_opens_with_its_own_labels(page, server):
    from playwright.sync_api import expect

    url, labels = server
    lines = split_lines(PAGE)
    want = [
        "X" if w == "" and line else w for w, line in zip(_expected_labels(), lines, strict=True)
    ]
    header = {"id": "opened-1", "site": "opened.example", "lang": "en", "note": "from a test"}
    write_page(make_page(lines, want, header=header), labels / "en/opened.example/opened-1.tsv")
    page.goto(url)  # the folder list is read when the page loads
    page.select_option("#existing", "en/opened.example/opened-1.tsv")
    expect(page.locator(".msg.info")).to_contain_text("Opened en/opened.example/opened-1.tsv")
    assert [b for b in _badges(page) if b] == [
        w for w, line in zip(want, lines, strict=True) if line.strip()
    ]
    expect(page.locator("#f-note")).to_have_value("from a test")
    expect(page.locator("#target-path")).to_have_text("en/opened.example/opened-1.tsv")

    page.keyboard.press("u")  # the jump to an unsure line never lands on a blank row
    assert "blank" not in (page.locator("#lines .line.cursor").get_attribute("class") or "")


def test_raw_and_labelled_files_open_from_disk(page, tmp_path):
    from playwright.sync_api import expect

    raw = tmp_path / "page.txt"
    raw.write_text(PAGE, encoding="utf-8")
    page.set_input_files("#file-input", str(raw))
    expect(page.locator("#lines .line")).to_have_count(len(split_lines(PAGE)))
    expect(page.locator(".msg.info")).to_contain_text("Pre-labelled by")
    expect(page.locator("#f-lang")).to_have_value("en")

    lines = split_lines(PAGE)
    want = ["X" if not w and line else w for w, line in zip(_expected_labels(), lines, strict=True)]
    header = {"id": "upload-1", "site": "upload.example", "lang": "de"}
    labelled = tmp_path / "upload-1.tsv"
    labelled.write_bytes(format_page(make_page(lines, want, header=header)))
    page.locator("#load summary").click()
    page.set_input_files("#file-input", str(labelled))
    expect(page.locator(".msg.info")).to_contain_text("Opened upload-1.tsv")
    expect(page.locator("#f-lang")).to_have_value("de")  # the file's header, not a guess
    assert [b for b in _badges(page) if b] == [
        w for w, x in zip(want, lines, strict=True) if x.strip()
    ]
