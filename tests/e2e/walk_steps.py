"""What every browser walk of issue 11 does on each page: one signed-in browser per role, kept for the walk;
a screenshot of the page in Chinese and in English (`<walk>-<step>-zh.png` / `-en.png`); and a check that
no raw code (department, process, step, username, village, state) shows in the page's visible text."""

from __future__ import annotations

import re
from collections.abc import Iterable

from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from service.context import ServiceContext
from service.persistence.models import VillageModel
from tests.api.recruitment_steps import SMALL_PDF
from tests.e2e.conftest import Pages, login, shot
from tests.web_units.visible_text import CODES, codes_in

# The codes of tests/web_units/visible_text.py (departments, processes, usernames, villages), plus the
# steps' and the task states' codes, which the walks' pages could show in place of their labels.
STEP_CODES = (
    "draft_plan",
    "review_plan",
    "confirm_funding",
    "publish_announcement",
    "enter_exam_scores",
    "vet_candidate",
    "sign_contract",
    "station_score",
    "town_score",
    "station_escalation",
    "town_escalation",
    "veto_decision",
    "confirm_grade",
)
STATE_CODES = ("open", "claimed", "completed")
WALK_CODES = (*CODES, *STEP_CODES, *STATE_CODES)


def raw_codes(text: str, lang: str) -> list[str]:
    """The codes in ``text``, the visible text of a page in ``lang``, each with the words around it."""
    found = []
    for code in codes_in(text, lang, WALK_CODES):
        at = text.find(code)
        around = text[max(at - 20, 0) : at + len(code) + 20].replace("\n", " ")
        found.append(f"{code!r} in “{around}”")
    return found


# On an English page, Chinese punctuation after an English word is the template's, not the data's
# ("Status：", "Completed（"): English pages use English punctuation (issue 11, point 4).
CHINESE_PUNCTUATION_AFTER_ENGLISH = re.compile(r"[A-Za-z][A-Za-z ]{0,3}[：（）；，。]")


# What the person reads: the page's text and, on an instance page, the diagram's labels (SVG text).
VISIBLE_TEXT = """() => [document.body.innerText,
    ...Array.from(document.querySelectorAll('#diagram svg text'), t => t.textContent)].join('\\n')"""


def settle(page: Page) -> str | None:
    """Wait for what the page draws after loading, the process diagram (bpmn-js) of an instance page; what
    went wrong when it was not drawn."""
    holder = page.locator("#diagram")
    if not holder.count():
        return None
    try:
        page.wait_for_function(
            "() => { const d = document.querySelector('#diagram');"
            " return d.dataset.ready === 'true' || d.textContent.trim() !== ''; }",
            timeout=5_000,
        )
    except PlaywrightTimeoutError:
        return "the diagram was not drawn within 5 s (its script blocked or failed)"
    if holder.get_attribute("data-ready") == "true":
        return None
    return f"the diagram was not drawn: {holder.inner_text()}"


def diagram_labels(page: Page) -> list[str]:
    """The labels drawn on the instance page's diagram (lanes, tasks, events), once it is drawn."""
    expect(page.locator("#diagram")).to_have_attribute("data-ready", "true", timeout=10_000)
    labels = page.evaluate("Array.from(document.querySelectorAll('#diagram svg text'), t => t.textContent)")
    return [" ".join(label.split()) for label in labels]


def codes_on(page: Page, lang: str) -> list[str]:
    """The raw codes in the visible text of ``page``, as ``lang`` renders it, and on an English page any
    Chinese punctuation after an English word."""
    text = page.evaluate(VISIBLE_TEXT)
    found = raw_codes(text, lang)
    if lang == "en":
        found += [
            f"Chinese punctuation in “{m.group()}”" for m in CHINESE_PUNCTUATION_AFTER_ENGLISH.finditer(text)
        ]
    return found


def switch_language(page: Page, to: str) -> None:
    page.click("#switch-language")
    expect(page.locator("html")).to_have_attribute("lang", to)


class Walk:
    """One walk (`recruitment`, `appraisal`): a browser per role, logged in once, and its pages' shots."""

    def __init__(self, pages: Pages, name: str) -> None:
        self.pages, self.name = pages, name
        self.sessions: dict[str, Page] = {}
        # What each page shows wrongly (codes, Chinese punctuation in English, an undrawn diagram) is
        # collected and asserted at the end, so that one run lists every page's problems.
        self.problems: dict[str, list[str]] = {}

    def as_user(self, username: str) -> Page:
        """The browser of ``username``, signed in the first time it is asked for."""
        if username not in self.sessions:
            page = self.pages.new()
            login(page, username)
            self.sessions[username] = page
        return self.sessions[username]

    def sign_in_again(self, username: str) -> Page:
        """After the clock moved days on, the sign-in (12 hours) has expired: the same browser signs in."""
        page = self.sessions[username]
        login(page, username)
        return page

    def visit(self, page: Page, step: str) -> None:
        """The page as it is now, in Chinese then in English, then back: no codes, a screenshot of each."""
        expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
        self._note_codes(page, step, "zh-CN")
        shot(page, f"{self.name}-{step}-zh")
        switch_language(page, "en")
        self._note_codes(page, step, "en")
        shot(page, f"{self.name}-{step}-en")
        switch_language(page, "zh-CN")

    def look(self, page: Page, step: str, lang: str) -> None:
        """The page as it is, in the language it is in (a refused form, which a language switch would
        reload empty): no codes, a screenshot."""
        expect(page.locator("html")).to_have_attribute("lang", lang)
        self._note_codes(page, step, lang)
        shot(page, f"{self.name}-{step}-{'zh' if lang == 'zh-CN' else lang}")

    def _note_codes(self, page: Page, step: str, lang: str) -> None:
        undrawn = settle(page)
        found = codes_on(page, lang) + ([undrawn] if undrawn else [])
        if found:
            self.problems[f"{step} ({lang}, {page.url})"] = found

    def assert_pages_read_well(self) -> None:
        """No page visited showed a raw code or Chinese punctuation in English, and every diagram was
        drawn (issue 11, point 4)."""
        listing = "\n".join(f"{where}: {found}" for where, found in self.problems.items())
        assert not self.problems, (
            f"on the pages (raw codes, Chinese punctuation in English, diagram):\n{listing}"
        )

    def phone(self, page: Page, step: str) -> None:
        """The page at a phone's 390 px: nothing scrolls sideways."""
        page.set_viewport_size({"width": 390, "height": 844})
        try:
            page.reload()
            width = page.evaluate("document.documentElement.scrollWidth")
            shot(page, f"{self.name}-{step}-phone")
            assert width <= 390, f"{page.url} is {width}px wide at 390px"
        finally:
            page.set_viewport_size({"width": 1280, "height": 900})


def queue_row(page: Page, department: str, task_name: str, subject: str | None = None) -> Locator:
    """The queue of ``department``, and the row of the task named ``task_name`` (about ``subject``)."""
    page.goto(f"/queues/{department}")
    rows = page.locator("#tasks tbody tr").filter(has_text=task_name)
    if subject is not None:
        rows = rows.filter(has_text=subject)
    expect(rows).to_have_count(1)
    return rows.first


def open_task(page: Page, department: str, task_name: str, subject: str | None = None) -> str:
    """Open the task from the queue by its name; its id."""
    row = queue_row(page, department, task_name, subject)
    row.locator("a", has_text=task_name).first.click()
    expect(page.locator("h1")).to_contain_text(task_name)
    return task_id_of(page)


def claim_task(page: Page, department: str, task_name: str, subject: str | None = None) -> str:
    """Claim it from the queue: the task opens, with a message saying so."""
    row = queue_row(page, department, task_name, subject)
    row.get_by_role("button", name="认领").click()
    expect(page).to_have_url(re.compile(r"/tasks/[^/]+$"))
    expect(page.locator(".flash")).to_contain_text(f"已认领：{task_name}")
    expect(page.locator("h1")).to_contain_text(task_name)
    return task_id_of(page)


def task_id_of(page: Page) -> str:
    return page.url.split("#")[0].rstrip("/").rsplit("/", 1)[1]


def submit(page: Page, task_name: str) -> None:
    """Complete the task: back on the queue, told which task was completed."""
    page.click("#complete")
    expect(page.locator(".flash").filter(has_text=f"任务已办结：{task_name}")).to_be_visible()


def attach_file(page: Page, name: str = "材料.pdf", content: bytes = SMALL_PDF) -> None:
    """Upload a file in the task page's attachments (a vetting file, a signed contract: the model requires
    one before the task completes, issue 15): listed at once with its name."""
    page.set_input_files(
        "#attach-file", files=[{"name": name, "mimeType": "application/pdf", "buffer": content}]
    )
    page.click("#attach-submit")
    expect(page.locator("#attachment-list")).to_contain_text(name)


def panel(page: Page, name: str) -> Locator:
    """The grounds panel ``name`` beside the form (issue 11, point 2)."""
    section = page.locator(f"#grounds section[data-panel='{name}']")
    expect(section).to_be_visible()
    return section


def expect_texts(locator: Locator, texts: Iterable[str]) -> None:
    for text in texts:
        expect(locator).to_contain_text(text)


def assert_clean_form(page: Page, *textareas: str) -> None:
    """Nothing chosen, nothing ticked, the named text areas empty: the form starts clean."""
    form = page.locator("form.task-form")
    assert form.locator("option[selected]").count() == 0
    for select in form.locator("select").all():
        assert select.input_value() == "", select.get_attribute("name")
    assert form.locator("input[type=checkbox]:checked").count() == 0
    for name in textareas:
        assert page.input_value(f"[name='{name}']") == "", name


def field_error(page: Page, field: str) -> str:
    """The error shown next to ``field`` after a refused submission."""
    error = page.locator(f"#field-{field.replace('.', '-')} .field-error")
    expect(error).to_be_visible()
    return error.inner_text()


def error_page(page: Page, path: str, status: int) -> str:
    """``path`` answers the browser with an HTML page of ``status`` (never the API's JSON); its message."""
    response = page.goto(path)
    assert response is not None and response.status == status, (path, response and response.status)
    assert (response.header_value("content-type") or "").startswith("text/html")
    text = page.locator(".error").inner_text()
    assert "{" not in text and '"code"' not in page.content()
    return text


def village_name(ctx: ServiceContext, code: str) -> str:
    """The village's Chinese name in the register, as the pages should show it."""
    with ctx.database.reading() as session:
        village = session.get(VillageModel, code)
        assert village is not None, code
        return str(village.name_zh)
