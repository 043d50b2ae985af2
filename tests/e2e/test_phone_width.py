"""Phones (USERS.md, issue 15 point 2): every staff page is usable at 390 px without scrolling sideways, and
still reads well at 1366x768.

Each role (a clerk, a head, a town scorer, an auditor, an admin, a designer) signs in once; the test walks
every page its top bar and home page open, and the pages those open in turn (a queue, a task, an instance,
a campaign's dashboard and its list of applicants, the roster and an officer, the admin's lists and forms,
a definition, a draft), one page per route. On each page, at 390x844 and at 1366x768: the page is no wider
than the screen, and no text is squeezed into a column narrower than two and a half characters (the
one-character-per-line columns the issue found). Screenshots: 15-phone-*.png and 15-desktop-*.png.

The top bar held every link on one line: on English pages, whose labels are longer, the sub-bureau's home
page was 588 px wide (test_the_main_pages_fit_a_phone_in_both_languages)."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, ViewportSize

from service.context import ServiceContext
from service.scheduler import run_once as fire_due_timers
from tests.api.appraisal_steps import seed
from tests.api.clean_form_steps import birth_for_age
from tests.api.recruitment_steps import applicant, approve_plan, complete, publish, start_recruitment
from tests.conftest import User
from tests.e2e.conftest import Pages, login, shot
from workflows.ports import ManualClock

CHINA = ZoneInfo("Asia/Shanghai")
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1366, "height": 768}
ROLES = ("bureau", "bureau_head", "gushan_station", "auditor", "admin", "designer")
# Files, not pages (Excel, models), and what is not the app's own page.
NOT_A_PAGE = re.compile(r"\.(xlsx|bpmn|dmn|form|json|csv|png|svg)$|/export|/vendor/|/static/|/api/|/logout")
MAX_PAGES = 32  # per role: a route is visited once (/tasks/12 and /tasks/13 are one route)
MAX_DEPTH = 3  # home and the top bar's pages are 0; a queue's task 2; a task's instance 3
SHOTS = {  # route -> screenshot name, for the pages a reviewer looks at first
    "/": "home",
    "/queues/*": "queue",
    "/tasks/*": "task",
    "/instances/*": "instance",
    "/dashboards/campaigns": "campaigns",
    "/dashboards/campaigns/*": "campaign",
    "/dashboards/campaigns/*/applications": "applications",
    "/dashboards/appraisal": "appraisal",
    "/officers": "roster",
    "/audit": "audit",
    "/admin/users": "admin-users",
    "/admin/register": "admin-register",
    "/definitions": "definitions",
    "/definitions/drafts/*": "draft",
}

# What a person would call broken on a phone: the page wider than the screen; a visible element (outside
# diagrams) holding more than two Chinese characters of its own text in less than 2.5 characters' width.
LAYOUT_PROBLEMS = """() => {
  const problems = [];
  const width = document.documentElement.scrollWidth, screen = window.innerWidth;
  if (width > screen) problems.push(`page ${width}px wide on a ${screen}px screen`);
  const cjk = /[\\u3400-\\u9fff]/g;
  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest('svg, .djs-container, script, style, template')) continue;
    let own = '';
    for (const node of el.childNodes) if (node.nodeType === 3) own += node.textContent;
    const count = (own.match(cjk) || []).length;
    if (count <= 2) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden') continue;
    const size = parseFloat(style.fontSize) || 16;
    if (box.width < 2.5 * size) {
      const tag = el.tagName.toLowerCase();
      problems.push(`"${own.trim().slice(0, 20)}" in a ${Math.round(box.width)}px wide <${tag}>`);
    }
  }
  const NOT_FIELDS = ['checkbox', 'radio', 'hidden', 'submit', 'button'];
  if (screen <= 640) {
    // A thumb's controls: buttons 44 px high; a form's fields (outside tables) the width of the column.
    for (const el of document.querySelectorAll('main button, main input, main select, main textarea')) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0 || getComputedStyle(el).visibility === 'hidden') continue;
      const type = (el.getAttribute('type') || '').toLowerCase();
      const name = el.id || el.name || el.textContent.trim().slice(0, 12);
      if ((el.tagName === 'BUTTON' || ['submit', 'button'].includes(type)) && box.height < 43.5) {
        problems.push(`button "${name}" ${Math.round(box.height)}px high`);
      } else if (el.tagName !== 'BUTTON' && !NOT_FIELDS.includes(type) && el.closest('form')
                 && !el.closest('td, th, .inline') && box.width < 250) {
        problems.push(`field "${name}" ${Math.round(box.width)}px wide`);
      }
    }
  }
  return problems;
}"""

# The queue on a phone: one card per task, its heading (the task) across the card; on a desktop a table.
QUEUE_LAYOUT = """() => {
  const title = document.querySelector('#tasks tbody td.card-title');
  const head = document.querySelector('#tasks thead');
  return {title: title ? Math.round(title.getBoundingClientRect().width) : 0,
          header: head ? getComputedStyle(head).display : null};
}"""


def route_of(path: str) -> str:
    """/tasks/12 and /tasks/13 are one route; so are /queues/police_bureau and /queues/town_gov:gushan."""
    parts = urlsplit(path).path.rstrip("/").split("/") or [""]
    shape = [
        parts[0],
        *(p if i == 0 or not re.search(r"\d|_|:|\.", p) else "*" for i, p in enumerate(parts[1:])),
    ]
    route = "/".join(shape) or "/"
    if route.startswith("/queues/"):
        return "/queues/*"
    return route


def links_on(page: Page, within: str) -> list[str]:
    hrefs: list[str] = page.eval_on_selector_all(
        within,
        "links => links.filter(a => a.origin === location.origin && !a.hasAttribute('download'))"
        ".map(a => a.pathname + a.search)",
    )
    return [h for h in hrefs if not NOT_A_PAGE.search(urlsplit(h).path)]


def check(page: Page, username: str, route: str, problems: dict[str, list[str]]) -> None:
    """This page (loaded at a phone's size) at 390x844, then at 1366x768; screenshots of the main pages."""
    name = SHOTS.get(route)
    for viewport, kind in ((PHONE, "phone"), (DESKTOP, "desktop")):
        page.set_viewport_size(viewport)
        found = page.evaluate(LAYOUT_PROBLEMS)
        if route == "/queues/*" and page.locator("#tasks tbody tr").count():
            layout = page.evaluate(QUEUE_LAYOUT)
            if kind == "phone" and (layout["title"] < 150 or layout["header"] != "none"):
                found.append(f"the queue is not one card per task: {layout}")
            if kind == "desktop" and layout["header"] == "none":
                found.append("the queue is not a table on a desktop")
        if route == "/instances/*" and kind == "phone" and page.locator("#diagram").count():
            page.wait_for_selector("#diagram[data-ready=true]")
            pans = page.evaluate(
                "() => { const d = document.querySelector('#diagram');"
                " return [d.clientWidth, d.scrollWidth, getComputedStyle(d).overflowX]; }"
            )
            if not (pans[0] <= PHONE["width"] and pans[1] > pans[0] and pans[2] == "auto"):
                found.append(f"the diagram does not pan in its box (width, drawn width, overflow): {pans}")
        if found:
            problems[f"{username} {kind} {page.url}"] = found[:5]
        if name and name not in shots_taken:
            shot(page, f"15-{kind}-{name}")
    if name:
        shots_taken.add(name)


shots_taken: set[str] = set()  # one screenshot per main page and size (the first role to see it)


def walk(page: Page, username: str, problems: dict[str, list[str]]) -> list[str]:
    """Every route this person reaches from the top bar and the home page, breadth first; the routes."""
    queue: list[tuple[str, int]] = [("/", 0)]
    seen: set[str] = {"/"}
    visited: list[str] = []
    while queue and len(visited) < MAX_PAGES:
        path, depth = queue.pop(0)
        page.set_viewport_size(PHONE)  # loaded as a phone loads it (the diagram is drawn for its box)
        response = page.goto(path)
        assert response is not None and response.status < 400, (
            f"{username} {path}: {response and response.status}"
        )
        route = route_of(path)
        visited.append(route)
        check(page, username, route, problems)
        if depth >= MAX_DEPTH:
            continue
        found = links_on(page, "header.top nav a") if depth == 0 else []
        found += links_on(page, "main a")
        for href in found:
            if route_of(href) not in seen:
                seen.add(route_of(href))
                queue.append((href, depth + 1))
    return visited


@pytest.fixture
def month(users: dict[str, User], ctx: ServiceContext, clock: ManualClock) -> None:
    """A campaign at vetting (two applicants scored, the first waiting for the bureau's vetting) and the
    month's scoring started in every town."""
    bureau = users["bureau"]
    recruitment = start_recruitment(bureau)
    approve_plan(users)
    today = clock.now().astimezone(CHINA).date()
    publish(bureau, today)
    data = bureau.get(f"/api/v1/instances/{recruitment['id']}")["data"]
    apply_url = f"/api/v1/campaigns/{data['campaign']['campaign_id']}/applications"
    ids = [
        bureau.post(apply_url, applicant(n, "gs-v04", birth_for_age(today, 25)), expect=201)["id"]
        for n in (1, 2)
    ]
    clock.advance(timedelta(days=11))
    assert fire_due_timers(ctx) == 1
    scores = [{"application_id": ids[0], "score": 95.0}, {"application_id": ids[1], "score": 70.0}]
    complete(bureau, "police_bureau", "enter_exam_scores", {"scores": scores})
    seed(ctx)
    users["bureau_head"].post("/api/v1/appraisals/months", {"month": "2026-11"}, expect=201)


def test_every_page_of_every_role_fits_a_phone_and_a_desktop(pages: Pages, month: None) -> None:
    problems: dict[str, list[str]] = {}
    routes: dict[str, list[str]] = {}
    shots_taken.clear()
    for username in ROLES:
        page = pages.new()
        login(page, username)
        routes[username] = walk(page, username, problems)
        page.context.close()
        pages.contexts.remove(page.context)
    # The walk reached what each person works with (so a missing link cannot make the test pass).
    expected = {
        "bureau": {"/", "/queues/*", "/tasks/*", "/instances/*", "/dashboards/campaigns/*", "/officers"},
        "bureau_head": {"/", "/queues/*", "/tasks/*", "/dashboards/appraisal"},
        "gushan_station": {"/", "/queues/*", "/tasks/*"},
        "auditor": {"/", "/audit"},
        "admin": {"/", "/admin", "/admin/users", "/admin/departments", "/admin/register"},
        "designer": {"/", "/definitions", "/definitions/*"},
    }
    for username, wanted in expected.items():
        assert wanted <= set(routes[username]), (username, sorted(wanted - set(routes[username])))
    listing = "\n".join(f"{where}: {found}" for where, found in problems.items())
    assert not problems, f"pages that do not fit:\n{listing}\n(routes walked: {routes})"


@pytest.mark.parametrize("username", ["bureau", "auditor", "gushan_station"])
def test_the_main_pages_fit_a_phone_in_both_languages(pages: Pages, username: str) -> None:
    page = pages.new()
    page.set_viewport_size(PHONE)
    login(page, username)
    for lang in ("zh", "en"):
        if lang == "en":
            page.click("#switch-language")
            page.wait_for_selector("html[lang=en]")
        links = page.eval_on_selector_all("header.top nav a", "links => links.map(a => a.pathname)")
        for path in ("/", *links):
            page.goto(path)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"{username} {lang} {path}: {width}px wide"
        shot(page, f"phone-home-{username}-{lang}")
