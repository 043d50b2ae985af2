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
from service.persistence.models import InstanceModel
from service.usecases import names
from service.usecases.names import Name
from workflows.extensions import UserTaskInfo

# Payload keys whose values are codes of one kind (a string or a list of them).
PERSON_KEYS = frozenset(
    {
        "actor",
        "username",
        "to_user",
        "from_user",
        "triggered_by",
        "claimed_by",
        "started_by",
        "confirmed_by",
        "proposed_by",
        "reported_by",
    }
)
DEPARTMENT_KEYS = frozenset({"department_code", "department", "departments", "heads_of"})
PROCESS_KEYS = frozenset({"process_id", "processes"})
VILLAGE_KEYS = frozenset({"village_code", "village"})
# Payload keys holding a mapping keyed by village code (an operator's count per village).
BY_VILLAGE_KEYS = frozenset({"villages"})
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
        self.task_forms: dict[tuple[int, str], tuple[UserTaskInfo, dict[str, Any]] | None] = {}

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
        if isinstance(value, dict) and key in BY_VILLAGE_KEYS:
            return {self.village(str(k)): self.payload(v, str(k)) for k, v in value.items()}
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

    def submission(self, event: dict[str, Any]) -> dict[str, Any] | None:
        """What a completed task's event shows: the task's name and, for each submitted field, its title
        and the value submitted and the one before, choices by their labels (None for other events)."""
        payload = event.get("payload") or {}
        if event.get("action") != "task_completed" or not isinstance(payload.get("submitted"), dict):
            return None
        found = self._task_form(event.get("instance_id"), str(payload.get("element") or ""))
        info, schema = found if found else (None, {})
        properties = schema.get("properties") or {}
        earlier = payload.get("data_before")
        before: dict[str, Any] = earlier if isinstance(earlier, dict) else {}
        fields = []
        for key in sorted(payload["submitted"]):
            declared = properties.get(key)
            field: dict[str, Any] = declared if isinstance(declared, dict) else {}
            title = field.get("x-title-en") if self.lang == "en" else field.get("title")
            fields.append(
                {
                    "key": key,
                    "title": title or field.get("title") or key,
                    "before": self._labelled(field, self.payload(before.get(key), key)),
                    "value": self._labelled(field, self.payload(payload["submitted"][key], key)),
                }
            )
        task_name = (info.name_en if self.lang == "en" else info.name_zh) if info else None
        return {"name": task_name or payload.get("name") or payload.get("element"), "fields": fields}

    def _labelled(self, field: dict[str, Any], value: Any) -> Any:
        language = "en" if self.lang == "en" else "zh"
        labels = (field.get("x-enum-labels") or {}).get(language) or {}
        if not labels and isinstance(field.get("items"), dict):  # a list of choices
            labels = (field["items"].get("x-enum-labels") or {}).get(language) or {}
        if isinstance(value, list):
            return [labels.get(item, item) if isinstance(item, str) else item for item in value]
        return labels.get(value, value) if isinstance(value, str) else value

    def _task_form(self, instance_id: Any, element: str) -> tuple[UserTaskInfo, dict[str, Any]] | None:
        if not isinstance(instance_id, int) or not element:
            return None
        key = (instance_id, element)
        if key not in self.task_forms:
            self.task_forms[key] = None
            with self.ctx.database.reading() as session:
                instance = session.get(InstanceModel, instance_id)
                try:
                    definition = instance.definition_id if instance else None
                    specs = self.ctx.specs_for_definition(session, definition) if definition else None
                except LookupError:  # the definition's files are missing: keys are all there is
                    specs = None
                info = specs.user_task(instance.process_id, element) if specs and instance else None
                if specs and info:
                    self.task_forms[key] = (info, specs.forms.get(info.form, {}) if info.form else {})
        return self.task_forms[key]

    def _name(self, known: dict[str, Name], code: str | None) -> str:
        if not code:
            return ""
        name = known.get(code)
        return name.in_language(self.lang) if name else code


def _collect(value: Any, people: set[str], villages: set[str], key: str = "") -> None:
    if isinstance(value, dict):
        if key in BY_VILLAGE_KEYS:
            villages.update(str(k) for k in value)
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
