"""Map a model drawn in Camunda Modeler, Flowable or Activiti to this service's conventions (issue 14,
point 6). What has one clear meaning here is rewritten, and said so (``mapped``); every other vendor
attribute or element is taken out and reported on its element with what to write instead (``problems``),
so the mapped files hold nothing the spiff parser would silently ignore. Framework-free: the caller passes
the registered departments (code -> Chinese and English name) and operators.

Mapped: ``candidateGroups`` naming one department (by code, Chinese or English name) -> the task's lane
(workflows.camunda_lanes); ``formKey``/``formRef`` naming a form of the upload -> ``formJsonSchemaFilename``;
``decisionRef`` -> ``spiffworkflow:calledDecisionId``; ``collection``/``elementVariable`` ->
``loopDataInputRef``/``inputDataItem``; a bare ISO timer (``P7D``) -> the quoted expression, ``${name}``
-> ``name``; simple JUEL conditions -> Python; ``camunda:properties`` -> ``spiffworkflow:properties``;
``candidateStarterGroups`` with a start form -> ``startedBy``; ``manualTask`` -> a user task with a
confirmation form (``confirm_done.json``); a ``dueDate`` of whole days -> ``dueInDays``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from workflows.camunda_forms import camunda_form_schema, form_data_schema
from workflows.camunda_lanes import BPMN, add_lanes, flow_nodes, local
from workflows.camunda_rewrites import (
    UNSUPPORTED,
    rewrite_expression,
    rewrite_literal,
    rewrite_timer,
    rewrite_unary_tests,
)
from workflows.camunda_texts import (
    CONFIRM_FORM,
    CONFIRM_SCHEMA,
    FIXES,
    GENERIC_FIX,
    OPERATOR_KEYS,
    TECHNICAL,
    say,
)
from workflows.camunda_xml import (
    ModelImportRefused,
    add_extension,
    insert_loop_child,
    owner,
    parse_xml,
    properties_of,
    serialise,
    set_property,
    vendor,
)
from workflows.extensions import FORM_KEY, LANE_PATTERN, STARTED_BY_KEY
from workflows.specs import BPMN_SUFFIXES

__all__ = ["CONFIRM_FORM", "MappedModel", "ModelImportRefused", "Note", "map_model"]


@dataclass(frozen=True)
class Note:
    """One thing the import did (mapped) or left to the designer (problem), on its element."""

    file: str
    element_id: str | None
    zh: str
    en: str


@dataclass
class MappedModel:
    files: dict[str, str]
    mapped: list[Note] = field(default_factory=list)
    problems: list[Note] = field(default_factory=list)
    process_ids: list[str] = field(default_factory=list)
    process_names: dict[str, str] = field(default_factory=dict)
    # Each named element's name by id (the page names elements, not ids).
    element_names: dict[str, str] = field(default_factory=dict)


def map_model(
    files: Mapping[str, str],
    departments: Mapping[str, tuple[str, str]],
    operators: Iterable[str] = (),
) -> MappedModel:
    """The mapped files, what was mapped and what is left, on its element; refuses unreadable files."""
    trees, camunda_forms, refused = {}, {}, []
    for name in sorted(files):
        try:
            if name.endswith((*BPMN_SUFFIXES, ".dmn")):
                trees[name] = parse_xml(name, files[name])
            elif name.endswith((".json", ".form")):
                loaded = json.loads(files[name])
                if name.endswith(".form"):
                    camunda_forms[name] = loaded if isinstance(loaded, dict) else {}
        except ModelImportRefused as error:
            refused.extend(error.problems)
        except ValueError as error:
            refused.append((f"{name}：不是有效的 JSON（{error}）", f"{name}: not valid JSON ({error})"))
    if refused:
        raise ModelImportRefused(refused)
    result = MappedModel(files={n: t for n, t in files.items() if n not in camunda_forms})
    mapper = _Mapper(result, departments, sorted(operators), {n for n in files if n.endswith(".json")})
    for name, form in camunda_forms.items():
        mapper.camunda_form(name, form)
    for name, root in trees.items():
        mapper.map_file(name, root)
        result.files[name] = serialise(root)
    if mapper.needs_confirm_form and CONFIRM_FORM not in result.files:
        result.files[CONFIRM_FORM] = json.dumps(CONFIRM_SCHEMA, ensure_ascii=False, indent=2) + "\n"
    return result


class _Mapper:
    def __init__(
        self,
        result: MappedModel,
        departments: Mapping[str, tuple[str, str]],
        operators: list[str],
        forms: set[str],
    ) -> None:
        self.result, self.departments, self.forms = result, departments, forms
        self.operators = "、".join(operators) or "-", ", ".join(operators) or "-"
        self.by_name = {n.strip().lower(): c for c, names in departments.items() for n in (c, *names)}
        self.needs_confirm_form = False
        self.file = ""

    def camunda_form(self, name: str, form: dict[str, Any]) -> None:
        """A Camunda Form (``x.form``) as the JSON Schema form ``x.json`` of the draft."""
        stem = name[: -len(".form")]
        target = f"{stem}.json" if f"{stem}.json" not in self.result.files else f"{stem}_form.json"
        schema, dropped = camunda_form_schema(form, stem)
        self.result.files[target] = json.dumps(schema, ensure_ascii=False, indent=2) + "\n"
        self.forms.add(target)
        fields = ", ".join(schema["properties"]) or "-"
        self.result.mapped.append(
            Note(target, None, *say("camunda_form", value=name, form=target, fields=fields))
        )
        self.result.problems.append(Note(target, None, *say("form_titles", form=target)))
        if dropped:
            text = say("form_dropped", form=target, dropped="; ".join(dropped))
            self.result.problems.append(Note(target, None, *text))

    def done(self, node: Any, key: str, **values: Any) -> None:
        self.result.mapped.append(Note(self.file, owner(node), *say(key, **values)))

    def left(self, node: Any, key: str, **values: Any) -> None:
        self.result.problems.append(Note(self.file, owner(node), *say(key, **values)))

    def map_file(self, name: str, root: Any) -> None:
        self.file = name
        if name.endswith(".dmn"):
            self._decision_tables(root)
            self._strip_vendor(root)
            return
        for process in root.iter(f"{{{BPMN}}}process"):
            self.result.process_ids.append(process.get("id"))
            self.result.process_names[process.get("id")] = process.get("name") or process.get("id")
            starters = self._starter_groups(process)
            given: dict[str, str] = {}
            for node in list(process.iter()):
                if isinstance(node.tag, str):
                    self._map_node(node, given)
            self._strip_vendor(process)
            self._lanes(root, process, given)
            self._start(process, starters, given)
        self._strip_vendor(root)
        for node in root.iter():
            if isinstance(node.tag, str) and node.get("id") and node.get("name"):
                self.result.element_names.setdefault(node.get("id"), node.get("name"))

    def _decision_tables(self, root: Any) -> None:
        """FEEL's lists, ranges and negations in input entries, and its true/false/null in output entries,
        as SpiffWorkflow reads a decision table (Python, ``?`` for the input's value)."""
        for entry in root.iter("{*}inputEntry", "{*}outputEntry"):
            text = entry.find("{*}text")
            if text is None or not text.text:
                continue
            value = text.text.strip()
            input_entry = local(entry) == "inputEntry"
            rewritten = rewrite_unary_tests(value) if input_entry else rewrite_literal(value)
            if rewritten == UNSUPPORTED:
                self.left(entry, "feel_unsupported", value=value)
            elif rewritten is not None:
                text.text = rewritten
                self.done(entry, "feel", value=value, rewritten=rewritten)

    # -- one element ---------------------------------------------------------------------------------

    def _map_node(self, node: Any, given: dict[str, str]) -> None:
        kind = local(node)
        if kind == "manualTask":
            node.tag = f"{{{BPMN}}}userTask"
            set_property(node, FORM_KEY, CONFIRM_FORM)
            self.needs_confirm_form = True
            self.done(node, "manual", form=CONFIRM_FORM)
        for key in sorted(node.attrib):
            name = vendor(key)
            if name is not None:
                self._map_attribute(node, name, node.attrib.pop(key), given)
        if kind in ("timeDuration", "timeDate", "timeCycle") and node.text:
            self._timer(node)
        elif kind == "conditionExpression" and node.text and ("${" in node.text or "#{" in node.text):
            self._condition(node)
        elif kind == "script" and node.getparent() is not None and local(node.getparent()) == "scriptTask":
            language = (node.getparent().get("scriptFormat") or "python").lower()
            if language not in ("python", "py"):
                self.left(node, "script", value=language)
        if kind == "extensionElements" and node.getparent() is not None:
            self._vendor_extensions(node)

    def _vendor_extensions(self, extensions: Any) -> None:
        """Camunda's extension properties and generated form fields of the element owning ``extensions``."""
        element = extensions.getparent()
        for child in [c for c in extensions if isinstance(c.tag, str) and vendor(c.tag) == "formData"]:
            self._form_data(element, child)
        for child in [c for c in extensions if isinstance(c.tag, str) and vendor(c.tag) == "properties"]:
            for prop in child:
                if isinstance(prop.tag, str) and prop.get("name"):
                    set_property(element, prop.get("name"), prop.get("value") or "")
                    self.done(element, "property", name=prop.get("name"))

    def _form_data(self, node: Any, element: Any) -> None:
        """Camunda's generated form fields as a JSON Schema form of the draft, named after the task."""
        stem = re.sub(r"[^A-Za-z0-9_.\-]", "_", node.get("id") or "form")[:100]
        name = f"{stem}.json" if f"{stem}.json" not in self.result.files else f"{stem}_form.json"
        title = node.get("name") or node.get("id") or name
        schema, dropped = form_data_schema(element, title, properties_of(node).get("nameEn") or title)
        self.result.files[name] = json.dumps(schema, ensure_ascii=False, indent=2) + "\n"
        self.forms.add(name)
        set_property(node, FORM_KEY, name)
        element.getparent().remove(element)
        self.done(node, "form_data", form=name, fields=", ".join(schema["properties"]) or "-")
        self.left(node, "form_titles", form=name)
        if dropped:
            self.left(node, "form_dropped", form=name, dropped="; ".join(dropped))

    def _map_attribute(self, node: Any, name: str, value: str, given: dict[str, str]) -> None:
        days = re.fullmatch(r"\s*P(\d{1,4})D\s*", value)
        if name == "candidateGroups":
            self._groups(node, value, given)
        elif name in ("formKey", "formRef"):
            self._form(node, value)
        elif name == "decisionRef":
            add_extension(node, "calledDecisionId", value.strip())
            self.done(node, "decision", value=value)
        elif name in ("collection", "elementVariable"):
            self._loop(node, name, value)
        elif name in OPERATOR_KEYS:
            self.left(
                node, "operator", name=name, value=value, ops_zh=self.operators[0], ops_en=self.operators[1]
            )
        elif name == "dueDate" and days:
            set_property(node, "dueInDays", days[1])
            self.done(node, "due", value=value, days=days[1])
        elif name == "candidateStarterGroups":
            pass  # read with the process's start event (_starter_groups)
        else:
            self._removed(node, name, value)

    def _removed(self, node: Any, name: str, value: str | None = None) -> None:
        if name in TECHNICAL:
            self.done(node, "technical", name=name)
            return
        fix_zh, fix_en = FIXES.get(name, GENERIC_FIX)
        if value is None:
            self.left(node, "removed_element", name=name, fix_zh=fix_zh, fix_en=fix_en)
        else:
            self.left(node, "removed_attribute", name=name, value=value, fix_zh=fix_zh, fix_en=fix_en)

    def _department(self, name: str) -> str | None:
        """The code of a department named by code, Chinese or English name, or a scoped template of a
        registered kind (``police_station:{town}``)."""
        code = self.by_name.get(name.strip().lower())
        kind, _, scope = name.strip().partition(":")
        if code is None and LANE_PATTERN.match(name.strip()) and scope.startswith("{"):
            code = name.strip() if any(c.startswith(f"{kind}:") for c in self.departments) else None
        return code

    def _groups(self, node: Any, value: str, given: dict[str, str]) -> None:
        names = [n.strip() for n in value.split(",") if n.strip()]
        codes = [self._department(n) for n in names]
        if len(set(codes)) == 1 and codes[0] is not None:
            given[node.get("id")] = code = codes[0]
            dept_zh, dept_en = self.departments.get(code, (code, code))
            self.done(node, "group", value=value, code=code, dept_zh=dept_zh, dept_en=dept_en)
        elif names and all(codes):
            self.left(node, "group_many", value=value)
        else:
            listed = sorted(self.departments.items())
            valid_zh = "、".join(f"{zh} {code}" for code, (zh, _) in listed)
            valid_en = "; ".join(f"{en} {code}" for code, (_, en) in listed)
            self.left(node, "group_unknown", value=value, valid_zh=valid_zh, valid_en=valid_en)

    def _form(self, node: Any, value: str) -> None:
        base = re.split(r"[:/]", value.strip())[-1]
        stem = base.rsplit(".", 1)[0] if "." in base else base
        found = next((n for n in (base, f"{stem}.json") if n in self.forms), None)
        if found is not None:
            set_property(node, FORM_KEY, found)
            self.done(node, "form", value=value, form=found)
        else:
            self.left(node, "form_missing", value=value, stem=stem or "form")

    def _loop(self, node: Any, name: str, value: str) -> None:
        match = re.fullmatch(r"\s*(?:[$#]\{\s*)?([A-Za-z_]\w*)\s*\}?\s*", value)
        if match is None:
            self.left(node, "loop_expression", name=name, value=value)
            return
        tag = "loopDataInputRef" if name == "collection" else "inputDataItem"
        child = etree.Element(f"{{{BPMN}}}{tag}")
        if tag == "inputDataItem":
            child.set("id", match[1])
            child.set("name", match[1])
        else:
            child.text = match[1]
        insert_loop_child(node, child)
        self.done(node, "loop", name=name, tag=tag, value=match[1])

    def _timer(self, node: Any) -> None:
        text = node.text.strip()
        rewritten = rewrite_timer(text)
        if rewritten is not None:
            node.text = rewritten
            self.done(node, "timer", value=text, rewritten=rewritten)
        elif "${" in text or "#{" in text:
            self.left(node, "timer_expression", value=text)

    def _condition(self, node: Any) -> None:
        text = node.text.strip()
        rewritten = rewrite_expression(text)
        if rewritten is None:
            self.left(node, "condition_expression", value=text)
            return
        node.text = rewritten
        self.done(node, "condition", value=text, rewritten=rewritten)

    # -- vendor elements, lanes, the start -----------------------------------------------------------

    def _strip_vendor(self, scope: Any) -> None:
        """Take out every vendor attribute and element left, each said as mapped (engine settings) or as a
        problem with its fix (``camunda:properties`` were copied already)."""
        for node in list(scope.iter()):
            if not isinstance(node.tag, str):
                continue
            for key in [k for k in node.attrib if vendor(k) is not None]:
                self._removed(node, str(vendor(key)), node.attrib.pop(key))
            name, parent = vendor(node.tag), node.getparent()
            if name is None or parent is None or vendor(parent.tag) is not None:
                continue
            if name != "properties":
                self._removed(node, name)
            parent.remove(node)
            if local(parent) == "extensionElements" and len(parent) == 0:
                parent.getparent().remove(parent)

    def _starter_groups(self, process: Any) -> list[str] | None:
        declared = ""
        for key in list(process.attrib):
            if vendor(key) == "candidateStarterGroups":
                declared = process.attrib.pop(key)
        codes = [self._department(n) for n in declared.split(",") if n.strip()]
        return [c for c in codes if c] if codes and all(codes) else None

    def _lanes(self, root: Any, process: Any, given: dict[str, str]) -> None:
        if not given:
            return
        if process.find(f"{{{BPMN}}}laneSet") is not None:
            self._existing_lanes(process, given)
            return
        codes = add_lanes(root, process, given)
        self.done(process, "lanes", codes_zh="、".join(codes), codes_en=", ".join(codes))

    def _existing_lanes(self, process: Any, given: dict[str, str]) -> None:
        """A model drawn with lanes keeps them: a lane named by a department's name gets its code, and a
        task whose candidate group is another department is reported."""
        for lane in process.iter(f"{{{BPMN}}}lane"):
            name = (lane.get("name") or "").strip()
            code = self._department(name)
            if code is not None and code != name:
                lane.set("name", code)
                self.done(lane, "lane_renamed", value=name, code=code)
            refs = {ref.text for ref in lane.iter(f"{{{BPMN}}}flowNodeRef")}
            for node_id, wanted in given.items():
                if node_id in refs and wanted != lane.get("name"):
                    found = process.xpath(".//*[@id=$id]", id=node_id)
                    self.left(found[0] if found else lane, "lane_differs", code=wanted, lane=lane.get("name"))

    def _start(self, process: Any, starters: list[str] | None, given: dict[str, str]) -> None:
        for start in [n for n in flow_nodes(process) if local(n) == "startEvent"]:
            declared = properties_of(start)
            if STARTED_BY_KEY in declared:
                continue
            if starters and declared.get(FORM_KEY):
                set_property(start, STARTED_BY_KEY, "departments:" + ",".join(starters))
                self.done(start, "starters", codes=",".join(starters))
                continue
            lane = (starters or list(given.values()) or ["police_bureau"])[0]
            self.left(start, "start_missing", lane=lane)
