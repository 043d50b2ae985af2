"""Build the service over a fresh SQLite file and drive the plan-review loop through its HTTP API.

Everything goes through the Flask test client (in-process WSGI): routing, bearer-token auth, marshmallow,
JSON-schema validation, engine load/step/save, projections and the commit to the SQLite file.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from bench.raw_engine import LoopRun, loop_data
from service import create_app
from service.context import ServiceContext
from service.persistence import migrate
from service.persistence.models import DepartmentModel, HumanTaskModel, InstanceModel
from service.usecases.definitions import deploy_path
from service.usecases.directory import create_user, load_register

# A supervisor in every department, for the queue overview (the worst case of GET /queues).
ALL_DEPARTMENTS_USER = "bench_all"
LOOP_USERS = {"draft_plan": "bureau", "review_plan": "party"}
USERS = {"bureau": "police_bureau", "party": "party_affairs"}  # username -> the one department


def token_of(username: str) -> str:
    return f"bench-token-{username}"


@dataclass
class BenchService:
    """A migrated, seeded app over a SQLite file in a temporary directory; use as a context manager."""

    app: Flask = field(init=False)
    ctx: ServiceContext = field(init=False)
    client: FlaskClient = field(init=False)
    _tmp: tempfile.TemporaryDirectory[str] = field(init=False)

    def __enter__(self) -> BenchService:
        self._tmp = tempfile.TemporaryDirectory(prefix="auxpolice-bench-")
        url = f"sqlite:///{Path(self._tmp.name) / 'auxpolice.db'}"
        migrate.upgrade(url)
        self.app = create_app({"DATABASE_URL": url})
        self.ctx = self.app.extensions["auxpolice"]
        with self.ctx.database.transaction() as session:
            load_register(session)
            for username, department in USERS.items():
                # The bureau user heads the bureau: recruitment.bpmn lets only its head start a campaign.
                heads = (department,) if username == "bureau" else ()
                create_user(self.ctx, session, username, username, [department], token_of(username), heads)
            codes = list(session.scalars(select(DepartmentModel.code).order_by(DepartmentModel.code)))
            create_user(
                self.ctx,
                session,
                ALL_DEPARTMENTS_USER,
                "bench supervisor",
                codes,
                token_of(ALL_DEPARTMENTS_USER),
            )
        # Only the recruitment family: the benchmark must not depend on other bundles being deployable.
        deploy_path(self.ctx, self.ctx.settings.bpmn_dir / "recruitment", "bench")
        self.client = self.app.test_client()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.ctx.database.dispose()
        self._tmp.cleanup()

    def headers(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token_of(username)}"}

    def get(self, url: str, username: str) -> Any:
        response = self.client.get(url, headers=self.headers(username))
        if response.status_code != 200:
            raise RuntimeError(f"GET {url}: {response.status_code} {response.get_json()}")
        return response.get_json()

    def start_recruitment(self, key: str) -> int:
        response = self.client.post(
            "/api/v1/instances",
            headers=self.headers("bureau"),
            json={"process_id": "recruitment", "business_key": key, "data": {"subject": key}},
        )
        if response.status_code != 201:
            raise RuntimeError(f"start: {response.status_code} {response.get_json()}")
        return int(response.get_json()["id"])

    def open_task(self, instance_id: int) -> tuple[str, str] | None:
        """The instance's open task (id, spec name), read straight from the queue projection."""
        with self.ctx.database.reading() as session:
            row = session.execute(
                select(HumanTaskModel.id, HumanTaskModel.spec_name).where(
                    HumanTaskModel.instance_id == instance_id, HumanTaskModel.state == "open"
                )
            ).first()
        return (row[0], row[1]) if row is not None else None

    def complete(self, task_id: str, spec_name: str) -> tuple[int, float, Any]:
        """POST the loop's form data for the task; return status, seconds and the JSON body."""
        headers = self.headers(LOOP_USERS[spec_name])
        body = {"data": loop_data(spec_name)}
        started = time.perf_counter()
        response = self.client.post(f"/api/v1/tasks/{task_id}/complete", headers=headers, json=body)
        elapsed = time.perf_counter() - started
        return response.status_code, elapsed, response.get_json()

    def state_bytes(self, instance_id: int) -> int:
        """Size of the instance's stored state JSON as SQLite holds it."""
        with self.ctx.database.reading() as session:
            return int(
                session.scalar(
                    select(func.length(InstanceModel.state)).where(InstanceModel.id == instance_id)
                )
                or 0
            )


def drive_service(
    service: BenchService, key: str, completions: int, sizes_at: tuple[int, ...] = ()
) -> LoopRun:
    """Complete up to ``completions`` tasks of one new recruitment instance, timing each HTTP request."""
    run = LoopRun()
    instance_id = service.start_recruitment(key)
    for number in range(1, completions + 1):
        task = service.open_task(instance_id)
        if task is None:
            run.stopped_at, run.stop_reason = number, "no open task in the queue"
            break
        status, elapsed, body = service.complete(*task)
        if status != 200:
            message = body.get("message", "") if isinstance(body, dict) else ""
            run.stopped_at, run.stop_reason = number, f"HTTP {status}: {message}"
            break
        run.seconds.append(elapsed)
        if number in sizes_at:
            run.state_bytes[number] = service.state_bytes(instance_id)
    if sizes_at and run.seconds:
        run.state_bytes[len(run.seconds)] = service.state_bytes(instance_id)
    return run


def service_throughput(service: BenchService, instances: int, per_instance: int, prefix: str) -> LoopRun:
    """Drive ``instances`` new instances ``per_instance`` completions each; one combined sample list."""
    combined = LoopRun()
    for index in range(instances):
        run = drive_service(service, f"{prefix}-{index:04d}", per_instance)
        combined.seconds.extend(run.seconds)
        if run.stopped_at is not None:
            combined.stopped_at, combined.stop_reason = run.stopped_at, run.stop_reason
    return combined
