"""Reading and writing the XML of an imported model (workflows.camunda_mapping): parsed with deploy's safe
settings (no DTD, no entities, no network), vendor keys recognised, our extension properties written."""

from __future__ import annotations

from typing import Any

from lxml import etree

from workflows.camunda_lanes import BPMN, local
from workflows.specs import MAX_FILE_BYTES, as_utf8_xml

SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
VENDORS = {
    "http://camunda.org/schema/1.0/bpmn": "camunda",
    "http://camunda.org/schema/1.0/dmn": "camunda",
    "http://activiti.org/bpmn": "activiti",
    "http://flowable.org/bpmn": "flowable",
}


class ModelImportRefused(Exception):
    """Files that cannot be read at all (not well-formed XML, not JSON, a DOCTYPE): each problem, as
    ``(zh, en)``, names the file and, for XML, the line."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(en for _, en in problems))
        self.problems = problems


def parse_xml(name: str, text: str) -> Any:
    """Parse as deploy does (workflows.specs): no DTD, no entities, no network; a refusal names the line."""
    if len(text.encode()) > MAX_FILE_BYTES:
        limit = MAX_FILE_BYTES
        raise ModelImportRefused(
            [(f"{name}：文件超过 {limit} 字节", f"{name}: file larger than {limit} bytes")]
        )
    doctype = [
        (f"{name}：不允许 DOCTYPE 和实体声明", f"{name}: DOCTYPE and entity declarations are not allowed")
    ]
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise ModelImportRefused(doctype)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(as_utf8_xml(text), parser=parser)
    except etree.XMLSyntaxError as error:
        line, what = error.lineno or 0, error.msg
        zh, en = (
            f"{name}:{line}：不是格式正确的 XML（{what}）",
            f"{name}:{line}: not well-formed XML ({what})",
        )
        raise ModelImportRefused([(zh, en)]) from error
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:  # hidden from the text check by its encoding
        raise ModelImportRefused(doctype)
    return root


def serialise(root: Any) -> str:
    """The mapped document: vendor namespaces dropped (nothing of theirs is left), ours declared on top."""
    prefixes: dict[str, str] = {}
    for node in root.iter():
        if isinstance(node.tag, str):
            prefixes.update({p: ns for p, ns in node.nsmap.items() if p})
    # Prefixes may be used in attribute values only (xsi:type="bpmn:tFormalExpression"): keep them all.
    keep = [p for p, ns in prefixes.items() if ns not in VENDORS]
    etree.cleanup_namespaces(root, top_nsmap={"spiffworkflow": SPIFF}, keep_ns_prefixes=keep)
    etree.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(root, encoding="unicode") + "\n"


def vendor(key: str) -> str | None:
    """An attribute's or element's local name when it is a vendor's (camunda:, flowable:, activiti:)."""
    if key.startswith("{"):
        ns, _, name = key[1:].partition("}")
        if ns in VENDORS:
            return name
    return None


def owner(node: Any) -> str | None:
    """The id of the element a note is about: a timer's event, not its event definition."""
    while node is not None and not (isinstance(node.tag, str) and node.get("id") and not _detail(node)):
        node = node.getparent()
    return node.get("id") if node is not None else None


def _detail(node: Any) -> bool:
    name = local(node)
    return name.endswith("EventDefinition") or name.endswith("LoopCharacteristics")


_LOOP_ORDER = ["loopCardinality", "loopDataInputRef", "loopDataOutputRef", "inputDataItem", "outputDataItem"]


def insert_loop_child(loop: Any, child: Any) -> None:
    """Insert ``child`` in a multiInstanceLoopCharacteristics where the BPMN schema's order wants it."""
    rank = _LOOP_ORDER.index(local(child))
    at = len(loop)
    for index, existing in enumerate(loop):
        name = local(existing)
        later = name not in _LOOP_ORDER or _LOOP_ORDER.index(name) > rank
        if name not in ("documentation", "extensionElements") and later:
            at = index
            break
    loop.insert(at, child)


def _extension_elements(node: Any) -> Any:
    found = node.find(f"{{{BPMN}}}extensionElements")
    if found is None:
        found = etree.Element(f"{{{BPMN}}}extensionElements")
        docs = node.findall(f"{{{BPMN}}}documentation")
        node.insert(node.index(docs[-1]) + 1 if docs else 0, found)
    return found


def add_extension(node: Any, name: str, text: str) -> None:
    """``<spiffworkflow:name>text</spiffworkflow:name>`` in the element's extension elements."""
    element = etree.SubElement(_extension_elements(node), f"{{{SPIFF}}}{name}")
    element.text = text


def properties_of(node: Any) -> dict[str, str]:
    extensions = node.find(f"{{{BPMN}}}extensionElements")
    found = extensions.find(f"{{{SPIFF}}}properties") if extensions is not None else None
    items = list(found) if found is not None else []
    return {p.get("name"): p.get("value") or "" for p in items if p.get("name")}


def set_property(node: Any, name: str, value: str) -> None:
    """Set one ``spiffworkflow:property`` of the element (replacing one of the same name)."""
    extensions = _extension_elements(node)
    properties = extensions.find(f"{{{SPIFF}}}properties")
    if properties is None:
        properties = etree.SubElement(extensions, f"{{{SPIFF}}}properties")
    for existing in properties.findall(f"{{{SPIFF}}}property"):
        if existing.get("name") == name:
            properties.remove(existing)
    etree.SubElement(properties, f"{{{SPIFF}}}property", name=name, value=value)
