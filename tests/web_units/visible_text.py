"""What a person reads on a page, and the codes that must never be part of it (issue 11, part 4).

Shared by the page tests (Flask test client: ``visible_text(html)``) and the browser walks (Playwright:
pass ``page.inner_text("body")`` to ``codes_in``). A page may keep codes in attributes, form values and
links (clients and search keys use them); the text a person reads shows names.

Codes with an underscore, a colon or a digit (``police_station:gushan``, ``gs-v01``) never occur in
words, so they are looked for anywhere. One-word codes (``finance``, ``appraisal``, ``bureau``) are also
English words (``Finance Bureau``, ``Monthly appraisal``): on an English page they count only when they
stand alone as a whole cell, line or item, which is how a code shows where a name should be; on a
Chinese page any of them standing as a word is a code.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from service.usecases.demo import DEMO_USERS

DEPARTMENT_CODES = (
    "police_bureau",
    "party_affairs",
    "finance",
    "service_company",
    "police_station:gushan",
    "police_station:boyu",
    "town_gov:gushan",
    "town_gov:boyu",
    # a lane template, as the models write it
    "police_station:{town}",
    "town_gov:{town}",
)
PROCESS_CODES = ("recruitment", "applicant_screening", "post_hiring", "appraisal")
USERNAMES = tuple(user.username for user in DEMO_USERS)
VILLAGE_CODES = tuple(
    [f"gs-v{n:02d}" for n in range(1, 17)]
    + [f"gs-c{n:02d}" for n in range(1, 7)]
    + [f"by-v{n:02d}" for n in range(1, 15)]
    + [f"by-c{n:02d}" for n in range(1, 7)]
    + ["by-p01"]
)
CODES = tuple(dict.fromkeys((*DEPARTMENT_CODES, *PROCESS_CODES, *USERNAMES, *VILLAGE_CODES)))

# Where one piece of text ends and the next begins in a page's text (cells, lines, list items, " · ").
_SEGMENT_BREAK = re.compile(r"\s*(?:[\t\n\r]|\s·\s|[：:，,、;；|（）()])\s*")


def _is_word(code: str) -> bool:
    return re.fullmatch(r"[a-z]+", code) is not None


def _pattern(code: str) -> re.Pattern[str]:
    # Not part of a longer identifier, key or file name: "2026-recruitment", "recruitment_start" and
    # "appraisal.bpmn" are not the code.
    return re.compile(rf"(?<![\w\-{{}}]){re.escape(code)}(?![\w\-{{}}]|\.\w)")


_PATTERNS = {code: _pattern(code) for code in CODES}


def codes_in(text: str, lang: str = "zh-CN", codes: tuple[str, ...] = CODES) -> list[str]:
    """The codes that appear in ``text`` (a page's visible text) where a name belongs."""
    segments = {segment.strip() for segment in _SEGMENT_BREAK.split(text)}
    found = []
    for code in codes:
        if _is_word(code) and lang == "en":
            if code in segments:
                found.append(code)
        elif (_PATTERNS.get(code) or _pattern(code)).search(text):
            found.append(code)
    return found


class _TextOf(HTMLParser):
    """The text a browser shows: no tags, scripts, styles, attribute values or the content of templates,
    hidden inputs' values or a closed ``<details>`` beyond its summary; a block or a cell ends a line."""

    HIDDEN = {"script", "style", "template", "datalist", "head", "title"}
    BREAKS = {
        "p",
        "div",
        "li",
        "tr",
        "td",
        "th",
        "br",
        "h1",
        "h2",
        "h3",
        "h4",
        "dt",
        "dd",
        "option",
        "summary",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0
        self.details: list[str] = []  # each open <details>: "open", "closed" (summary to come), "folded"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1
        if tag == "details":
            self.details.append("open" if any(name == "open" for name, _ in attrs) else "closed")
        if tag in self.BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self.hidden = max(self.hidden - 1, 0)
        if tag == "summary" and self.details and self.details[-1] == "closed":
            self.hidden += 1  # what follows the summary of a closed <details> is not shown
            self.details[-1] = "folded"
        if tag == "details" and self.details and self.details.pop() == "folded":
            self.hidden = max(self.hidden - 1, 0)
        if tag in self.BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def visible_text(page: str) -> str:
    """The text of an HTML page as a person reads it, one line per block or cell."""
    parser = _TextOf()
    parser.feed(page)
    parser.close()
    text = html.unescape("".join(parser.parts))
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def assert_no_codes(page: str, lang: str = "zh-CN", codes: tuple[str, ...] = CODES) -> str:
    """Fail when the page's visible text shows a code where a name belongs; return the text."""
    text = visible_text(page)
    found = codes_in(text, lang, codes)
    assert not found, f"codes on the page: {found}\n{text}"
    return text
