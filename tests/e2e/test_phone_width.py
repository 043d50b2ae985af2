"""Phones (USERS.md, issue 15 point 2): every staff page is usable at 390 px without scrolling sideways, and
still reads well at 1366x768.

Each role (a clerk, a head, a town scorer, an auditor, an admin, a designer) signs in once; the test walks
every page its top bar and home page open, and the pages those open in turn (a queue and My work, both one
card per task on a phone; a task, an instance, a campaign's dashboard and its list of applicants, the
roster and an officer, the admin's lists and forms, a definition, the drafts), one page per route. On each
page, at 390x844 and at 1366x768: the page is no wider than the screen, and no text is squeezed into a
column narrower than two and a half characters (the one-character-per-line columns the issue found).
Screenshots: 15-phone-*.png and 15-desktop-*.png.

The top bar once held every link on one line: on English pages, whose labels are longer, the sub-bureau's
home page was 588 px wide; three roles walk their top bar's pages again in English."""

from __future__ import annotations

import re
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from service.context import ServiceContext
from tests.api.appraisal_steps import seed
from tests.api.clean_form_steps import birth_for_age
from tests.api.recruitment_steps import applicant, approve_plan, publish, start_recruitment
from tests.conftest import User
from tests.e2e.conftest import SCREENSHOTS, Pages, login, shot
from workflows.ports import ManualClock

CHINA = ZoneInfo("Asia/Shanghai")
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1366, "height": 768}
ROLES = ("bureau", "bureau_head", "gushan_station", "auditor", "admin", "designer")
IN_ENGLISH = ("bureau", "gushan_station", "auditor")  # the top bar was 588 px wide in English
# Files, not pages (Excel, models), and what is not the app's own page.
NOT_A_PAGE = re.compile(r"\.(xlsx|bpmn|dmn|form|json|csv|png|svg)$|/export|/vendor/|/static/|/api/|/logout")
MAX_PAGES = 32  # per role: a route is visited once (/tasks/12 and /tasks/13 are one route)
MAX_DEPTH = 3  # home and the top bar's pages are 0; a queue's task 2; a task's instance 3
SHOTS = {  # route -> screenshot name, for the pages a reviewer looks at first
    "/": "home",
    "/inbox": "inbox",
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
    // Hidden, or only for screen readers (.visually-hidden: 1 px, clipped).
    const onlyRead = box.width <= 1 || box.height <= 1 || style.clip.startsWith('rect');
    if (style.visibility === 'hidden' || onlyRead) continue;
    const size = parseFloat(style.fontSize) || 16;
    if (box.width < 2.5 * size) {
      const tag = el.tagName.toLowerCase();
      problems.push(`"${own.trim().slice(0, 20)}" in a ${Math.round(box.width)}px wide <${tag}>`);
    }
  }
  const NOT_FIELDS = ['checkbox', 'radio', 'hidden', 'submit', 'button'];
  if (screen <= 640) {
    // A table that scrolls in its own box shows it: a shadow on the edge with more (app.css).
    const boxes = 'main table.grid:not(.stacked), main .grounds-table, main .data-table, main .scroll-box';
    for (const el of document.querySelectorAll(boxes)) {
      if (el.scrollWidth <= el.clientWidth + 1 || el.getBoundingClientRect().width === 0) continue;
      const style = getComputedStyle(el);
      if (!/auto|scroll/.test(style.overflowX) || !style.backgroundImage.includes('radial-gradient')) {
        problems.push(`${el.id || el.className} scrolls without a hint (${style.overflowX})`);
      }
    }
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

# A queue (a department's, or My work's across departments) on a phone: one card per task, its heading (the
# task) across the card; on a desktop a table.
QUEUE_LAYOUT = """(table) => {
  const title = document.querySelector(`${table} tbody td.card-title`);
  const head = document.querySelector(`${table} thead`);
  return {title: title ? Math.round(title.getBoundingClientRect().width) : 0,
          header: head ? getComputedStyle(head).display : null};
}"""
QUEUE_TABLES = {"/queues/*": "#tasks", "/inbox": "#inbox"}  # route -> its list of tasks


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
        table = QUEUE_TABLES.get(route)
        if table and page.locator(f"{table} tbody tr").count():
            layout = page.evaluate(QUEUE_LAYOUT, table)
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
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)  # axe checked the page when it loaded
            page.screenshot(path=str(SCREENSHOTS / f"15-{kind}-{name}.png"), full_page=True)
    if name:
        shots_taken.add(name)


shots_taken: set[str] = set()  # one screenshot per main page and size (the first role to see it)
walked: set[str] = set()  # the routes walked by the roles before
OWN_CONTENT = {"/queues/*", "/tasks/*", "/instances/*"}  # what each role sees differently


def walk(page: Page, username: str, problems: dict[str, list[str]]) -> list[tuple[str, str, int]]:
    """Every route this person reaches from the top bar and the home page, breadth first: each route with
    the path visited for it and its depth."""
    queue: list[tuple[str, int]] = [("/", 0)]
    seen: set[str] = {"/"}
    visited: list[tuple[str, str, int]] = []
    while queue and len(visited) < MAX_PAGES:
        path, depth = queue.pop(0)
        visit(page, username, path, problems)
        visited.append((route_of(path), path, depth))
        if depth >= MAX_DEPTH:
            continue
        found = links_on(page, "header.top nav a, header.top .right a") if depth == 0 else []
        found += links_on(page, "main a")
        for href in found:
            route = route_of(href)
            # A page deeper than the top bar's that another role has walked is the same template: once.
            if route not in seen and (depth == 0 or route in OWN_CONTENT or route not in walked):
                seen.add(route)
                queue.append((href, depth + 1))
    walked.update(route for route, _path, _depth in visited)
    return visited


def visit(page: Page, who: str, path: str, problems: dict[str, list[str]]) -> None:
    page.set_viewport_size(PHONE)  # loaded as a phone loads it (the diagram is drawn for its box)
    response = page.goto(path)
    status = response.status if response else None
    assert status is not None and status < 400, f"{who} {path}: {status}"
    check(page, who, route_of(path), problems)


@pytest.fixture
def month(users: dict[str, User], ctx: ServiceContext, clock: ManualClock) -> None:
    """A campaign taking applications (two so far), another at its plan, and the month's scoring started
    in every town."""
    bureau = users["bureau"]
    recruitment = start_recruitment(bureau)
    approve_plan(users)
    today = clock.now().astimezone(CHINA).date()
    publish(bureau, today)
    data = bureau.get(f"/api/v1/instances/{recruitment['id']}")["data"]
    apply_url = f"/api/v1/campaigns/{data['campaign']['campaign_id']}/applications"
    for n in (1, 2):
        bureau.post(apply_url, applicant(n, "gs-v04", birth_for_age(today, 25)), expect=201)
    start_recruitment(bureau, key="2027-recruitment", name="2027年农村辅警招聘")  # its plan in the queue
    seed(ctx)
    users["bureau_head"].post("/api/v1/appraisals/months", {"month": "2026-11"}, expect=201)


def test_every_page_of_every_role_fits_a_phone_and_a_desktop(pages: Pages, month: None) -> None:
    problems: dict[str, list[str]] = {}
    routes: dict[str, set[str]] = {}
    shots_taken.clear()
    walked.clear()
    for username in ROLES:
        page = pages.new()
        login(page, username)
        nav = links_on(page, "header.top nav a")
        visited = walk(page, username, problems)
        routes[username] = {route for route, _path, _depth in visited}
        if username in IN_ENGLISH:
            # English labels are longer: the top bar's pages and those they open again, in English.
            page.click("#switch-language")
            page.wait_for_selector("html[lang=en]")
            for _route, path, depth in visited:
                if depth == 0 or path in nav:
                    visit(page, f"{username} (en)", path, problems)
        page.context.close()
        pages.contexts.remove(page.context)
    # The walk reached what each person works with (so a missing link cannot make the test pass); a page
    # past the top bar that an earlier role walked is not walked again.
    expected = {
        "bureau": {"/", "/queues/*", "/tasks/*", "/instances/*", "/dashboards/campaigns/*", "/officers"},
        "bureau_head": {"/", "/queues/*", "/tasks/*", "/dashboards/appraisal", "/campaigns/start"},
        "gushan_station": {"/", "/inbox", "/queues/*", "/tasks/*", "/instances/*"},
        "auditor": {"/", "/audit", "/audit/chain", "/definitions"},
        "admin": {"/", "/admin", "/admin/users", "/admin/departments", "/admin/register", "/admin/users/*"},
        "designer": {"/", "/definitions", "/definitions/drafts"},
    }
    for username, wanted in expected.items():
        assert wanted <= routes[username], (username, sorted(wanted - routes[username]))
    deeper = {"/dashboards/campaigns/*/applications", "/officers/*", "/definitions/*"}
    deeper.add("/admin/register/villages/*")
    assert deeper <= walked, sorted(deeper - walked)
    listing = "\n".join(f"{where}: {found}" for where, found in problems.items())
    assert not problems, f"pages that do not fit:\n{listing}\n(routes walked: {routes})"


def test_the_queue_filters_fold_away_on_a_phone_and_stay_open_when_on(
    pages: Pages, users: dict[str, User]
) -> None:
    """At 390x844 the queue's filter bar is one line, 筛选, above the list: it opens on a tap; it is open by
    itself when a filter is on (a short list says why) and on a desktop. Nothing scrolls sideways."""
    start_recruitment(users["bureau"])
    page = pages.new()
    page.set_viewport_size(PHONE)
    login(page, "bureau")
    page.goto("/queues/police_bureau")
    box, search = page.locator("#queue-filter-box"), page.locator("#queue-q")
    summary = box.locator("summary")
    expect(summary).to_have_text("筛选")
    assert box.evaluate("details => details.open") is False
    expect(search).to_be_hidden()
    expect(page.locator("#tasks tbody tr").first).to_be_in_viewport()  # the list first, not the filters
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "15-phone-queue-filters-closed")

    summary.click()
    expect(search).to_be_visible()
    expect(page.get_by_label("状态")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "15-phone-queue-filters-open")
    page.locator("#queue-state").select_option("claimed")
    page.locator("#queue-filters button").click()
    expect(page).to_have_url(re.compile(r"state=claimed"))
    expect(summary).to_contain_text("已启用")
    assert box.evaluate("details => details.open") is True  # the filter that is on stays in sight
    expect(page.locator("#queue-state")).to_have_value("claimed")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "15-phone-queue-filters-on")

    page.set_viewport_size(DESKTOP)
    page.goto("/queues/police_bureau")
    assert box.evaluate("details => details.open") is True
    expect(search).to_be_visible()
    expect(summary).to_have_text("筛选")
    shot(page, "15-desktop-queue-filters")
