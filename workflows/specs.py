"""Parse, validate and lint a bundle of BPMN, DMN and form files.

A *bundle* is the unit that is deployed: a mapping of file name to text. It is parsed here and nowhere
else, with an XML parser that refuses DOCTYPEs and external entities; our BPMN extension keys are read in
``workflows.extensions`` and our conventions checked in ``workflows.lint``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.specs.defaults import UserTask

from workflows.budget import bound_activities
from workflows.camunda import camunda_problems
from workflows.data_labels import DATA_LABELS_FILE, DataLabelsError, load_data_labels
from workflows.extensions import (
    FORM_KEY,
    StartRule,
    UserTaskInfo,
    process_english_name,
    start_declarations,
    user_task_info,
)
from workflows.forms import FormBundle, FormError, load_form_schema
from workflows.lint import lint_bundle
from workflows.problems import Problem, from_text
from workflows.semantics import use_service_semantics
from workflows.timers import use_service_clock
from workflows.validation_errors import validation_problem

MAX_FILE_BYTES = 2_000_000
# `.bpmn20.xml` is the name Activiti, Flowable and Camunda give their BPMN files.
BPMN_SUFFIXES = (".bpmn", ".bpmn20.xml")


class DefinitionError(Exception):
    """A bundle that cannot be deployed; ``found`` holds every reason found, each on its element or file in
    Chinese and English (workflows.problems), ``problems`` the same as lines of text."""

    def __init__(self, problems: Sequence[Problem | str]) -> None:
        self.found = [p if isinstance(p, Problem) else from_text(p) for p in problems]
        self.problems = [str(p) for p in self.found]
        # The English alone, ``<where>: <en>``: the exception's message (logs are in English).
        self.english = [f"{p.where}: {p.en}" if p.where else p.en for p in self.found]
        super().__init__("; ".join(self.english))


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
    # A process's English name (`nameEn` on the process element); the Chinese name when it has none.
    process_names_en: dict[str, str] = field(default_factory=dict)
    # What the keys the service writes are called (workflows.data_labels); empty when the bundle has none.
    data_labels: dict[str, Any] = field(default_factory=dict)

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
    paths = (
        [path]
        if path.is_file()
        else sorted(p for p in path.rglob("*") if p.name.endswith((*BPMN_SUFFIXES, ".dmn")))
    )
    if not paths:
        raise DefinitionError(
            [
                Problem(
                    f"{path} 中没有 .bpmn 或 .dmn 文件",
                    f"no .bpmn or .dmn files found in {path}",
                    rule="parse",
                )
            ]
        )
    files = {p.name: decode_xml(p.read_bytes()) for p in paths}
    labels = path / DATA_LABELS_FILE
    if path.is_dir() and labels.is_file():  # the titles of the data the folder's processes write
        files[DATA_LABELS_FILE] = labels.read_text(encoding="utf-8")
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
        m.group(1)
        for name, text in files.items()
        if name.endswith(BPMN_SUFFIXES)
        for m in pattern.finditer(text)
    }


# The XML declaration's encoding: a bundle's file arrives as text (already decoded), so whatever encoding it
# declares (GBK, GB18030, UTF-16, ISO-8859-1 from Chinese modelling tools) no longer describes it.
_DECLARED_ENCODING = re.compile(r"""^(\ufeff?\s*<\?xml[^>]*?\sencoding\s*=\s*)(["'])([A-Za-z][\w.:-]*)\2""")


def as_utf8_xml(text: str) -> bytes:
    """``text`` as UTF-8 bytes whose XML declaration says UTF-8: lxml trusts the declared encoding, so a
    file declaring GBK and handed over as UTF-8 was refused, and one declaring ISO-8859-1 was garbled."""
    return _DECLARED_ENCODING.sub(r"\1\2UTF-8\2", text.lstrip("\ufeff"), count=1).encode()


def decode_xml(raw: bytes) -> str:
    """A file's bytes as text, in the encoding it declares (or by its byte-order mark; UTF-8 otherwise)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8")
    declared = re.match(rb"""^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z][\w.:-]*)["']""", raw)
    try:
        return raw.decode(declared.group(1).decode() if declared else "utf-8")
    except LookupError:
        return raw.decode("utf-8")


def _safe_xml(name: str, text: str) -> Any:
    if len(text.encode()) > MAX_FILE_BYTES:
        raise DefinitionError(
            [_in_file(name, f"文件超过 {MAX_FILE_BYTES} 字节", f"file larger than {MAX_FILE_BYTES} bytes")]
        )
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise DefinitionError([_no_doctype(name)])
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(as_utf8_xml(text), parser=parser)
    except etree.XMLSyntaxError as error:
        raise DefinitionError(
            [_in_file(name, f"不是格式正确的 XML（{error}）", f"not well-formed XML ({error})")]
        ) from error
    # The text check above misses a DOCTYPE hidden by another encoding (e.g. UTF-7); the parsed tree cannot.
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise DefinitionError([_no_doctype(name)])
    return root


def _in_file(name: str, zh: str, en: str) -> Problem:
    return Problem(zh, en, file=name, rule="parse")


# What a form or data-label file's refusal says (workflows/forms.py, workflows/data_labels.py), in Chinese.
_FILE_ERRORS = (
    ("is not valid JSON", "不是有效的 JSON"),
    ("must be a JSON Schema of type object", "须是 type 为 object 的 JSON Schema"),
    ("is not a valid JSON Schema", "不是有效的 JSON Schema"),
    ("must be an object with", '须是含 "labels" 的对象：{数据项: 标签}'),
    ('"order" must be a list', '"order" 须是数据项的列表'),
)


def _file_error(name: str, said: str) -> Problem:
    """A form or data-label file refused as a whole."""
    zh = next((zh for english, zh in _FILE_ERRORS if english in said), "无法读取")
    detail = said.split(": ", 1)[1] if ": " in said else ""
    return Problem(f"{zh}{f'（{detail}）' if detail else ''}", said, file=name, rule="parse")


def _no_doctype(name: str) -> Problem:
    return _in_file(name, "不允许 DOCTYPE 和实体声明", "DOCTYPE and entity declarations are not allowed")


def parse_bundle(
    files: Mapping[str, str],
    known_operators: Iterable[str] | None = None,
    known_use_cases: Iterable[str] | None = None,
    *,
    stored: bool = False,
    known_panels: Iterable[str] | None = None,
    known_row_sources: Iterable[str] | None = None,
    known_departments: Mapping[str, tuple[str, str]] | None = None,
) -> ProcessSpecs:
    """Parse and lint a bundle; raise DefinitionError listing every problem found.

    ``stored``: the bundle was deployed before and is loaded again; a form that rules added since then
    refuse is kept (it refuses submissions, ``FormBundle.validate``) rather than failing the whole bundle.

    Deploy passes the service's operators and start use cases: then every process must declare how it
    starts. (A bundle stored before that rule still loads; its processes just cannot be started.)
    It passes the grounds panels the service renders too: a user task may name only those (``grounds``),
    and the row sources its forms' tables may list (``x-rows``), and the registered departments (code to
    Chinese and English name) the lanes must name.
    """
    parser = SpiffBpmnParser(validator=VALIDATOR)
    problems: list[Problem] = []
    forms: dict[str, dict[str, Any]] = {}
    data_labels: dict[str, Any] = {}
    for name in sorted(files):
        text = files[name]
        try:
            if name.endswith(BPMN_SUFFIXES):
                tree = _safe_xml(name, text)
                if known_use_cases is not None and not stored:  # deploy: Camunda's keys would be lost
                    problems.extend(camunda_problems(name, tree))
                parser.add_bpmn_xml(tree, filename=name)
            elif name.endswith(".dmn"):
                parser.add_dmn_xml(_safe_xml(name, text), filename=name)
            elif name == DATA_LABELS_FILE:
                data_labels = load_data_labels(text)
            elif name.endswith(".json"):
                forms[name] = load_form_schema(name, text)
            else:
                problems.append(
                    _in_file(
                        name,
                        "不支持的文件类型（只能是 .bpmn、.bpmn20.xml、.dmn 或 .json）",
                        "unsupported file type",
                    )
                )
        except DefinitionError as error:
            problems.extend(error.found)
        except ValidationException as error:
            problems.append(validation_problem(error, name, known_operators))
        except (FormError, DataLabelsError) as error:
            problems.append(_file_error(name, str(error)))
    bundle_forms = FormBundle(forms)
    if not stored:
        problems.extend(from_text(text, files) for text in bundle_forms.problems)
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
        raise DefinitionError([validation_problem(error, "", known_operators)]) from error
    if not process_ids:
        raise DefinitionError(
            [
                Problem(
                    '流程定义包中没有可执行的流程（isExecutable="true"）',
                    "the bundle holds no executable process",
                    rule="parse",
                )
            ]
        )
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
        process_names_en={
            pid: process_english_name(parser.process_parsers[pid].node) or top_level[pid].description or pid
            for pid in process_ids
        },
        data_labels=data_labels,
    )
    for process_id in process_ids:
        declared = start_declarations(top_level[process_id])
        specs.start_rules[process_id] = declared[0] if len(declared) == 1 else None
    problems.extend(
        lint_bundle(
            specs,
            known_operators,
            known_use_cases,
            stored,
            known_panels,
            known_row_sources,
            known_departments,
        )
    )
    if problems:
        raise DefinitionError(problems)
    return specs


def use_service_behaviour(wf_spec: Any) -> None:
    """Give a parsed process the service's run-time behaviour: timers on the service clock, bounded
    activities and BPMN's joins (workflows.semantics). Every parse the engine runs goes through here."""
    use_service_clock(wf_spec.task_specs.values())
    bound_activities(wf_spec.task_specs.values())
    use_service_semantics(wf_spec)


def definition_summary(specs: ProcessSpecs) -> str:
    """Describe a bundle in one JSON line for the audit log."""
    return json.dumps({"sha256": specs.sha256, "processes": specs.process_ids}, ensure_ascii=False)
