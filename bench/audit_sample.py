"""A realistic sample of audit events: one appraisal month for the 46 demo officers, run through the API.

The month is what the chain mostly holds in a year (one instance per officer per month): the month's
start, the scoring tasks ready and completed with their rubric forms, the engine's decisions, the veto
decisions (two officers vetoed) and the confirmed grades. ``bench/audit_verify_bench.py`` copies these
events to fill a large chain; ``sizes`` measures what each action costs in bytes.

    .venv/bin/python -m bench.audit_sample          # bytes per event by action, as a table
"""

from __future__ import annotations

import sys
import tempfile
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from flask import Flask
from sqlalchemy import text

from bench.pgschema import discard_service_logs
from service.context import ServiceContext
from service.usecases.demo import DEMO_USERS
from tests.api.appraisal_steps import decide_vetoes, officer_of, score_all, seed, tasks_of
from tests.conftest import User, build_app
from tests.conftest import seed as seed_users
from workflows.ports import ManualClock

MONTH = "2026-11"
VETOED = 2  # officers vetoed by their town government this month


def confirm_all(bureau: User) -> None:
    for task in tasks_of(bureau, "police_bureau", "confirm_grade"):
        data = bureau.get(f"/api/v1/tasks/{task['id']}")["data"]
        decision = {"grade": data["suggested_grade"], "promotion_level": "keep", "reward": False}
        bureau.post(f"/api/v1/tasks/{task['id']}/complete", {"data": decision})


def run_month(app: Flask) -> None:
    ctx: ServiceContext = app.extensions["auxpolice"]
    seed_users(app, {demo.username: "not-a-login" for demo in DEMO_USERS})
    seed(ctx)
    client = app.test_client()
    users = {demo.username: User(client, demo.username) for demo in DEMO_USERS}
    users["bureau_head"].post("/api/v1/appraisals/months", {"month": MONTH}, expect=201)
    score_all(users)
    gov = users["gushan_gov"]
    vetoed = {officer_of(gov, task) for task in tasks_of(gov, "town_gov:gushan", "veto_decision")[:VETOED]}
    decide_vetoes(users, vetoed)
    confirm_all(users["bureau"])


def sample_events(app: Flask) -> list[dict[str, Any]]:
    """The sealed events of the month, oldest first, as the columns' values (payload as stored text)."""
    ctx: ServiceContext = app.extensions["auxpolice"]
    with ctx.database.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT seq, at, actor, action, instance_id, task_id, department_code,"
                " CAST(payload AS TEXT) AS payload FROM audit_events WHERE seq IS NOT NULL ORDER BY seq"
            )
        ).mappings()
        return [dict(row) for row in rows]


def appraisal_month_sample() -> list[dict[str, Any]]:
    """Run the month on a fresh SQLite file and return its audit events (about a minute)."""
    with tempfile.TemporaryDirectory() as directory:
        app = build_app(
            f"sqlite:///{Path(directory) / 'sample.db'}", ManualClock(datetime(2026, 11, 26, tzinfo=UTC))
        )
        discard_service_logs()
        try:
            run_month(app)
            return sample_events(app)
        finally:
            app.extensions["auxpolice"].database.dispose()


def sizes(events: list[dict[str, Any]]) -> list[tuple[str, int, int, int]]:
    """(action, events, mean stored bytes per event, mean payload bytes) by action, largest total first."""
    by_action: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for event in events:
        payload = len(event["payload"].encode())
        columns = sum(
            len(str(event[name]).encode()) for name in ("actor", "action", "task_id", "department_code")
        )
        # seq, instance id: 4 bytes each; at: 8; prev_hash and hash: 64 characters each.
        by_action[event["action"]].append((payload + columns + 4 + 4 + 8 + 128, payload))
    table = [
        (
            action,
            len(values),
            sum(v[0] for v in values) // len(values),
            sum(v[1] for v in values) // len(values),
        )
        for action, values in by_action.items()
    ]
    return sorted(table, key=lambda row: -row[1] * row[2])


def main() -> int:
    events = appraisal_month_sample()
    total = sum(len(e["payload"].encode()) for e in events)
    print(f"{len(events)} events, payload {total:,} bytes in all", file=sys.stderr)
    print("| action | events | bytes per event (row) | payload bytes |")
    print("|---|---:|---:|---:|")
    for action, count, row_bytes, payload_bytes in sizes(events):
        print(f"| {action} | {count} | {row_bytes:,} | {payload_bytes:,} |")
    largest = max(events, key=lambda e: len(e["payload"]))
    print(
        orjson.dumps(orjson.loads(largest["payload"]), option=orjson.OPT_INDENT_2).decode()[:3000],
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
