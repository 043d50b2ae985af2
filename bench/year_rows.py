"""Copy a template appraisal's rows for another officer, and check such a copy against a real appraisal.

``Rewriter`` turns the rows one real appraisal left (bench/year_templates.py) into the rows the same
appraisal of another officer leaves: the template officer's id, name, village and town, the instance id and
every task id (a UUID, fresh per copy, the same within one copy) are replaced wherever they occur, in
columns, JSON payloads and the compressed engine state alike. Serial ids are left to the database and the
audit chain's ``seq``/``prev_hash``/``hash`` to the sealing (bench/year_generator.py), which uses the
service's own ``audit.digest``.

``compare`` is the equality check: the rows the generator writes for an officer from a template against
the rows the use cases wrote for that officer (a twin driven with the same outcome and timeline), with
only serial ids, the chain's positions and the UUIDs' values (not their pattern) left out.
"""

from __future__ import annotations

import re
import uuid
import zlib
from dataclasses import dataclass
from typing import Any

import orjson

from bench.year_templates import Template

UUID_PATTERN = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
CHAIN_COLUMNS = ("seq", "prev_hash", "hash")
# Tables whose primary key is not a serial id the database assigns.
OWN_KEYS = ("instances", "human_tasks", "instance_subjects", "appraisal_starts")


@dataclass(frozen=True)
class Officer:
    id: int
    name: str
    village: str
    village_zh: str
    town: str
    town_zh: str


def _json(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


class Rewriter:
    """Rewrite one template's rows for other officers (one compiled pattern per template)."""

    def __init__(self, template: Template) -> None:
        self.template = template
        place = template.place
        self.tokens = {
            "officer_id": str(template.officer_id),
            "instance_id": str(template.instance_id),
            "name": template.name,
            "village": place["village"],
            "village_zh": place["village_zh"],
            "town": place["town"],
            "town_zh": place["town_zh"],
        }
        ordered = sorted(self.tokens.values(), key=len, reverse=True)
        self.pattern = re.compile("|".join(re.escape(t) for t in ordered) + "|" + UUID_PATTERN)
        self.kind_of = {value: key for key, value in self.tokens.items()}

    def rows(self, officer: Officer, instance_id: int) -> dict[str, list[dict[str, Any]]]:
        """The template's rows for ``officer`` in instance ``instance_id``: JSON as text, state encoded."""
        values = {
            "officer_id": str(officer.id),
            "instance_id": str(instance_id),
            "name": officer.name,
            "village": officer.village,
            "village_zh": officer.village_zh,
            "town": officer.town,
            "town_zh": officer.town_zh,
        }
        fresh: dict[str, str] = {}

        def replace(match: re.Match[str]) -> str:
            found = match.group(0)
            kind = self.kind_of.get(found)
            if kind is not None:
                return values[kind]
            new = fresh.get(found)
            if new is None:
                new = fresh[found] = str(uuid.uuid4())
            return new

        ints = {self.template.officer_id: officer.id, self.template.instance_id: instance_id}
        result: dict[str, list[dict[str, Any]]] = {}
        for table, rows in self.template.rows.items():
            copies = []
            for row in rows:
                copy: dict[str, Any] = {}
                for column, value in row.items():
                    if column in CHAIN_COLUMNS or (column == "id" and table not in OWN_KEYS):
                        continue
                    if isinstance(value, str):
                        copy[column] = self.pattern.sub(replace, value)
                    elif isinstance(value, bool) or value is None:
                        copy[column] = value
                    elif isinstance(value, int):
                        copy[column] = ints.get(value, value)
                    elif isinstance(value, dict | list):
                        copy[column] = self.pattern.sub(replace, _json(value))
                    elif isinstance(value, bytes):
                        state = self.pattern.sub(replace, zlib.decompress(value).decode())
                        copy[column] = zlib.compress(state.encode(), 1)
                    else:
                        copy[column] = value
                copies.append(copy)
            result[table] = copies
        return result


# The engine stamps each task with the wall time it changed (``last_state_change``, time.time(), not the
# service's clock): two real runs of the same appraisal differ there too, so the check leaves it out.
WALL_TIMES = re.compile(r'"last_state_change":[0-9.e+-]+')
# UUIDs are labelled in the order they are first met: the audit trail (chain order) first, the state next.
LABEL_ORDER = ("audit_events", "instances")


def _without_uuids(row: dict[str, Any]) -> bytes:
    text = orjson.dumps(row, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS, default=str).decode()
    return re.sub(UUID_PATTERN, "<uuid>", text).encode()


def _label_tasks(value: Any, labels: dict[str, str]) -> None:
    """Label each engine task's UUID by its task spec: the state lists tasks in an order that depends on
    the UUIDs' values, so the order of first use would pair different tasks of two equal runs."""
    if isinstance(value, dict):
        if isinstance(value.get("id"), str) and isinstance(value.get("task_spec"), str):
            name = f"<task {value['task_spec']}>"
            while name in labels.values():
                name += "'"
            labels.setdefault(value["id"], name)
        for item in value.values():
            _label_tasks(item, labels)
    elif isinstance(value, list):
        for item in value:
            _label_tasks(item, labels)


def _normal(rows: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """Rows without serial ids and chain positions; JSON parsed; states decoded; UUIDs by first use."""
    labels: dict[str, str] = {}

    def label(match: re.Match[str]) -> str:
        return labels.setdefault(match.group(0), f"<uuid {len(labels)}>")

    for row in rows.get("instances", []):
        if isinstance(row.get("state"), bytes):
            _label_tasks(orjson.loads(zlib.decompress(row["state"])), labels)
    normal: dict[str, list[dict[str, Any]]] = {}
    for table in [*LABEL_ORDER, *sorted(set(rows) - set(LABEL_ORDER))]:
        out = []
        listed = rows.get(table, [])
        if table not in LABEL_ORDER:  # label in an order of what the rows say, not of where they are stored
            listed = sorted(listed, key=_without_uuids)
        for row in listed:
            clean: dict[str, Any] = {}
            for column, value in row.items():
                if column in CHAIN_COLUMNS or (column == "id" and table not in OWN_KEYS):
                    continue
                if isinstance(value, bytes):
                    value = WALL_TIMES.sub('"last_state_change":0', zlib.decompress(value).decode())
                elif isinstance(value, dict | list):
                    value = _json(value)
                if isinstance(value, str):
                    value = re.sub(UUID_PATTERN, label, value)
                    if value[:1] in "{[":
                        try:
                            value = orjson.loads(value)
                        except orjson.JSONDecodeError:
                            pass
                clean[column] = value
            out.append(clean)
        if table not in LABEL_ORDER:  # the database's row order is not part of what was written
            out.sort(key=lambda r: orjson.dumps(r, option=orjson.OPT_SORT_KEYS, default=str))
        normal[table] = out
    return normal


def compare(real: dict[str, list[dict[str, Any]]], generated: dict[str, list[dict[str, Any]]]) -> list[str]:
    """Where the generated rows differ from the real ones (empty: equal); at most a few lines per table."""
    a, b = _normal(real), _normal(generated)
    problems: list[str] = []
    for table in sorted(set(a) | set(b)):
        left, right = a.get(table, []), b.get(table, [])
        if len(left) != len(right):
            problems.append(f"{table}: {len(left)} real rows, {len(right)} generated")
            continue
        for n, (x, y) in enumerate(zip(left, right, strict=True)):
            for column in sorted(set(x) | set(y)):
                if x.get(column) != y.get(column):
                    problems.append(
                        f"{table}[{n}].{column}: real {x.get(column)!r:.120} generated {y.get(column)!r:.120}"
                    )
    return problems
