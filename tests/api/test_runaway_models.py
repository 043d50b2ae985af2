"""No model can freeze the service (issue 10, items 2 and 3), through HTTP on SQLite and PostgreSQL.

Before: a loop without a wait state answered 201 "running" and stalled; a call activity calling its own
process, a standard loop whose condition stays true, a multi-instance of 10**9 or a parallel one of
100,000, ``R/PT0S`` and ``P9999999Y`` timers each ran for minutes inside the write transaction, and every
other write got 500 "database is locked" meanwhile. Now each action runs under a budget: past it the
action answers 422 naming the element, nothing is saved, and an incident is recorded for designers.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.error import HTTPError

import psycopg
import pytest
from flask import Flask
from sqlalchemy import select

from service.persistence.models import IncidentModel, InstanceModel
from tests.conftest import served, token_of
from tests.model_steps import bundle, counts, deadlock, process, script, start, users_of

# A gateway loop with no wait state: it stalled after 333 passes, answering 201 "running".
LOOP_WITHOUT_WAIT = process(
    "loop_without_wait",
    script("init", "置零", "n = 0")
    + script("count", "计数", "n = n + 1")
    + '<bpmn:exclusiveGateway id="again" name="再来一次" default="flow_3" />',
    [
        ("start", "init", None),
        ("init", "count", None),
        ("count", "again", None),
        ("again", "count", None),
        ("again", "end", "n &lt; 0"),
    ],
)
STANDARD_LOOP = process(
    "endless_standard_loop",
    script(
        "spin",
        "空转",
        "x = 1",
        "<bpmn:standardLoopCharacteristics><bpmn:loopCondition>True</bpmn:loopCondition>"
        "</bpmn:standardLoopCharacteristics>",
    ),
    [("start", "spin", None), ("spin", "end", None)],
)
SEQUENTIAL_BILLION = process(
    "sequential_billion",
    script(
        "each",
        "逐个处理",
        "x = 1",
        '<bpmn:multiInstanceLoopCharacteristics isSequential="true">'
        "<bpmn:loopCardinality>10**9</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics>",
    ),
    [("start", "each", None), ("each", "end", None)],
)
PARALLEL_HUNDRED_THOUSAND = process(
    "parallel_hundred_thousand",
    script(
        "all_at_once",
        "同时处理",
        "x = 1",
        "<bpmn:multiInstanceLoopCharacteristics>"
        "<bpmn:loopCardinality>100000</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics>",
    ),
    [("start", "all_at_once", None), ("all_at_once", "end", None)],
)
CALLS_ITSELF = process(
    "calls_itself",
    '<bpmn:callActivity id="again" name="再调用自己" calledElement="calls_itself" />',
    [("start", "again", None), ("again", "end", None)],
)
TIMER_FROM_DATA = process(
    "timer_from_data",
    script("choose", "选定时长", 'wait = "P9999999Y"')
    + '<bpmn:intermediateCatchEvent id="hold" name="等待"><bpmn:timerEventDefinition>'
    '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">wait</bpmn:timeDuration>'
    "</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>",
    [("start", "choose", None), ("choose", "hold", None), ("hold", "end", None)],
)
# A standard loop of a script that takes a while each pass: only the wall-time bound stops it.
SLOW_LOOP = process(
    "slow_loop",
    script(
        "grind",
        "慢慢算",
        "total = 0\nfor i in range(3000):\n    total = total + i",
        "<bpmn:standardLoopCharacteristics><bpmn:loopCondition>True</bpmn:loopCondition>"
        "</bpmn:standardLoopCharacteristics>",
    ),
    [("start", "grind", None), ("grind", "end", None)],
)
DEADLOCK = deadlock("deadlock")
QUICK = process(
    "quick", script("note", "记一笔", "done = True"), [("start", "note", None), ("note", "end", None)]
)


def literal_timer(kind: str, value: str) -> str:
    """A process waiting on a timer written as a literal (judged at deploy)."""
    return process(
        f"literal_{kind.lower()}",
        f'<bpmn:intermediateCatchEvent id="hold" name="等待"><bpmn:timerEventDefinition>'
        f'<bpmn:{kind} xsi:type="bpmn:tFormalExpression">"{value}"</bpmn:{kind}>'
        "</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>",
        [("start", "hold", None), ("hold", "end", None)],
    )


RUNAWAYS = [
    (LOOP_WITHOUT_WAIT, "loop_without_wait", "budget", "在一次操作中"),
    (STANDARD_LOOP, "endless_standard_loop", "budget", "空转（spin）"),
    (SEQUENTIAL_BILLION, "sequential_billion", "budget", "逐个处理（each）"),
    (PARALLEL_HUNDRED_THOUSAND, "parallel_hundred_thousand", "budget", "同时处理（all_at_once）"),
    (CALLS_ITSELF, "calls_itself", "budget", "再调用自己（again）"),
    (TIMER_FROM_DATA, "timer_from_data", "model_error", "P9999999Y"),
]


@pytest.mark.parametrize(("model", "process_id", "kind", "named"), RUNAWAYS, ids=[r[1] for r in RUNAWAYS])
def test_a_runaway_start_is_refused_whole_and_becomes_an_incident(
    tuned: Flask, model: str, process_id: str, kind: str, named: str
) -> None:
    users, ctx = users_of(tuned), tuned.extensions["auxpolice"]
    users["designer"].post("/api/v1/definitions", {"files": bundle(model)}, expect=201)
    before = counts(ctx)
    began = time.monotonic()
    refusal = start(users["bureau"], process_id, expect=422)
    # Stopped by a bound, not by the client giving up: well inside the default gunicorn timeout.
    assert time.monotonic() - began < 20
    assert named in refusal["message"] and refusal["message_en"]
    instances, events = counts(ctx)
    assert instances == before[0]  # nothing of the start was kept
    incidents = users["designer"].get("/api/v1/incidents")["items"]
    assert [(i["process_id"], i["kind"], i["instance_id"]) for i in incidents] == [(process_id, kind, None)]
    assert named in incidents[0]["message"] and incidents[0]["actor"] == "bureau"
    assert events == before[1] + 2  # the refusal and the incident, each in its own transaction
    users["bureau"].get("/api/v1/incidents", expect=403)  # designers and admins only


def test_literal_timers_out_of_bounds_are_refused_at_deploy(tuned: Flask) -> None:
    designer = users_of(tuned)["designer"]
    for kind, value, problem in (
        ("timeDuration", "P9999999Y", "超过 10 年"),
        ("timeCycle", "R/PT0S", "短于 60 秒"),
        ("timeDate", "not a date", "不是 ISO 8601"),
    ):
        refusal = designer.post(
            "/api/v1/definitions", {"files": bundle(literal_timer(kind, value))}, expect=422
        )
        assert any(problem in p for p in refusal["errors"]["problems"]), (kind, refusal)


def test_a_write_from_another_client_succeeds_while_a_runaway_is_stopped(tuned: Flask) -> None:
    users, ctx = users_of(tuned), tuned.extensions["auxpolice"]
    users["designer"].post("/api/v1/definitions", {"files": bundle(SLOW_LOOP, QUICK)}, expect=201)
    answers: dict[str, tuple[int, float, dict[str, Any]]] = {}

    with served(tuned) as base:

        def post(name: str, process_id: str) -> None:
            request = urllib.request.Request(  # noqa: S310 - the loopback server of this test
                f"{base}/api/v1/instances",
                data=json.dumps({"process_id": process_id, "data": {}}).encode(),
                headers={"Authorization": f"Bearer {token_of('bureau')}", "Content-Type": "application/json"},
            )
            began = time.monotonic()
            try:
                with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback
                    answers[name] = (response.status, time.monotonic(), json.loads(response.read()))
            except HTTPError as error:
                answers[name] = (error.code, time.monotonic(), json.loads(error.read()))
            answers[name + "_began"] = (0, began, {})

        runaway = threading.Thread(target=post, args=("runaway", "slow_loop"))
        runaway.start()
        time.sleep(0.5)  # the runaway is busy inside its write transaction now
        other = threading.Thread(target=post, args=("other", "quick"))
        other.start()
        other.join(timeout=60)
        runaway.join(timeout=60)

    status, runaway_done, body = answers["runaway"]
    assert status == 422 and "慢慢算（grind）" in body["message"] and "1.5 秒" in body["message"]
    other_status, other_done, other_body = answers["other"]
    # The other client's write went through: at once on PostgreSQL, right after the runaway let go of
    # SQLite's write lock (the budget bounds how long that is), never 500 "database is locked".
    assert other_status == 201 and other_body["status"] == "completed"
    assert other_done - answers["other_began"][1] < 4.0
    with ctx.database.reading() as session:
        processes = list(session.scalars(select(InstanceModel.process_id)))
        assert processes == ["quick"]
        assert session.scalars(select(IncidentModel.process_id)).all() == ["slow_loop"]


def test_a_busy_database_answers_503_with_retry_after(tuned: Flask, database_url: str) -> None:
    users = users_of(tuned)
    users["designer"].post("/api/v1/definitions", {"files": bundle(QUICK)}, expect=201)
    holder = _hold_write_lock(database_url)
    try:
        response = users["bureau"].client.post(
            "/api/v1/instances",
            json={"process_id": "quick", "data": {}},
            headers={"Authorization": f"Bearer {token_of('bureau')}"},
        )
    finally:
        holder.rollback()
        holder.close()
    assert response.status_code == 503, response.get_json()
    assert response.headers["Retry-After"] == "5"
    body = response.get_json()
    assert body["code"] == 503 and "系统繁忙" in body["message"] and "retry" in body["message_en"]
    start(users["bureau"], "quick", expect=201)  # once the lock is free, the same request goes through


def _hold_write_lock(database_url: str) -> Any:
    """Another client holding what a start must lock: SQLite's write lock, PostgreSQL's audit head row."""
    if database_url.startswith("sqlite:///"):
        connection = sqlite3.connect(Path(database_url.removeprefix("sqlite:///")), isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        return connection
    connection = psycopg.connect(database_url)
    connection.execute("SELECT * FROM audit_head FOR UPDATE").fetchall()
    return connection


def test_an_instance_that_stalls_is_kept_and_becomes_an_incident(tuned: Flask) -> None:
    users = users_of(tuned)
    users["designer"].post("/api/v1/definitions", {"files": bundle(DEADLOCK)}, expect=201)
    started = start(users["bureau"], "deadlock", expect=201)
    # Kept as it is (an auditor may want to see where it stopped), and reported, not silently "running".
    [incident] = users["admin"].get("/api/v1/incidents")["items"]
    assert incident["instance_id"] == started["id"] and incident["kind"] == "stalled"
    assert incident["element"] == "合并（join）" and "不会到达" in incident["message"]
    resolved = users["designer"].post(
        f"/api/v1/incidents/{incident['id']}/resolve", {"resolution": "模型已改为排他合并并重新部署"}
    )
    assert resolved["resolved_by"] == "designer" and resolved["resolved_at"]
    assert users["designer"].get("/api/v1/incidents")["items"] == []
    assert len(users["designer"].get("/api/v1/incidents?open=false")["items"]) == 1
    users["designer"].post(f"/api/v1/incidents/{incident['id']}/resolve", {"resolution": "再次"}, expect=409)
