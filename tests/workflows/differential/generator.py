"""Random well-formed BPMN for the differential harness.

A model is built from blocks, each with one entry and one exit: user and script tasks, sequences,
exclusive, parallel and inclusive splits with their merges, loops (an exclusive merge, a body, a counter
and an exclusive split back), embedded subprocesses, call activities of generated processes,
multi-instance tasks, intermediate timer and message catches, boundary timers (interrupting, merged back
after the task, or not, ending on their own end event) and event subprocesses started by a timer or a
message. Blocks nest, so splits and merges also sit inside loops and loops inside branches.

Gateway conditions read ``pick``, a number every user task sets, so the harness's seeded answers choose
the branches; loops are bounded by their counters. Scripts change the data in place as well as by
assignment (``trail.append``, ``tally[...] = ...``), which is how models really use it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

START_DATA: dict[str, Any] = {"pick": 0, "trail": [], "tally": {"n": 0}, "items": [1, 2, 3]}
PICKS = 6  # user tasks set pick to 0..PICKS-1

FEATURES = (
    "user",
    "script",
    "exclusive",
    "parallel",
    "inclusive",
    "loop",
    "subprocess",
    "call_activity",
    "multi_instance",
    "boundary_timer",
    "timer_catch",
    "message_catch",
    "event_subprocess",
    "message_event_subprocess",
    "split_in_loop",
)


@dataclass
class _Process:
    id: str
    elements: list[str] = field(default_factory=list)
    flows: list[str] = field(default_factory=list)
    defaults: dict[str, str] = field(default_factory=dict)  # gateway id -> default flow id


@dataclass
class GeneratedModel:
    seed: int
    files: dict[str, str]
    process_id: str
    features: set[str]
    # Split and merge ids of the main process's blocks: in a well-formed model every activation of a
    # split is followed by exactly one of its merge (unless an interrupting event subprocess cuts the
    # main flow short, so then none are listed).
    pairs: list[tuple[str, str]]


class _Builder:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - reproducible models, not secrets
        self.counter = 0
        self.processes: list[_Process] = []
        self.messages: list[str] = []
        self.features: set[str] = set()
        self.budget = self.rng.randint(10, 28)  # how many blocks the model may grow to
        self.pairs: dict[str, list[tuple[str, str]]] = {}
        self.interrupted: set[str] = set()  # processes with an interrupting event subprocess
        self.timer_year = 2990

    def new_id(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def flow(self, proc: _Process, source: str, target: str, condition: str | None = None) -> str:
        flow_id = self.new_id("f")
        body = f"<conditionExpression>{escape(condition)}</conditionExpression>" if condition else ""
        proc.flows.append(
            f'<sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}">{body}</sequenceFlow>'
        )
        return flow_id

    def element(self, proc: _Process, tag: str, prefix: str, body: str = "", attrs: str = "") -> str:
        element_id = self.new_id(prefix)
        proc.elements.append(f'<{tag} id="{element_id}" name="{element_id}"{attrs}>{body}</{tag}>')
        return element_id

    def timer_date(self) -> str:
        self.timer_year += 1
        return f"<timeDate>'{self.timer_year}-01-01T00:00:00+00:00'</timeDate>"

    def script(self, proc: _Process, n: int | None = None) -> str:
        n = self.counter + 1 if n is None else n
        kind = self.rng.randrange(4)
        if kind == 0:
            code = f"s{n} = pick * 2 + {n}"
        elif kind == 1:
            code = f"trail.append({n})"
        elif kind == 2:
            code = f'tally["n"] = tally["n"] + {n}\ntally["last"] = {n}'
        else:
            code = f"trail = trail + [{n}]\nlast = {n}"
        self.features.add("script")
        return self.element(proc, "scriptTask", "s", f"<script>{escape(code)}</script>")

    # Blocks: each returns (entry id, exit id) inside ``proc``.

    def block(self, proc: _Process, depth: int, in_loop: bool) -> tuple[str, str]:
        self.budget -= 1
        if depth >= 4 or self.budget <= 0:
            return self.task(proc, in_loop)
        kinds = [
            "task",
            "task",
            "seq",
            "seq",
            "exclusive",
            "parallel",
            "inclusive",
            "loop",
            "subprocess",
            "call",
        ]
        kind = "loop" if depth == 0 and self.rng.random() < 0.4 else self.rng.choice(kinds)
        if kind == "task":
            return self.task(proc, in_loop)
        if kind == "seq":
            parts = [self.block(proc, depth + 1, in_loop) for _ in range(self.rng.randint(2, 3))]
            for (_, exit_), (entry, _) in zip(parts, parts[1:], strict=False):
                self.flow(proc, exit_, entry)
            return parts[0][0], parts[-1][1]
        if kind in ("exclusive", "parallel", "inclusive"):
            return self.split(proc, kind, depth, in_loop)
        if kind == "loop":
            return self.loop(proc, depth, in_loop)
        if kind == "subprocess":
            return self.subprocess(proc, depth)
        return self.call_activity(proc, depth)

    def task(self, proc: _Process, in_loop: bool) -> tuple[str, str]:
        roll = self.rng.random()
        if roll < 0.12:
            self.features.add("timer_catch")
            element = self.element(
                proc,
                "intermediateCatchEvent",
                "tc",
                f"<timerEventDefinition>{self.timer_date()}</timerEventDefinition>",
            )
            return element, element
        if roll < 0.2:
            self.features.add("message_catch")
            name = self.new_id("msg")
            self.messages.append(name)
            element = self.element(
                proc, "intermediateCatchEvent", "mc", f'<messageEventDefinition messageRef="{name}"/>'
            )
            return element, element
        if roll < 0.41:
            element = self.script(proc)
            if self.rng.random() < 0.2:
                self._make_multi_instance(proc)
            return element, element
        if roll < 0.45:
            # A multi-instance over a collection of the data, each instance's result collected.
            # The collection is emptied first: a loop's next pass would find the last pass's results.
            n = self.counter + 1
            empty = self.element(proc, "scriptTask", "s", f"<script>out{n} = []</script>")
            element = self.element(proc, "scriptTask", "s", f"<script>done{n} = item{n} * 2 + pick</script>")
            self._make_multi_instance(proc, over_items=n)
            self.flow(proc, empty, element)
            return empty, element
        self.features.add("user")
        element = self.element(proc, "userTask", "u")
        if self.rng.random() < 0.2:
            self._make_multi_instance(proc)
        if self.rng.random() < 0.3:
            return self.boundary_timer(proc, element)
        return element, element

    def _make_multi_instance(self, proc: _Process, over_items: int | None = None) -> None:
        """Make the element just added a multi-instance activity: a number of times, or over ``items``
        (a script: each instance's ``item<n>`` gives ``done<n>``, collected in ``out<n>``)."""
        self.features.add("multi_instance")
        sequential = "true" if self.rng.random() < 0.5 else "false"
        if over_items is None:
            inner = f"<loopCardinality>{self.rng.randint(1, 3)}</loopCardinality>"
        else:
            inner = (
                f"<loopDataInputRef>items</loopDataInputRef><loopDataOutputRef>out{over_items}</loopDataOutputRef>"
                f'<inputDataItem id="item{over_items}"/><outputDataItem id="done{over_items}"/>'
            )
        loop = f'<multiInstanceLoopCharacteristics isSequential="{sequential}">{inner}'
        loop += "</multiInstanceLoopCharacteristics>"

        # The schema wants the loop characteristics before a script task's script.
        head, _, rest = proc.elements[-1].partition(">")
        proc.elements[-1] = f"{head}>{loop}{rest}"

    def boundary_timer(self, proc: _Process, attached: str) -> tuple[str, str]:
        self.features.add("boundary_timer")
        interrupting = self.rng.random() < 0.5
        timer = self.element(
            proc,
            "boundaryEvent",
            "bt",
            f"<timerEventDefinition>{self.timer_date()}</timerEventDefinition>",
            f' attachedToRef="{attached}" cancelActivity="{"true" if interrupting else "false"}"',
        )
        handler = self.element(proc, "userTask", "u")
        self.flow(proc, timer, handler)
        if not interrupting:
            end = self.element(proc, "endEvent", "e")
            self.flow(proc, handler, end)
            return attached, attached
        merge = self.element(proc, "exclusiveGateway", "xm")
        self.flow(proc, attached, merge)
        self.flow(proc, handler, merge)
        return attached, merge

    def split(self, proc: _Process, kind: str, depth: int, in_loop: bool) -> tuple[str, str]:
        self.features.add(kind)
        if in_loop and kind != "exclusive":
            self.features.add("split_in_loop")
        tag = {
            "exclusive": "exclusiveGateway",
            "parallel": "parallelGateway",
            "inclusive": "inclusiveGateway",
        }[kind]
        fork = self.element(proc, tag, "g")
        join = self.element(proc, tag, "j")
        self.pairs.setdefault(proc.id, []).append((fork, join))
        branches = self.rng.randint(2, 3)
        conditions = _conditions(kind, branches, self.rng)
        for index in range(branches):
            if self.rng.random() < 0.15 and kind != "parallel":
                entry = exit_ = ""  # an empty branch: the split flows straight into the merge
            else:
                entry, exit_ = self.block(proc, depth + 1, in_loop)
            condition = conditions[index]
            target = entry or join
            flow_id = self.flow(proc, fork, target, condition)
            if condition is None and kind != "parallel":
                proc.defaults[fork] = flow_id
            if exit_:
                self.flow(proc, exit_, join)
        return fork, join

    def loop(self, proc: _Process, depth: int, in_loop: bool) -> tuple[str, str]:
        self.features.add("loop")
        counter = self.new_id("c")
        init = self.element(proc, "scriptTask", "s", f"<script>{counter} = 0</script>")
        merge = self.element(proc, "exclusiveGateway", "lm")
        entry, exit_ = self.block(proc, depth + 1, True)
        count = self.element(proc, "scriptTask", "s", f"<script>{counter} = {counter} + 1</script>")
        check = self.element(proc, "exclusiveGateway", "lx")
        passes = self.rng.randint(1, 4)
        self.flow(proc, init, merge)
        self.flow(proc, merge, entry)
        self.flow(proc, exit_, count)
        self.flow(proc, count, check)
        self.flow(proc, check, merge, f"{counter} < {passes} and pick != {PICKS - 1}")
        out = self.element(proc, "scriptTask", "s", f"<script>{counter}_done = {counter}</script>")
        proc.defaults[check] = self.flow(proc, check, out)
        return init, out

    def subprocess(self, proc: _Process, depth: int) -> tuple[str, str]:
        self.features.add("subprocess")
        inner = _Process(self.new_id("sp"))
        self.process_body(inner, depth + 1)
        _apply_defaults(inner, inner.defaults)
        body = "".join(inner.elements) + "".join(inner.flows)
        element = self.element(proc, "subProcess", "sp", body)
        if self.rng.random() < 0.2:
            return self.boundary_timer(proc, element)
        return element, element

    def call_activity(self, proc: _Process, depth: int) -> tuple[str, str]:
        self.features.add("call_activity")
        called = _Process(self.new_id("p"))
        self.processes.append(called)
        self.process_body(called, depth + 1)
        element = self.element(proc, "callActivity", "ca", attrs=f' calledElement="{called.id}"')
        return element, element

    def event_subprocess(self, proc: _Process) -> None:
        self.features.add("event_subprocess")
        inner = _Process(self.new_id("esp"))
        interrupting = "true" if self.rng.random() < 0.4 else "false"
        if interrupting == "true":
            self.interrupted.add(proc.id)
        if self.rng.random() < 0.5:
            trigger = f"<timerEventDefinition>{self.timer_date()}</timerEventDefinition>"
        else:
            name = self.new_id("msg")
            self.messages.append(name)
            trigger = f'<messageEventDefinition messageRef="{name}"/>'
            self.features.add("message_event_subprocess")
        start = self.element(inner, "startEvent", "es", trigger, f' isInterrupting="{interrupting}"')
        entry, exit_ = self.task(inner, False)
        end = self.element(inner, "endEvent", "e")
        self.flow(inner, start, entry)
        self.flow(inner, exit_, end)
        _apply_defaults(inner, inner.defaults)
        body = "".join(inner.elements) + "".join(inner.flows)
        self.element(proc, "subProcess", "esp", body, ' triggeredByEvent="true"')

    def process_body(self, proc: _Process, depth: int) -> None:
        start = self.element(proc, "startEvent", "st")
        entry, exit_ = self.block(proc, depth, False)
        end = self.element(proc, "endEvent", "e")
        self.flow(proc, start, entry)
        self.flow(proc, exit_, end)
        if depth <= 1 and self.rng.random() < 0.3:
            self.event_subprocess(proc)

    def render(self) -> str:
        parts = ['<?xml version="1.0" encoding="UTF-8"?>']
        parts.append(
            '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="generated" '
            'targetNamespace="https://example.invalid/generated">'
        )
        parts.extend(f'<message id="{name}" name="{name}"/>' for name in self.messages)
        for proc in self.processes:
            _apply_defaults(proc, proc.defaults)
            parts.append(f'<process id="{proc.id}" isExecutable="true">')
            parts.extend(proc.elements)
            parts.extend(proc.flows)
            parts.append("</process>")
        parts.append("</definitions>")
        return "\n".join(parts)


def _apply_defaults(proc: _Process, defaults: dict[str, str]) -> None:
    """Write each gateway's default flow onto its element (known only once its branches exist)."""
    for gateway, flow_id in list(defaults.items()):
        for index, element in enumerate(proc.elements):
            if f'id="{gateway}"' in element and " default=" not in element:
                proc.elements[index] = element.replace(
                    f'id="{gateway}"', f'id="{gateway}" default="{flow_id}"', 1
                )
                del defaults[gateway]
                break


def _conditions(kind: str, branches: int, rng: random.Random) -> list[str | None]:
    if kind == "parallel":
        return [None] * branches
    if kind == "exclusive":
        return [f"pick % {branches} == {index}" for index in range(branches - 1)] + [None]
    # Inclusive: overlapping conditions, so one, several or (through the default) none match.
    pool = ["pick % 2 == 0", "pick >= 3", "pick in (1, 4)", "pick < 2", "pick != 2"]
    chosen = rng.sample(pool, branches - 1)
    return [*chosen, None]


def generate(seed: int) -> GeneratedModel:
    """A random well-formed model for ``seed``; the same seed always gives the same model."""
    builder = _Builder(seed)
    main = _Process("main")
    builder.processes.append(main)
    builder.process_body(main, 0)
    pairs = [] if "main" in builder.interrupted else builder.pairs.get("main", [])
    return GeneratedModel(seed, {f"generated_{seed}.bpmn": builder.render()}, "main", builder.features, pairs)
