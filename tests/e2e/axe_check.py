"""axe-core (web/node_modules/axe-core, npm) on the pages the browser tests visit (issue 15, point 3).

Every page a test sees is checked against the WCAG 2.0/2.1 A and AA rules, and a serious or critical
violation fails the test with the rule, what to do and where:

- after each ``page.goto`` and at each ``shot()`` the page is checked as it is then;
- a page reached by a click (a link, a form's answer) is noted when it loads and, if no page of the same
  kind was checked yet in this session, opened again at the end of the test in the same browser session
  and checked there (a page that answers 4xx then, or is not HTML, is skipped).

"Same kind" is the path with its ids replaced (``/tasks/17`` and ``/tasks/18`` are one), the page's title
without digits and its state as far as it changes what axe sees (a phone's width or a desktop's, a message
or a field error shown, a dialog or a details box open): the CI pays a few hundred ms per kind of page
and state, not per visit (about 400 visits, 200 checks).

axe is evaluated through the DevTools protocol (``page.evaluate``), which the app's Content-Security-Policy
(``script-src 'self'``) does not apply to: the app's CSP stays as in production and no test route exists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0 and 2.1, A and AA (2.2's target-size is left out: dense tables of links would need a redesign).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = ("serious", "critical")

_RUN = """async (tags) => {
  const result = await window.axe.run(document, {
    runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
  });
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl, count: v.nodes.length,
    nodes: v.nodes.slice(0, 3).map(n => ({
      target: n.target.map(String).join(' '), html: n.html.slice(0, 160), summary: n.failureSummary || '',
    })),
  }));
}"""

HOW_TO_FIX = """How to fix (do not exclude the rule, fix the page):
- a control without a name: a <label for="id"> on the page, or aria-label="{{ _('...') }}" when no visible
  label fits (a search box, a per-row select); a button with only an icon needs aria-label too;
- colour contrast: text needs 4.5:1 against its background (white or #f5f7fa): take the text colours of
  app.css (grey #52606d, green #1e6b30, red #b42318, orange #a3460a, blue #1864ab), never #7b8794, #2b8a3e
  or #e8590c for text; docs/design.md, "Accessibility (issue 15, point 3)";
- a table/list: <th> in <thead> for column headers, <ul>/<ol> holding only <li>;
- the page's language: base.html sets <html lang>; a link needs text (or aria-label) saying where it goes.
Run one test to see it again: .venv/bin/pytest -q -x tests/e2e/<file>.py -k <test> -p no:cacheprovider"""


@cache
def _axe_source() -> str:
    """The bundle as one expression (its UMD wrapper sets window.axe)."""
    return "(() => {\n" + AXE_JS.read_text(encoding="utf-8") + "\n})()"


def violations(page: Page) -> list[dict[str, Any]]:
    """axe's serious and critical WCAG A/AA violations on the page as it is now."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    found = page.evaluate(_RUN, WCAG_TAGS)
    return [v for v in found if v["impact"] in FAILING_IMPACTS]


def report(where: str, found: list[dict[str, Any]]) -> str:
    lines = [f"axe-core: {len(found)} serious/critical accessibility violation(s) on {where}:"]
    for v in found:
        lines.append(f"- [{v['impact']}] {v['id']}: {v['help']} ({v['count']} element(s)) {v['helpUrl']}")
        for node in v["nodes"]:
            lines.append(f"    at {node['target']}: {' '.join(node['html'].split())}")
            summary = " ".join(node["summary"].split())
            if summary:
                lines.append(f"      {summary}")
    lines.append(HOW_TO_FIX)
    return "\n".join(lines)


def assert_accessible(page: Page, where: str | None = None) -> None:
    """No serious or critical axe violation on the page as it is now (always checked, never cached)."""
    found = violations(page)
    assert not found, report(where or page.url, found)


_ID = re.compile(r"^(\d+|[0-9a-f]{8,}|[0-9a-f-]{32,36}|\d{4}-\d{2}(-\d{2})?)$", re.IGNORECASE)


def template(url: str) -> str:
    """The URL's path with ids replaced: one kind of page."""
    parts = urlsplit(url).path.split("/")
    return "/".join("{id}" if _ID.match(part) else part for part in parts)


@dataclass
class Session:
    """What was checked in this test session (per pytest-xdist worker)."""

    checked: set[tuple[str, str]] = field(default_factory=set)
    kinds: set[str] = field(default_factory=set)
    failed: set[str] = field(default_factory=set)  # in the current test, reported already


SESSION = Session()


_STATE = """() => [
  document.title.replace(/\\d+/g, '#'),
  innerWidth <= 640 ? 'phone' : 'wide',
  ...['.flash', '.error, .field-error, [aria-invalid=true]', 'dialog[open], details[open]']
    .map(s => document.querySelector(s) ? 1 : 0),
].join(' ')"""


def check_once(page: Page) -> None:
    """Check the page unless a page of the same kind in the same state was checked already."""
    url = page.url
    if not url.startswith(("http://", "https://")):
        return
    try:
        if page.evaluate("() => document.contentType") != "text/html":
            return
        kind = template(url)
        ident = (kind, page.evaluate(_STATE))
        if ident in SESSION.checked:
            return
        found = violations(page)
    except PlaywrightError as error:  # the page went away meanwhile (a navigation, a closed context)
        if "Execution context was destroyed" in str(error) or "closed" in str(error):
            return
        raise
    # A kind that fails stays unchecked: every test that shows it fails, whichever worker runs it.
    if found:
        SESSION.failed.add(kind)
    assert not found, report(f"{url} ({ident[1]})", found)
    SESSION.checked.add(ident)
    SESSION.kinds.add(kind)


@dataclass
class Watch:
    """The pages a browser session loaded, to check those of a kind not yet checked at the end of a test."""

    loaded: list[tuple[Any, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        SESSION.failed.clear()  # a new test

    def watch(self, page: Page) -> None:
        goto = page.goto

        def checked_goto(url: str, **options: Any) -> Any:
            response = goto(url, **options)
            check_once(page)
            return response

        page.goto = checked_goto  # type: ignore[method-assign]
        page.on("load", lambda loaded: self.loaded.append((loaded.context, loaded.url)))

    def check_unchecked(self) -> None:
        """Open again (same cookies) each loaded page of a kind not checked in this session, and check it."""
        failures: list[str] = []
        seen: set[str] = set()
        for context, url in self.loaded:
            kind = template(url)
            if not url.startswith(("http://", "https://")) or kind in SESSION.kinds | SESSION.failed | seen:
                continue
            seen.add(kind)
            try:
                page = context.new_page()
            except PlaywrightError:  # the test closed that browser session
                continue
            try:
                response = page.goto(url)
                if response is None or response.status >= 400:
                    SESSION.kinds.add(kind)
                    continue
                check_once(page)
            except AssertionError as error:
                failures.append(f"(reached by a click, checked again at the end of the test) {error}")
            finally:
                page.close()
        assert not failures, "\n\n".join(failures)
