"""A model that stalls on its first action, for the incident pages: an exclusive split whose default goes
left and whose other flow is never taken (condition False), both into a parallel join that waits for
ever for the right branch. The service keeps the instance and records a ``stalled`` incident at ``join``."""

from __future__ import annotations

from typing import Any

from tests.conftest import User
from tests.model_steps import bundle, deadlock

PROCESS_ID = "duty_rota_demo"
PROCESS_NAME = "值班轮换演示流程"
JOIN = "合并（join）"

BPMN = deadlock(PROCESS_ID, PROCESS_NAME)


def deploy_and_stall(users: dict[str, User]) -> int:
    """Deploy the model as the designer and start it as the bureau; the started (stalled) instance's id."""
    users["designer"].post("/api/v1/definitions", {"files": bundle(BPMN)}, expect=201)
    started: dict[str, Any] = users["bureau"].post(
        "/api/v1/instances", {"process_id": PROCESS_ID, "data": {}}, expect=201
    )
    return int(started["id"])


# A start whose script fails: the start is refused whole, and the incident has no instance.
FAILING_START_ID = "failing_start_demo"
FAILING_START_BPMN = deadlock(FAILING_START_ID, "启动即出错演示流程", left_script="side = 1 / 0")


def deploy_and_fail_start(users: dict[str, User]) -> None:
    users["designer"].post("/api/v1/definitions", {"files": bundle(FAILING_START_BPMN)}, expect=201)
    users["bureau"].post("/api/v1/instances", {"process_id": FAILING_START_ID, "data": {}}, expect=422)
