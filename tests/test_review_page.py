"""The review page of `mt serve` (GET /) in a real browser: Debian's chromium driven by Playwright.

A real `mt serve` with the tiny model and a small character limit answers; the page is used as an
editor would: paste the sample article, read the pairs, hover and tab to a repair, copy the
English, open a record of an `mt batch` output file, and read the errors. Screenshots (desktop
1280 px and phone 390 px wide) go to tests/artifacts/. Skips when chromium or Playwright is absent.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

sync_api = pytest.importorskip("playwright.sync_api")
httpx = pytest.importorskip("httpx")
expect = sync_api.expect
from test_serve import start_server, stop  # noqa: E402 - the serve tests' helper: a real uvicorn process

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
if not CHROMIUM:
    pytest.skip("chromium is not installed (apt-get install chromium chromium-driver)", allow_module_level=True)

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
# Headless as root, and nothing that reaches for the (closed) network.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
MAX_CHARS = 3000  # the sample article fits, two of it do not
HIGHLIGHT = "rgb(255, 246, 214)"  # --pair in style.css: a sentence and its pair under the pointer or focus


@pytest.fixture(scope="module")
def server(tiny_model):
    s = start_server(tiny_model, "--max-chars", str(MAX_CHARS))
    yield s
    stop(s)


@pytest.fixture(scope="module")
def browser():
    pw = sync_api.sync_playwright().start()
    try:
        # Playwright gives every browser a fresh temporary profile (--user-data-dir) of its own
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    except Exception as exc:  # noqa: BLE001 - a chromium Playwright cannot drive: skip, say why
        pw.stop()
        pytest.skip(f"cannot start {CHROMIUM} with Playwright: {exc}")
    yield b
    b.close()
    pw.stop()


@pytest.fixture()
def page(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.goto(server.url + "/")
    pg.wait_for_selector("#service-status[data-state=ready]")
    yield pg
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture(scope="module")
def reference(server, example_text):
    """What the service answers for the sample article: the record the page must show."""
    with server.client() as c:
        r = c.post("/v1/articles", json={"uri": "ref", "body": example_text})
    assert r.status_code == 200, r.text
    return r.json()


def translate(pg, text: str) -> None:
    pg.fill("#article", text)
    pg.click("#translate")
    pg.wait_for_selector(".pair, #error:not([hidden])")


def no_horizontal_scroll(pg) -> bool:
    return pg.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_article_sentence_by_sentence_with_repairs_and_copy(page, reference, example_text):
    translate(page, example_text)
    sentences = reference["translation"]["sentences"]
    pairs = page.locator("#pairs > .pair")
    assert pairs.count() == len(sentences) > 5
    for i, s in enumerate(sentences):
        ar, en = pairs.nth(i).locator(".ar"), pairs.nth(i).locator(".en .en-text")
        assert ar.get_attribute("dir") == "rtl" and ar.get_attribute("lang") == "ar"
        assert ar.inner_text().strip() == s["repaired"]
        assert en.inner_text().strip() == s["translation"].strip()
        # one grid row per pair: the Arabic and its English start on the same line
        assert abs(ar.bounding_box()["y"] - pairs.nth(i).locator(".en").bounding_box()["y"]) < 2

    # the sample article's merged words are repaired, marked, and explained on hover
    mark = page.locator("#pairs mark.repair", has_text="المتحدة الأمريكية").first
    assert mark.count() == 1
    mark.hover()
    tip = page.locator("#" + mark.get_attribute("aria-describedby"))
    assert tip.is_visible()
    assert "merged-word" in tip.inner_text() and "المتحدةالأمريكية" in tip.inner_text()
    box = tip.bounding_box()
    assert 0 <= box["x"] and box["x"] + box["width"] <= 1280, "the tip must stay inside the window"

    # hovering a sentence on one side lights up its pair on the other
    second = pairs.nth(1)
    second.locator(".ar").hover()
    expect(second.locator(".en")).to_have_css("background-color", HIGHLIGHT)
    expect(pairs.nth(2).locator(".en")).not_to_have_css("background-color", HIGHLIGHT)

    # the English as a whole article, on the clipboard
    page.click("#copy")
    page.wait_for_selector("#copy-status:has-text('copied')")
    assert page.evaluate("navigator.clipboard.readText()") == reference["translation"]["body"]

    ARTIFACTS.mkdir(exist_ok=True)
    mark.hover()
    page.screenshot(path=str(ARTIFACTS / "review-desktop.png"), full_page=True)


def test_keyboard_reaches_sentences_and_repairs_with_visible_focus(page, example_text):
    translate(page, example_text)
    page.focus("#copy")
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('mark.repair')"):
            break
    else:
        pytest.fail("Tab never reached a repair mark")
    focused = page.locator("mark.repair:focus")
    tip = page.locator("#" + focused.get_attribute("aria-describedby"))
    assert tip.is_visible() and "Before" in tip.inner_text()
    assert focused.evaluate("e => getComputedStyle(e).outlineStyle") != "none"
    # the focused sentence's pair is lit too
    pair = page.locator(".pair:focus-within")
    expect(pair.locator(".en")).to_have_css("background-color", HIGHLIGHT)
    page.keyboard.press("Escape")
    assert not tip.is_visible()
    # sentence cells are in the tab order themselves, with a visible focus ring
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.classList.contains('ar')")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"


@pytest.mark.parametrize("width", [390, 640])  # a phone; a 1280 px laptop at 200 % zoom
def test_narrow_windows_stack_the_columns(browser, server, example_text, width):
    context = browser.new_context(viewport={"width": width, "height": 844}, device_scale_factor=2 if width == 640 else 1)
    try:
        pg = context.new_page()
        pg.goto(server.url + "/")
        pg.wait_for_selector("#service-status[data-state=ready]")
        translate(pg, example_text)
        pair = pg.locator("#pairs > .pair").nth(1)
        ar, en = pair.locator(".ar").bounding_box(), pair.locator(".en").bounding_box()
        assert en["y"] >= ar["y"] + ar["height"] - 1, "English below its Arabic on a narrow window"
        assert no_horizontal_scroll(pg)
        pg.locator("#pairs mark.repair").first.hover()
        tip = pg.locator("#pairs mark.repair .tip:visible").bounding_box()
        assert tip["x"] >= 0 and tip["x"] + tip["width"] <= width
        if width == 390:
            ARTIFACTS.mkdir(exist_ok=True)
            pg.screenshot(path=str(ARTIFACTS / "review-phone.png"), full_page=True)
    finally:
        context.close()


def test_too_long_article_is_explained(page, example_text):
    translate(page, example_text + "\n" + example_text)
    error = page.locator("#error")
    assert error.is_visible()
    text = error.inner_text()
    assert "characters long" in text and f"at most {MAX_CHARS:,} characters" in text
    assert "{" not in text and "error" not in text.lower()
    assert page.locator("#pairs > .pair").count() == 0
    assert not page.locator("#error button").is_visible()  # the same text would fail again
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "review-error.png"))


@pytest.mark.parametrize(
    "status, headers, body, words, retry",
    [
        (503, {"Retry-After": "3"}, {"error": "queue full (256 requests waiting)"}, ["busy", "3 seconds"], True),
        (503, {"Retry-After": "1"}, {"error": "not ready: the model is loading"}, ["still loading", "1 second"], True),
        (429, {"Retry-After": "20"}, {"error": "rate limit exceeded; slow down"}, ["slow down", "20 seconds"], True),
        (413, {}, {"error": "request body is over the limit of 4096 bytes"}, ["too large", "Split"], False),
        (403, {}, {"error": "invalid API key"}, ["does not accept this API key"], False),
        (403, {}, {"error": "an API key is required (api_key field or the X-API-Key header)"}, ["enter yours"], False),
        (500, {}, {"error": "internal error: RuntimeError"}, ["went wrong inside", "Try again"], True),
        (502, {}, "<html>Bad gateway</html>", ["went wrong inside"], True),
        (None, {}, None, ["could not reach"], True),
    ],
)
def test_service_errors_in_plain_words(page, status, headers, body, words, retry):
    def answer(route):
        if status is None:
            route.abort("connectionrefused")
        else:
            route.fulfill(status=status, headers=headers,
                          body=body if isinstance(body, str) else json.dumps(body),
                          content_type="text/html" if isinstance(body, str) else "application/json")

    page.route("**/v1/articles", answer)
    translate(page, "قال الوزير إن المحادثات ستستأنف.")
    text = page.locator("#error").inner_text()
    for w in words:
        assert w in text
    assert "{" not in text and "<html" not in text
    # a button to send the article again where waiting may help
    assert page.locator("#error button", has_text="Try again").is_visible() == retry


def test_api_key_field_when_the_service_needs_one(page):
    info = {"ready": True, "limits": {"max_chars": 100, "api_key_required": True}, "model": {"model": "m"}}
    page.route("**/v1/info", lambda route: route.fulfill(json=info))
    sent: list[str | None] = []

    def answer(route):
        sent.append(route.request.headers.get("x-api-key"))
        route.fulfill(status=403, json={"error": "invalid API key"})

    page.route("**/v1/articles", answer)
    assert not page.locator("#api-key").is_visible()  # the real service needs none
    page.reload()
    page.wait_for_selector("#service-status[data-state=ready]")
    page.fill("#api-key", "k-newsroom")
    translate(page, "قال الوزير إن المحادثات ستستأنف.")
    assert sent == ["k-newsroom"]


def test_batch_output_file_opens_one_record_by_uri(page, reference, tmp_path):
    """An `mt batch` output: the editor picks a record; it is shown from the file, not re-translated."""
    first = dict(reference, uri="urn:newsml:first")
    second = json.loads(json.dumps(reference))
    second["uri"] = "urn:newsml:second"
    for s in second["translation"]["sentences"]:
        s["qa"] = []  # one known flag in this record, whatever the checks said
    flagged = next(i for i, s in enumerate(second["translation"]["sentences"]) if "2013" in s["source"])
    second["translation"]["sentences"][flagged]["qa"] = [
        {"check": "number", "detail": {"missing": ["2013"], "extra": ["2031"], "missing_forms": ["2013"], "extra_forms": ["2031"]}}
    ]
    path = tmp_path / "out.jsonl"
    path.write_text(json.dumps(first, ensure_ascii=False) + "\n" + "{torn line\n" + json.dumps(second, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    posted: list[str] = []
    page.on("request", lambda r: posted.append(r.url) if r.method == "POST" else None)

    page.set_input_files("#file", str(path))
    page.wait_for_selector("#picker:not([hidden])")
    assert "line 2" in page.locator("#picker-info").inner_text()  # the torn line is named, not fatal
    page.fill("#picker-filter", "second")
    assert page.locator("#picker-select option").count() == 1
    page.click("#picker-show")
    page.wait_for_selector(".pair.has-flags")
    assert "urn:newsml:second" in page.locator("#record-uri").inner_text()
    row = page.locator("#pairs > .pair").nth(flagged)
    flag = row.locator(".flag[data-check=number]")
    assert "2013" in flag.inner_text() and "2031" in flag.inner_text()
    assert page.locator(".pair.has-flags").count() == 1
    page.check("#only-flagged")
    assert page.locator("#pairs > .pair:visible").count() == 1
    assert not posted, "a translated record is shown from the file, not sent again"


def test_copy_without_the_clipboard_api(page, reference, tmp_path):
    """On a plain-http address (no Clipboard API) Copy falls back to a selected textarea."""
    path = tmp_path / "record.json"
    path.write_text(json.dumps(reference, ensure_ascii=False), encoding="utf-8")
    page.set_input_files("#file", str(path))
    page.wait_for_selector(".pair")
    page.evaluate("""() => {
        Object.defineProperty(navigator, "clipboard", { value: undefined });
        document.addEventListener("copy", () => { window.copied = document.activeElement.value; });
    }""")
    page.click("#copy")
    page.wait_for_selector("#copy-status:has-text('copied')")
    assert page.evaluate("window.copied") == reference["translation"]["body"]
    assert page.locator("textarea.offscreen").count() == 0


def test_served_article_shows_qa_flags(page, server, example_text):
    """With the QA checks in the service, the random tiny model's output gets flagged."""
    with server.client() as c:
        if not c.get("/v1/info").json().get("qa"):
            pytest.skip("this service runs without QA checks (mt.qa)")
    translate(page, example_text)
    flags = page.locator(".pair.has-flags .flag")
    assert flags.count() > 0
    assert flags.first.locator(".flag-name").inner_text().strip()
    assert "{" not in flags.first.inner_text()


REPAIRS = "هذا  نص\u200b تجريبي مع ﻻ شكل ، و(اختبار ) في الولايات المتحدةالأمريكية عام2013 ."


def test_repairs_marked_from_edits_and_from_the_text_alone(page):
    """Sentences with ``edits`` (Sentence.to_dict()) are marked with their rules; records without
    them (the batch output) get the same marks from the difference between source and repaired."""
    from mt.preprocess import preprocess

    (sentence,) = [s.to_dict() for s in preprocess(REPAIRS).sentences]
    rules = {e["rule"] for e in sentence["edits"]}
    assert {"invisible-mark", "presentation-form", "merged-word", "merged-number", "whitespace"} <= rules
    regions = page.evaluate("s => window.newswireReview.repairRegions(s)", sentence)
    bare = page.evaluate("s => window.newswireReview.repairRegions(s)", {**sentence, "edits": None})
    shown = {g["after"]: g["rules"] for g in regions}
    assert shown["المتحدة الأمريكية"] == ["merged-word"]
    assert shown["عام 2013."] == ["merged-number", "space-before-punct"]
    assert shown["لا"] == ["presentation-form"]
    assert shown["نص"] == ["invisible-mark"]
    assert not any(g["rules"] == ["whitespace"] for g in regions), "a collapsed double space is not worth a mark"
    # without edits: the same places, the rule guessed where the text shows it
    assert [(g["before"], g["after"]) for g in bare] == [(g["before"], g["after"]) for g in regions]
    guessed = {g["after"]: g["rules"] for g in bare}
    assert guessed["المتحدة الأمريكية"] == ["merged-word"]
    assert guessed["عام 2013."][0] == "merged-number"
