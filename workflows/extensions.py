"""Read the BPMN extension keys of our conventions (docs/design.md): the only module that reads them.

User tasks: form, English name, due date, head only, segregation of duties. Start events: how the process
may be started (``startedBy``) and its start form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn.specs.defaults import StartEvent
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.spiff.parser.task_spec import SpiffTaskParser

FORM_KEY = "formJsonSchemaFilename"
ENGLISH_NAME_KEY = "nameEn"
DUE_IN_DAYS_KEY = "dueInDays"
DUE_AT_VARIABLE_KEY = "dueAtVariable"
HEAD_ONLY_KEY = "headOnly"
# Segregation of duties: task ids whose completer may not complete this task, and a data key naming the
# officer the task is about (the officer's own account may not complete it).
SEPARATE_FROM_KEY = "separateFrom"
NOT_SUBJECT_KEY = "notSubject"
# A data key holding the username of someone who may not do this task, though they did their part in another
# instance (the proposer of a reward, in the appraisal, does not decide it in the reward's own instance).
NOT_DONE_BY_KEY = "notDoneBy"
# `notSubject` = "-": this task of a process about an officer is deliberately open to that officer (the lint
# refuses a task that just leaves the key out).
NOT_SUBJECT_WAIVED = "-"
# What a user task's form opens with, besides its own fields left empty: `field: data_key, ...` (e.g.
# `grade: suggested_grade`). Nothing else of the inherited task data ever pre-fills a form (docs/design.md).
FORM_DEFAULTS_KEY = "formDefaults"
# What a user task's page shows beside its form, the grounds of the decision: `panel, panel, ...`, names of
# panels the service provides (docs/design.md); the lint refuses a name the service does not know.
GROUNDS_KEY = "grounds"
# A follow-up that moves the due date of the task it follows up: `movesDueDate` = `<user task id>: <form
# field>` (`station_score: new_due_date`): the task's due time becomes the end of the day the person picks.
MOVES_DUE_DATE_KEY = "movesDueDate"
# A timer catch event whose wait a person may cut short (the bureau head ends a public notice early):
# `mayEndEarly` = `true`; without it the service refuses. Only a timeDate timer can carry it (its due time
# is moved through the data its expression reads).
MAY_END_EARLY_KEY = "mayEndEarly"
# A user task its department may complete for many subjects at once, in a table (one row per task, the
# form's fields as columns: monthly scoring): `bulkComplete` = `true` (docs/design.md, "Bulk scoring").
BULK_COMPLETE_KEY = "bulkComplete"
# A user task that may not be completed before a file was attached at it (issue 15, point 4):
# `requiresAttachment` = what the file is, one of ATTACHMENT_LABELS (`signed_contract`, `vetting_file`) or
# `true` (any file). The lint refuses another label: the refusal names the file in both languages.
REQUIRES_ATTACHMENT_KEY = "requiresAttachment"
ATTACHMENT_LABELS = {
    "true": ("附件", "an attachment"),
    "signed_contract": ("已签字的劳动合同", "the signed labour contract"),
    "vetting_file": ("考察政审材料", "the vetting file"),
    "medical_records": ("病历及诊断证明", "the medical records"),
    "confidentiality_undertaking": ("签字的保密承诺书", "the signed confidentiality undertaking"),
    "signed_field_report": ("辅警签字的纸质工作报告", "the officer's signed paper report"),
}
# A service task names the service's operator that does its work (SpiffWorkflow's own extension element,
# read by its parser: `<spiffworkflow:serviceTaskOperator id="<operator>" resultVariable="<name>">`).
SERVICE_OPERATOR_ELEMENT = "spiffworkflow:serviceTaskOperator"
# A lane names a department, or a department template scoped by task data (`police_station:{town}`).
LANE_PATTERN = re.compile(r"^[a-z_]+(:(\{[a-z_]+\}|[a-z0-9_-]+))?$")
# A lane `officer:{officer_id}` is one officer's own queue (the account linked to that officer works it, no
# department does): the officer's monthly field report (issue 17, point 7).
PERSONAL_QUEUE_KIND = "officer"
# `dueDayOfNextMonth` = N: the task is due at the end of day N of the month after the task's `month` (the
# month's report of an officer); the service puts that time in the data key `dueAtVariable` names.
DUE_DAY_OF_NEXT_MONTH_KEY = "dueDayOfNextMonth"
# A task of a person's own queue that a department may enter on that person's behalf from a signed paper
# sheet (an officer without an account): `onBehalfBy` = a department or template (`police_station:{town}`),
# `onBehalfAttachment` = the file then required at the task (a key of ATTACHMENT_LABELS). The completer is
# recorded as the one who entered it; `separateFrom` on a later task keeps them from also confirming it.
ON_BEHALF_BY_KEY = "onBehalfBy"
ON_BEHALF_ATTACHMENT_KEY = "onBehalfAttachment"
# How a process may be started, declared on its start event: `usecase:<name>` (only that use case of the
# service starts it), `departments:<code>,...` (their members, through the API or the web, with a start
# form named by `formJsonSchemaFilename` on the same event), `heads:<code>,...` (the same, their heads
# only) or `callActivity` (only as another process's call).
STARTED_BY_KEY = "startedBy"
CALLED_ONLY = "callActivity"
STARTED_BY_DEPARTMENTS = "departments"
STARTED_BY_HEADS = "heads"
START_DEPARTMENT_PATTERN = re.compile(r"^[a-z_]+(:[a-z0-9_-]+)?$")


@dataclass(frozen=True)
class UserTaskInfo:
    """What the service needs to know about a user task spec, read from its extensions."""

    spec_name: str
    name_zh: str
    name_en: str
    lane: str
    form: str | None
    due_in_days: int | None
    due_at_variable: str | None = None
    head_only: bool = False
    separate_from: tuple[str, ...] = ()
    not_subject: str | None = None
    not_subject_waived: bool = False
    not_done_by: str | None = None  # `notDoneBy`: the data key naming a username barred from this task
    form_defaults: tuple[tuple[str, str], ...] = ()
    grounds: tuple[str, ...] = ()
    moves_due_date: tuple[str, str] | None = None  # (user task id, form field with the new date)
    requires_attachment: str | None = None  # a key of ATTACHMENT_LABELS (or an unknown one, for the lint)
    bulk_complete: bool = False  # `bulkComplete` = `true`: completed in a table with its step's others
    due_day_of_next_month: int | None = None  # `dueDayOfNextMonth`: the day of the following month it is due
    due_day_declared: str | None = None  # `dueDayOfNextMonth` as written (for the lint), None when absent
    on_behalf_by: str | None = None  # `onBehalfBy`: the department (template) that may enter it for them
    on_behalf_attachment: str | None = None  # `onBehalfAttachment`: the file required when so entered


@dataclass(frozen=True)
class StartRule:
    """How a process may be started, read from its start event's ``startedBy`` (docs/design.md)."""

    declared: str
    use_case: str | None = None
    departments: tuple[str, ...] = ()
    form: str | None = None
    heads_only: bool = False  # `heads:<code>,...`: only the heads of ``departments`` start it

    @property
    def called_only(self) -> bool:
        return self.declared == CALLED_ONLY


def user_task_info(task_spec: Any) -> UserTaskInfo:
    """Read our extension keys of a user task spec (the only place they are read)."""
    properties = (getattr(task_spec, "extensions", None) or {}).get("properties", {})
    due = properties.get(DUE_IN_DAYS_KEY)
    not_subject = str(properties.get(NOT_SUBJECT_KEY) or "").strip()
    return UserTaskInfo(
        spec_name=task_spec.bpmn_id or task_spec.name,
        name_zh=task_spec.bpmn_name or task_spec.name,
        name_en=properties.get(ENGLISH_NAME_KEY) or task_spec.bpmn_name or task_spec.name,
        lane=task_spec.lane or "",
        form=properties.get(FORM_KEY),
        due_in_days=int(due) if due and str(due).isdigit() else None,
        due_at_variable=properties.get(DUE_AT_VARIABLE_KEY) or None,
        head_only=str(properties.get(HEAD_ONLY_KEY, "")).lower() == "true",
        separate_from=tuple(
            p.strip() for p in str(properties.get(SEPARATE_FROM_KEY, "")).split(",") if p.strip()
        ),
        not_subject=None if not_subject == NOT_SUBJECT_WAIVED else not_subject or None,
        not_subject_waived=not_subject == NOT_SUBJECT_WAIVED,
        not_done_by=str(properties.get(NOT_DONE_BY_KEY) or "").strip() or None,
        form_defaults=_form_defaults(str(properties.get(FORM_DEFAULTS_KEY) or "")),
        grounds=tuple(p.strip() for p in str(properties.get(GROUNDS_KEY) or "").split(",") if p.strip()),
        moves_due_date=_moves_due_date(str(properties.get(MOVES_DUE_DATE_KEY) or "")),
        requires_attachment=_requires_attachment(properties.get(REQUIRES_ATTACHMENT_KEY)),
        bulk_complete=str(properties.get(BULK_COMPLETE_KEY, "")).strip().lower() == "true",
        due_day_of_next_month=_day_of_month(properties.get(DUE_DAY_OF_NEXT_MONTH_KEY)),
        due_day_declared=_declared(properties.get(DUE_DAY_OF_NEXT_MONTH_KEY)),
        on_behalf_by=_declared(properties.get(ON_BEHALF_BY_KEY)),
        on_behalf_attachment=_declared(properties.get(ON_BEHALF_ATTACHMENT_KEY)),
    )


def _declared(value: Any) -> str | None:
    text = str(value or "").strip()
    return text or None


def _day_of_month(declared: Any) -> int | None:
    """A day that every month has (1-28), else None."""
    text = str(declared or "").strip()
    return int(text) if text.isdigit() and 1 <= int(text) <= 28 else None


def user_task_problems(info: UserTaskInfo) -> list[tuple[str, str]]:
    """What the lint refuses in a user task's `dueDayOfNextMonth` and on-behalf entry, in zh and en."""
    found = []
    if info.due_day_declared is not None and info.due_day_of_next_month is None:
        found.append(
            (
                f"{DUE_DAY_OF_NEXT_MONTH_KEY} 的值 {info.due_day_declared!r} 不是 1 至 28 之间的整数"
                "（每个月都有的日子）",
                f"{DUE_DAY_OF_NEXT_MONTH_KEY} {info.due_day_declared!r} is not a whole number from 1 to 28 "
                "(a day every month has)",
            )
        )
    if info.on_behalf_by is None:
        if info.on_behalf_attachment is not None:
            found.append(
                (
                    f"{ON_BEHALF_ATTACHMENT_KEY} 须与 {ON_BEHALF_BY_KEY} 一同声明",
                    f"{ON_BEHALF_ATTACHMENT_KEY} needs {ON_BEHALF_BY_KEY}",
                )
            )
        return found
    if not info.lane.startswith(f"{PERSONAL_QUEUE_KIND}:"):
        found.append(
            (
                f"{ON_BEHALF_BY_KEY} 只用于本人事项（泳道 {PERSONAL_QUEUE_KIND}:{{...}}）的任务",
                f"{ON_BEHALF_BY_KEY} is for a task of a person's own queue "
                f"(lane {PERSONAL_QUEUE_KIND}:{{...}})",
            )
        )
    if not LANE_PATTERN.match(info.on_behalf_by) or info.on_behalf_by.startswith(f"{PERSONAL_QUEUE_KIND}:"):
        found.append(
            (
                f"{ON_BEHALF_BY_KEY} 的值 {info.on_behalf_by!r} 不是部门代码或部门模板",
                f"{ON_BEHALF_BY_KEY} {info.on_behalf_by!r} is not a department code or template",
            )
        )
    if info.on_behalf_attachment not in ATTACHMENT_LABELS or info.on_behalf_attachment == "true":
        known = ", ".join(sorted(key for key in ATTACHMENT_LABELS if key != "true"))
        found.append(
            (
                f"代为录入须声明 {ON_BEHALF_ATTACHMENT_KEY}：本人签字的纸质材料（可用：{known}）",
                f"an entry on a person's behalf needs {ON_BEHALF_ATTACHMENT_KEY}, the signed paper "
                f"(known: {known})",
            )
        )
    return found


def _moves_due_date(declared: str) -> tuple[str, str] | None:
    """``station_score: new_due_date`` -> ("station_score", "new_due_date"); None when not declared."""
    task, _, field = (part.strip() for part in declared.partition(":"))
    return (task, field) if task and field else None


def _requires_attachment(declared: Any) -> str | None:
    """``signed_contract`` -> "signed_contract"; ``true`` -> "true"; absent, empty or ``false`` -> None."""
    value = str(declared or "").strip()
    if value.lower() in ("", "false"):
        return None
    return "true" if value.lower() == "true" else value


def attachment_problem(info: UserTaskInfo) -> tuple[str, str] | None:
    """Why a user task's ``requiresAttachment`` cannot be enforced (an unknown label), in zh and en."""
    if info.requires_attachment is None or info.requires_attachment in ATTACHMENT_LABELS:
        return None
    known = ", ".join(sorted(ATTACHMENT_LABELS))
    return (
        f"{REQUIRES_ATTACHMENT_KEY} 的值 {info.requires_attachment!r} 不是已知的附件类别（可用：{known}）",
        f"{REQUIRES_ATTACHMENT_KEY} names unknown attachment {info.requires_attachment!r} (known: {known})",
    )


def _form_defaults(declared: str) -> tuple[tuple[str, str], ...]:
    """``grade: suggested_grade, level: suggested_level`` -> ((field, data key), ...)."""
    pairs = (item.partition(":") for item in declared.split(","))
    return tuple((field.strip(), key.strip()) for field, _, key in pairs if field.strip() and key.strip())


def start_declarations(wf_spec: Any) -> list[StartRule]:
    """Read ``startedBy`` (and its start form) from a process's start events; the only place it is read."""
    rules = []
    for task_spec in wf_spec.task_specs.values():
        properties = (getattr(task_spec, "extensions", None) or {}).get("properties", {})
        if not isinstance(task_spec, StartEvent) or STARTED_BY_KEY not in properties:
            continue
        declared = str(properties[STARTED_BY_KEY]).strip()
        kind, _, rest = declared.partition(":")
        names = tuple(name.strip() for name in rest.split(",") if name.strip())
        rules.append(
            StartRule(
                declared=declared,
                use_case=names[0] if kind == "usecase" and len(names) == 1 else None,
                departments=names if kind in (STARTED_BY_DEPARTMENTS, STARTED_BY_HEADS) else (),
                form=properties.get(FORM_KEY) or None,
                heads_only=kind == STARTED_BY_HEADS,
            )
        )
    return rules


def process_english_name(process_node: Any) -> str | None:
    """A process's English name: ``nameEn`` among its own extension properties (SpiffWorkflow keeps the
    properties of tasks, not of the process, so they are read from the process's XML element)."""
    properties = SpiffTaskParser._parse_extensions(process_node).get("properties", {})
    return str(properties.get(ENGLISH_NAME_KEY) or "").strip() or None


def english_names_in_xml(root: Any) -> dict[str, str]:
    """``{element id: nameEn}`` of every element of a parsed BPMN document that declares one (processes,
    tasks, events, gateways, flows): the labels of the diagram shown on English pages."""
    found = {}
    for node in root.iter():
        element_id = node.get("id") if isinstance(node.tag, str) else None
        if element_id:
            name = process_english_name(node)  # the node's own extension properties, as for a process
            if name:
                found[element_id] = name
    return found


def element_english_name(task_spec: Any) -> str | None:
    """Any element's English name: ``nameEn`` among its extension properties (None when it has none)."""
    properties = (getattr(task_spec, "extensions", None) or {}).get("properties", {})
    return str(properties.get(ENGLISH_NAME_KEY) or "").strip() or None


def may_end_early(task_spec: Any) -> bool:
    """Whether the model lets a person end this timer's wait early (``mayEndEarly`` = ``true``)."""
    properties = (getattr(task_spec, "extensions", None) or {}).get("properties", {})
    return str(properties.get(MAY_END_EARLY_KEY, "")).strip().lower() == "true"


def declares_may_end_early(task_spec: Any) -> str | None:
    """The raw ``mayEndEarly`` value an element declares (for the lint), None when it declares none."""
    properties = (getattr(task_spec, "extensions", None) or {}).get("properties", {})
    value = properties.get(MAY_END_EARLY_KEY)
    return None if value is None else str(value).strip()


def declares_bulk_complete(task_spec: Any) -> str | None:
    """The raw ``bulkComplete`` value any element declares (for the lint), None when it declares none."""
    properties = (getattr(task_spec, "extensions", None) or {}).get("properties", {})
    value = properties.get(BULK_COMPLETE_KEY)
    return None if value is None else str(value).strip()


def is_timer_catch(task_spec: Any) -> bool:
    """Tell whether a task spec waits on a timer."""
    return isinstance(task_spec, CatchingEvent) and isinstance(
        task_spec.event_definition, TimerEventDefinition
    )
