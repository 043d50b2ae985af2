"""Lanes for an imported model (issue 14, point 6): Camunda gives a user task to candidate groups, here a
task goes to the department whose code names its lane. ``add_lanes`` builds the lane set of a process
from the departments its tasks were given to, and redraws its diagram so the modeler shows the lanes: one
horizontal band per department inside a pool, each element moved down into its band (x unchanged), the
flows between bands redrawn with one elbow. Framework-free; works on a parsed lxml tree."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from lxml import etree

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
_PAD = 40  # around the elements in each band
_HEADER = 30  # the pool's title column
# Children of a process that come before its lane set (BPMN 2.0 XSD, tProcess).
_BEFORE_LANES = {"documentation", "extensionElements", "auditing", "monitoring", "property"}
_NOT_NODES = {"sequenceFlow", "laneSet", "dataObject", "textAnnotation", "association", "group", "property"}
_NOT_NODES |= _BEFORE_LANES | {"ioSpecification", "dataStoreReference", "dataObjectReference"}


def local(node: Any) -> str:
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


def flow_nodes(process: Any) -> list[Any]:
    """The flow nodes directly in ``process`` (a subprocess's own nodes lie in its lane with it)."""
    return [
        n
        for n in process
        if isinstance(n.tag, str)
        and n.tag.startswith(f"{{{BPMN}}}")
        and local(n) not in _NOT_NODES
        and n.get("id")
    ]


def lane_id(code: str) -> str:
    return "Lane_" + re.sub(r"\W", "_", code)


def add_lanes(root: Any, process: Any, given: Mapping[str, str]) -> list[str]:
    """Put each node of ``given`` (node id -> department code) in the lane of its department, and every
    other node in the lane of its nearest neighbour (a lane draws them, it decides nothing for them).
    Returns the lane codes in the order created. ``process`` must have no lane set yet."""
    nodes = flow_nodes(process)
    lanes: dict[str, str] = dict(given)
    top = {n.get("id"): n for n in nodes}
    inner = [node_id for node_id in given if node_id not in top]
    for node_id in inner:  # a task inside a subprocess: the subprocess is drawn in its lane
        found = process.xpath(".//*[@id=$id]", id=node_id)
        ancestor = next((a for a in found[0].iterancestors() if a.get("id") in top), None) if found else None
        if ancestor is not None:
            lanes.setdefault(ancestor.get("id"), given[node_id])
    _follow_neighbours(process, nodes, lanes)
    codes = list(dict.fromkeys([*(lanes[i] for i in top if i in lanes), *(given[i] for i in inner)]))
    lane_set = etree.Element(f"{{{BPMN}}}laneSet", id=f"LaneSet_{process.get('id')}")
    for code in codes:
        lane = etree.SubElement(lane_set, f"{{{BPMN}}}lane", id=lane_id(code), name=code)
        # SpiffWorkflow reads the lanes of the whole document by node id, a subprocess's tasks included.
        for node_id in [*top, *inner]:
            if lanes.get(node_id) == code:
                etree.SubElement(lane, f"{{{BPMN}}}flowNodeRef").text = node_id
    at = 0
    for at, child in enumerate(process):  # noqa: B007 - the position after the last leading child
        if not (isinstance(child.tag, str) and local(child) in _BEFORE_LANES):
            break
    else:
        at = len(process)
    process.insert(at, lane_set)
    _redraw(
        root,
        process,
        codes,
        {n.get("id"): codes.index(lanes[n.get("id")]) for n in nodes if n.get("id") in lanes},
    )
    return codes


def _follow_neighbours(process: Any, nodes: list[Any], lanes: dict[str, str]) -> None:
    """Give each node without a department the lane of its host (boundary events), else of the nearest
    node before it, else after it, along the sequence flows."""
    before: dict[str, list[str]] = {}
    after: dict[str, list[str]] = {}
    for flow in process.iter(f"{{{BPMN}}}sequenceFlow"):
        before.setdefault(flow.get("targetRef"), []).append(flow.get("sourceRef"))
        after.setdefault(flow.get("sourceRef"), []).append(flow.get("targetRef"))
    ids = [n.get("id") for n in nodes]
    for node in nodes:
        host = node.get("attachedToRef")
        if host and host in lanes and node.get("id") not in lanes:
            lanes[node.get("id")] = lanes[host]
    for links in (before, after, before, after):
        for node_id in ids:
            if node_id in lanes:
                continue
            found = _nearest(node_id, links, lanes)
            if found is not None:
                lanes[node_id] = found
    for node in nodes:  # a boundary event whose host got its lane only now
        host = node.get("attachedToRef")
        if host in lanes:
            lanes[node.get("id")] = lanes[host]


def _nearest(start: str, links: Mapping[str, list[str]], lanes: Mapping[str, str]) -> str | None:
    seen, queue = {start}, [start]
    while queue:
        following = []
        for node_id in queue:
            for other in links.get(node_id, []):
                if other in lanes:
                    return lanes[other]
                if other not in seen:
                    seen.add(other)
                    following.append(other)
        queue = following
    return None


def _redraw(root: Any, process: Any, codes: list[str], band_of: Mapping[str, int]) -> None:
    """Draw the lanes in the diagram showing ``process``; a model with no diagram for it stays without."""
    plane, participant = _plane_of(root, process)
    if plane is None:
        return
    shapes = {s.get("bpmnElement"): s for s in plane.iter(f"{{{BPMNDI}}}BPMNShape")}
    # Each band as tall as what it holds: its elements, and the flows between them (one drawn around the
    # others, above them, stays in its band); each element keeps its place within its band.
    extents: list[list[tuple[float, float, float, float]]] = [[] for _ in codes]
    for node, index in band_of.items():
        box = _bounds(shapes[node]) if node in shapes else None
        if box is not None:
            extents[index].append(box)
    for edge, (source, target) in _edge_ends(plane, process):
        if source in band_of and band_of.get(source) == band_of.get(target):
            extents[band_of[source]] += [(x, y, 0.0, 0.0) for x, y in _points(edge)]
    every = [box for boxes in extents for box in boxes]
    if not every:
        return
    min_x = min(b[0] for b in every)
    max_x = max(b[0] + b[2] for b in every)
    tops, heights, offsets = [], [], []
    top = min(b[1] for b in extents[0]) - _PAD if extents[0] else min(b[1] for b in every) - _PAD
    for boxes in extents:
        low = min((b[1] for b in boxes), default=0.0)
        high = max((b[1] + b[3] for b in boxes), default=low + _PAD)
        tops.append(top)
        heights.append(high - low + 2 * _PAD)
        offsets.append(top + _PAD - low)
        top += heights[-1]
    shift = {node: offsets[index] for node, index in band_of.items()}
    for node, dy in shift.items():
        if node in shapes and dy:
            for b in shapes[node].iter(f"{{{DC}}}Bounds"):  # the shape and its label
                b.set("y", _num(float(b.get("y", 0)) + dy))
    _redraw_edges(plane, process, shift)
    pool = (min_x - _PAD - _HEADER, tops[0], max_x - min_x + 2 * _PAD + _HEADER, top - tops[0])
    if participant is None:
        participant = _add_pool(root, process, plane)
    shape = shapes.get(participant.get("id"))
    if shape is None:
        shape = etree.Element(
            f"{{{BPMNDI}}}BPMNShape",
            id=f"{participant.get('id')}_di",
            bpmnElement=participant.get("id"),
            isHorizontal="true",
        )
        etree.SubElement(shape, f"{{{DC}}}Bounds")
        plane.insert(0, shape)
    _set_bounds(shape.find(f"{{{DC}}}Bounds"), pool)
    for index, code in enumerate(codes):
        lane = etree.Element(
            f"{{{BPMNDI}}}BPMNShape", id=f"{lane_id(code)}_di", bpmnElement=lane_id(code), isHorizontal="true"
        )
        box = (pool[0] + _HEADER, tops[index], pool[2] - _HEADER, heights[index])
        _set_bounds(etree.SubElement(lane, f"{{{DC}}}Bounds"), box)
        plane.insert(plane.index(shape) + 1 + index, lane)


def _edge_ends(plane: Any, process: Any) -> list[tuple[Any, tuple[str, str]]]:
    """Each drawn flow of ``process`` with its source and target ids."""
    ends = {
        f.get("id"): (f.get("sourceRef"), f.get("targetRef"))
        for f in process.iter()
        if isinstance(f.tag, str) and f.get("sourceRef") and f.get("targetRef")
    }
    return [
        (edge, ends[edge.get("bpmnElement")])
        for edge in plane.iter(f"{{{BPMNDI}}}BPMNEdge")
        if edge.get("bpmnElement") in ends
    ]


def _points(edge: Any) -> list[tuple[float, float]]:
    return [(float(p.get("x", 0)), float(p.get("y", 0))) for p in edge.findall(f"{{{DI}}}waypoint")]


def _redraw_edges(plane: Any, process: Any, shift: Mapping[str, float]) -> None:
    for edge, (source, target) in _edge_ends(plane, process):
        ds, dt = shift.get(source, 0), shift.get(target, 0)
        points = edge.findall(f"{{{DI}}}waypoint")
        if len(points) < 2:
            continue
        if ds == dt:
            for p in points:
                p.set("y", _num(float(p.get("y", 0)) + ds))
        else:
            first = (float(points[0].get("x", 0)), float(points[0].get("y", 0)) + ds)
            last = (float(points[-1].get("x", 0)), float(points[-1].get("y", 0)) + dt)
            route = [first, last]
            if first[0] != last[0]:
                middle = (first[0] + last[0]) / 2
                route = [first, (middle, first[1]), (middle, last[1]), last]
            at = edge.index(points[0])
            for p in points:
                edge.remove(p)
            for offset, (x, y) in enumerate(route):
                edge.insert(at + offset, etree.Element(f"{{{DI}}}waypoint", x=_num(x), y=_num(y)))
        for b in edge.iter(f"{{{DC}}}Bounds"):  # the flow's label goes with its target
            b.set("y", _num(float(b.get("y", 0)) + dt))


def _plane_of(root: Any, process: Any) -> tuple[Any, Any]:
    """The diagram plane showing ``process`` and the participant (pool) of it, if any."""
    pid = process.get("id")
    participant = next((p for p in root.iter(f"{{{BPMN}}}participant") if p.get("processRef") == pid), None)
    shown = {pid} if participant is None else {participant.getparent().get("id")}
    for plane in root.iter(f"{{{BPMNDI}}}BPMNPlane"):
        if plane.get("bpmnElement") in shown:
            return plane, participant
    return None, participant


def _add_pool(root: Any, process: Any, plane: Any) -> Any:
    """A collaboration with one participant for ``process``: lanes are drawn inside a pool."""
    collaboration = etree.Element(f"{{{BPMN}}}collaboration", id=f"Collaboration_{process.get('id')}")
    participant = etree.SubElement(
        collaboration,
        f"{{{BPMN}}}participant",
        id=f"Participant_{process.get('id')}",
        processRef=process.get("id"),
    )
    if process.get("name"):
        participant.set("name", process.get("name"))
    root.insert(root.index(process), collaboration)
    plane.set("bpmnElement", collaboration.get("id"))
    return participant


def _bounds(shape: Any) -> tuple[float, float, float, float] | None:
    b = shape.find(f"{{{DC}}}Bounds")
    if b is None:
        return None
    try:
        return (float(b.get("x")), float(b.get("y")), float(b.get("width")), float(b.get("height")))
    except (TypeError, ValueError):
        return None


def _set_bounds(b: Any, box: tuple[float, float, float, float]) -> None:
    for key, value in zip(("x", "y", "width", "height"), box, strict=True):
        b.set(key, _num(value))


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"
