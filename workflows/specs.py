"""Parse, validate and lint a bundle of BPMN, DMN and form files.

A *bundle* is the unit that is deployed: a mapping of file name to text. It is parsed here and nowhere
else, with an XML parser that refuses DOCTYPEs and external entities, and the BPMN extension keys our
conventions rely on are read here once (see docs/design.md).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.defaults import StartEvent
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.specs.defaults import ServiceTask, UserTask

from workflows.budget import bound_activities
from workflows.data_keys import is_reserved_key
from workflows.forms import FormBundle, FormError, load_form_schema
from workflows.semantics import merges_its_own_loop, use_service_semantics
from workflows.timers import TimerValueError, check_literal_timer, use_service_clock

FORM_KEY = "formJsonSchemaFilename"
ENGLISH_NAME_KEY = "nameEn"
DUE_IN_DAYS_KEY = "dueInDays"
DUE_AT_VARIABLE_KEY = "dueAtVariable"
HEAD_ONLY_KEY = "headOnly"
# Segregation of duties: task ids whose completer may not complete this task, and a data key naming the
# officer the task is about (the officer's own account may not complete it).
SEPARATE_FROM_KEY = "separateFrom"
NOT_SUBJECT_KEY = "notSubject"
# `notSubject` = "-": this task of a process about an officer is deliberately open to that officer (the lint
# refuses a task that just leaves the key out).
NOT_SUBJECT_WAIVED = "-"
# A lane names a department, or a department template scoped by task data (`police_station:{town}`).
LANE_PATTERN = re.compile(r"^[a-z_]+(:(\{[a-z_]+\}|[a-z0-9_-]+))?$")
MAX_FILE_BYTES = 2_000_000
# How a process may be started, declared on its start event: `usecase:<name>` (only that use case of the
# service starts it), `departments:<code>,...` (their members, through the API, with a start form named
# by `formJsonSchemaFilename` on the same event) or `callActivity` (only as another process's call).
STARTED_BY_KEY = "startedBy"
CALLED_ONLY = "callActivity"
START_DEPARTMENT_PATTERN = re.compile(r"^[a-z_]+(:[a-z0-9_-]+)?$")


class DefinitionError(Exception):
    """A bundle that cannot be deployed; ``problems`` lists every reason found."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


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


@dataclass(frozen=True)
class StartRule:
    """How a process may be started, read from its start event's ``startedBy`` (docs/design.md)."""

    declared: str
    use_case: str | None = None
    departments: tuple[str, ...] = ()
    form: str | None = None

    @property
    def called_only(self) -> bool:
        return self.declared == CALLED_ONLY


@dataclass
class ProcessSpecs:
    """The parsed, immutable specs of one bundle."""

    sha256: str
    files: dict[str, str]
    process_ids: list[str]
    process_names: dict[str, str]
    top_level: dict[str, Any] = field(repr=False)
    subprocess_specs: dict[str, dict[str, Any]] = field(repr=False)
    forms: FormBundle = field(repr=False)
    service_operators: set[str] = field(default_factory=set)
    # None: the process declares no (single) way to start, so nothing may start it.
    start_rules: dict[str, StartRule | None] = field(default_factory=dict)

    def user_task(self, process_id: str, spec_name: str) -> UserTaskInfo | None:
        """The extension info of a user task of ``process_id`` (subprocesses included)."""
        top, subs = self.spec_for(process_id)
        for wf_spec in (top, *subs.values()):
            task_spec = wf_spec.task_specs.get(spec_name)
            if isinstance(task_spec, UserTask):
                return user_task_info(task_spec)
        return None

    def spec_for(self, process_id: str) -> tuple[Any, dict[str, Any]]:
        if process_id not in self.top_level:
            raise KeyError(process_id)
        return self.top_level[process_id], self.subprocess_specs[process_id]


def bundle_sha256(files: Mapping[str, str]) -> str:
    """Hash a bundle independently of file order."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name].encode() + b"\0")
    return digest.hexdigest()


def read_bundle(path: Path) -> dict[str, str]:
    """Read every .bpmn and .dmn under ``path`` (a file or folder) plus the forms they reference."""
    paths = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.suffix in {".bpmn", ".dmn"})
    if not paths:
        raise DefinitionError([f"no .bpmn or .dmn files found in {path}"])
    files = {p.name: p.read_text(encoding="utf-8") for p in paths}
    return files


def attach_forms(files: dict[str, str], forms_dir: Path) -> dict[str, str]:
    """Add the form files the bundle's user tasks reference, read from ``forms_dir``."""
    result = dict(files)
    for form in sorted(_referenced_forms(files)):
        form_path = forms_dir / form
        if form not in result and form_path.is_file():
            result[form] = form_path.read_text(encoding="utf-8")
    return result


def _referenced_forms(files: Mapping[str, str]) -> set[str]:
    pattern = re.compile(rf'name="{FORM_KEY}"\s+value="([^"]+)"')
    return {
        m.group(1) for name, text in files.items() if name.endswith(".bpmn") for m in pattern.finditer(text)
    }


def _safe_xml(name: str, text: str) -> Any:
    if len(text.encode()) > MAX_FILE_BYTES:
        raise DefinitionError([f"{name}: file larger than {MAX_FILE_BYTES} bytes"])
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise DefinitionError([f"{name}: DOCTYPE and entity declarations are not allowed"])
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(text.encode(), parser=parser)
    except etree.XMLSyntaxError as error:
        raise DefinitionError([f"{name}: not well-formed XML ({error})"]) from error
    # The text check above misses a DOCTYPE hidden by another encoding (e.g. UTF-7); the parsed tree cannot.
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise DefinitionError([f"{name}: DOCTYPE and entity declarations are not allowed"])
    return root


def parse_bundle(
    files: Mapping[str, str],
    known_operators: Iterable[str] | None = None,
    known_use_cases: Iterable[str] | None = None,
    *,
    stored: bool = False,
) -> ProcessSpecs:
    """Parse and lint a bundle; raise DefinitionError listing every problem found.

    ``stored``: the bundle was deployed before and is loaded again; a form that rules added since then
    refuse is kept (it refuses submissions, ``FormBundle.validate``) rather than failing the whole bundle.

    Deploy passes the service's operators and start use cases: then every process must declare how it
    starts. (A bundle stored before that rule still loads; its processes just cannot be started.)
    """
    parser = SpiffBpmnParser(validator=VALIDATOR)
    problems: list[str] = []
    forms: dict[str, dict[str, Any]] = {}
    for name in sorted(files):
        text = files[name]
        try:
            if name.endswith(".bpmn"):
                parser.add_bpmn_xml(_safe_xml(name, text), filename=name)
            elif name.endswith(".dmn"):
                parser.add_dmn_xml(_safe_xml(name, text), filename=name)
            elif name.endswith(".json"):
                forms[name] = load_form_schema(name, text)
            else:
                problems.append(f"{name}: unsupported file type")
        except DefinitionError as error:
            problems.extend(error.problems)
        except (ValidationException, FormError) as error:
            problems.append(f"{name}: {error}")
    bundle_forms = FormBundle(forms)
    if not stored:
        problems.extend(bundle_forms.problems)
    if problems:
        raise DefinitionError(problems)

    top_level: dict[str, Any] = {}
    subprocess_specs: dict[str, dict[str, Any]] = {}
    try:
        process_ids = sorted(parser.get_process_ids())
        for process_id in process_ids:
            top_level[process_id] = parser.get_spec(process_id)
            subprocess_specs[process_id] = parser.get_subprocess_specs(process_id)
    except ValidationException as error:
        raise DefinitionError([f"{getattr(error, 'file_name', '')}: {error}"]) from error
    if not process_ids:
        raise DefinitionError(["the bundle holds no executable process"])
    for process_id in process_ids:
        for wf_spec in (top_level[process_id], *subprocess_specs[process_id].values()):
            use_service_behaviour(wf_spec)

    specs = ProcessSpecs(
        sha256=bundle_sha256(files),
        files=dict(files),
        process_ids=process_ids,
        process_names={pid: top_level[pid].description or pid for pid in process_ids},
        top_level=top_level,
        subprocess_specs=subprocess_specs,
        forms=bundle_forms,
    )
    for process_id in process_ids:
        declared = start_declarations(top_level[process_id])
        specs.start_rules[process_id] = declared[0] if len(declared) == 1 else None
    _lint(specs, problems, set(known_operators) if known_operators is not None else None)
    _lint_start(specs, problems, set(known_use_cases) if known_use_cases is not None else None)
    if not stored:  # a stored bundle's data names were accepted at its deploy; its instances go on
        _lint_data_names(specs, problems)
        _lint_loop_merges(specs, problems)
    if problems:
        raise DefinitionError(problems)
    return specs


def use_service_behaviour(wf_spec: Any) -> None:
    """Give a parsed process the service's run-time behaviour: timers on the service clock, bounded
    activities and BPMN's joins (workflows.semantics). Every parse the engine runs goes through here."""
    use_service_clock(wf_spec.task_specs.values())
    bound_activities(wf_spec.task_specs.values())
    use_service_semantics(wf_spec)


def _all_task_specs(specs: ProcessSpecs) -> Iterable[tuple[str, Any]]:
    for process_id in specs.process_ids:
        top, subs = specs.spec_for(process_id)
        for wf_spec in [top, *subs.values()]:
            for task_spec in wf_spec.task_specs.values():
                yield process_id, task_spec


def _lint(specs: ProcessSpecs, problems: list[str], known_operators: set[str] | None) -> None:
    user_tasks: dict[str, list[UserTaskInfo]] = {}
    for process_id, task_spec in _all_task_specs(specs):
        where = f"{process_id}/{task_spec.name}"
        if isinstance(task_spec, UserTask):
            info = user_task_info(task_spec)
            user_tasks.setdefault(process_id, []).append(info)
            if not info.lane:
                problems.append(f"{where}: user task lies in no lane (lanes name departments)")
            elif not LANE_PATTERN.match(info.lane):
                problems.append(f"{where}: lane name {info.lane!r} is not a department code")
            if info.form is None:
                problems.append(f"{where}: user task names no form ({FORM_KEY})")
            elif info.form not in specs.forms:
                problems.append(f"{where}: form {info.form} is not in the bundle")
        elif is_timer_catch(task_spec) or isinstance(
            getattr(task_spec, "event_definition", None), MultipleEventDefinition
        ):
            try:
                check_literal_timer(task_spec.event_definition)
            except TimerValueError as error:
                problems.append(f"{where}: {error}")
        elif isinstance(task_spec, ServiceTask):
            specs.service_operators.add(task_spec.operation_name)
            if known_operators is not None and task_spec.operation_name not in known_operators:
                problems.append(f"{where}: unknown service operator {task_spec.operation_name!r}")
    for process_id, infos in user_tasks.items():
        _lint_subject(process_id, infos, problems)


def _lint_subject(process_id: str, infos: list[UserTaskInfo], problems: list[str]) -> None:
    """A process is about an officer once one of its user tasks names them (``notSubject``); then each of
    its user tasks (those of its subprocesses and called processes too) names them, or opts out with "-"."""
    keys = sorted({info.not_subject for info in infos if info.not_subject})
    if not keys:
        return
    for info in infos:
        if info.not_subject is None and not info.not_subject_waived:
            problems.append(
                f"{process_id}/{info.spec_name}: the process is about the officer named by {', '.join(keys)}"
                f" (other tasks declare {NOT_SUBJECT_KEY}), so this user task must declare {NOT_SUBJECT_KEY}"
                f" too, or {NOT_SUBJECT_KEY} = {NOT_SUBJECT_WAIVED!r} to let that officer do it"
            )


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
    )


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
                departments=names if kind == "departments" else (),
                form=properties.get(FORM_KEY) or None,
            )
        )
    return rules


def _lint_start(specs: ProcessSpecs, problems: list[str], known_use_cases: set[str] | None) -> None:
    for process_id in specs.process_ids:
        declared = start_declarations(specs.top_level[process_id])
        if len(declared) > 1:
            problems.append(f"{process_id}: more than one start event declares {STARTED_BY_KEY}")
        elif not declared and known_use_cases is not None:
            problems.append(
                f"{process_id}: the process does not declare how it is started ({STARTED_BY_KEY} on its "
                f"start event: usecase:<name>, departments:<code>,... with a start form, or {CALLED_ONLY})"
            )
        for rule in declared:
            where = f"{process_id}: {STARTED_BY_KEY}={rule.declared!r}"
            if rule.departments:
                bad = [code for code in rule.departments if not START_DEPARTMENT_PATTERN.match(code)]
                if bad:
                    problems.append(f"{where}: not department codes: {', '.join(bad)}")
                if rule.form is None:
                    problems.append(f"{where}: a start through the API needs a start form ({FORM_KEY})")
                elif rule.form not in specs.forms:
                    problems.append(f"{where}: start form {rule.form} is not in the bundle")
            elif rule.use_case or rule.called_only:
                if rule.form is not None:
                    problems.append(f"{where}: only a start by departments takes a start form")
                if rule.use_case and known_use_cases is not None and rule.use_case not in known_use_cases:
                    problems.append(f"{where}: unknown use case {rule.use_case!r}")
            else:
                problems.append(
                    f"{where}: expected usecase:<name>, departments:<code>,... or {CALLED_ONLY}"
                )


def _lint_data_names(specs: ProcessSpecs, problems: list[str]) -> None:
    """Refuse form fields and result variables named like the script sandbox's names (data_keys)."""
    for name, schema in sorted(specs.forms.items()):
        for key in sorted(schema.get("properties") or {}):
            if is_reserved_key(key):
                problems.append(f"{name}: field {key!r} would shadow a name of the script environment")
    for process_id, task_spec in _all_task_specs(specs):
        if isinstance(task_spec, ServiceTask) and is_reserved_key(task_spec.result_variable):
            problems.append(
                f"{process_id}/{task_spec.name}: result variable {task_spec.result_variable!r} would "
                "shadow a name of the script environment"
            )


def _lint_loop_merges(specs: ProcessSpecs, problems: list[str]) -> None:
    """Refuse a parallel gateway that merges a loop back: by BPMN it waits for ever (workflows.semantics)."""
    for process_id in specs.process_ids:
        top, subs = specs.spec_for(process_id)
        for wf_spec in (top, *subs.values()):
            for gateway in merges_its_own_loop(wf_spec):
                problems.append(
                    f"{process_id}/{gateway}: parallel gateway merges a flow that can only come back through "
                    "itself, so it would wait for ever; merge a loop with an exclusive gateway"
                )


def is_timer_catch(task_spec: Any) -> bool:
    """Tell whether a task spec waits on a timer."""
    return isinstance(task_spec, CatchingEvent) and isinstance(
        task_spec.event_definition, TimerEventDefinition
    )


def definition_summary(specs: ProcessSpecs) -> str:
    """Describe a bundle in one JSON line for the audit log."""
    return json.dumps({"sha256": specs.sha256, "processes": specs.process_ids}, ensure_ascii=False)
