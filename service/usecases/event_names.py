"""Names for the codes in audit events, for the auditors' page and workbook (issue 11, part 4).

An event keeps its codes (they are what the hash chain sealed, and what an auditor searches by); what people
read shows the person, department, process and village by name. The lookups are service/usecases/names.py's,
made once per page or export: departments and processes whole, people and villages as the events name them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from service.context import ServiceContext
from service.usecases import names
from service.usecases.names import Name

# Payload keys whose values are codes of one kind (a string or a list of them).
PERSON_KEYS = frozenset(
    {"actor", "username", "to_user", "from_user", "triggered_by", "claimed_by", "started_by", "confirmed_by"}
)
DEPARTMENT_KEYS = frozenset({"department_code", "department", "departments", "heads_of"})
PROCESS_KEYS = frozenset({"process_id", "processes"})
VILLAGE_KEYS = frozenset({"village_code"})
# A post's business key, ``<campaign>/<village code>/<slot>``: people read the village and the post.
_POST_KEY = re.compile(r"^(?P<campaign>.+)/(?P<village>[a-z]+-[a-z]\d+)/(?P<slot>\d+)$")


class EventNames:
    """The names of the codes that audit events carry, in one language."""

    def __init__(self, ctx: ServiceContext, lang: str) -> None:
        self.ctx, self.lang = ctx, lang
        with ctx.database.reading() as session:
            self.departments = names.department_names(session)
            self.processes = names.process_names(ctx, session)
        self.people: dict[str, Name] = {}
        self.villages: dict[str, Name] = {}

    def learn(self, events: Iterable[dict[str, Any]]) -> None:
        """Look up, in one query each, the people and villages these events name."""
        people: set[str] = set()
        villages: set[str] = set()
        for event in events:
            people.add(str(event.get("actor") or ""))
            _collect(event.get("payload"), people, villages)
        people -= self.people.keys()
        villages -= self.villages.keys()
        if people or villages:
            with self.ctx.database.reading() as session:
                self.people.update(names.person_names(session, people))
                self.villages.update(names.village_names(session, villages))

    def person(self, username: str | None) -> str:
        return self._name(self.people, username)

    def department(self, code: str | None) -> str:
        return self._name(self.departments, code)

    def process(self, process_id: str | None) -> str:
        return self._name(self.processes, process_id)

    def village(self, code: str | None) -> str:
        return self._name(self.villages, code)

    def business_key(self, key: str) -> str:
        post = _POST_KEY.match(key)
        if not post or post["village"] not in self.villages:
            return key
        village = self.village(post["village"])
        if self.lang == "en":
            return f"{post['campaign']} · {village}, post {post['slot']}"
        return f"{post['campaign']} · {village} 第{post['slot']}岗"

    def payload(self, value: Any, key: str = "") -> Any:
        """``value`` with the codes of known keys replaced by names (a copy; the event is not changed)."""
        if isinstance(value, dict):
            return {k: self.payload(v, str(k)) for k, v in value.items()}
        if isinstance(value, list):
            return [self.payload(item, key) for item in value]
        if not isinstance(value, str):
            return value
        if key in PERSON_KEYS:
            return self.person(value)
        if key in DEPARTMENT_KEYS:
            return self.department(value)
        if key in PROCESS_KEYS:
            return self.process(value)
        if key in VILLAGE_KEYS:
            return self.village(value)
        if key == "business_key":
            return self.business_key(value)
        return value

    def _name(self, known: dict[str, Name], code: str | None) -> str:
        if not code:
            return ""
        name = known.get(code)
        return name.in_language(self.lang) if name else code


def _collect(value: Any, people: set[str], villages: set[str], key: str = "") -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _collect(v, people, villages, str(k))
    elif isinstance(value, list):
        for item in value:
            _collect(item, people, villages, key)
    elif isinstance(value, str):
        if key in PERSON_KEYS:
            people.add(value)
        elif key in VILLAGE_KEYS:
            villages.add(value)
        elif key == "business_key" and (post := _POST_KEY.match(value)):
            villages.add(post["village"])
