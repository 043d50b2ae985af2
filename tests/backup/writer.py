"""A service process that only writes: it drives the plan review loop of one recruitment until killed.

Run as ``python -m tests.backup.writer PROGRESS_FILE`` with DATABASE_URL (a seeded database: the demo users
with the test tokens) and AUXPOLICE_AUDIT_KEY in the environment. After each completion the service has
acknowledged (HTTP 200, so committed) it appends a line to PROGRESS_FILE, flushed: the test reads there
how many writes were acknowledged before it killed the process.
"""

from __future__ import annotations

import sys
from pathlib import Path

from sqlalchemy import select

from bench.raw_engine import loop_data
from service import create_app
from service.context import ServiceContext
from service.persistence.models import HumanTaskModel

# The demo users that act in the loop (tests/conftest.py gives them the token test-token-<username>).
ACTORS = {"draft_plan": "bureau", "review_plan": "party"}


def main(progress: Path) -> None:
    app = create_app({"TESTING": True})
    ctx: ServiceContext = app.extensions["auxpolice"]
    client = app.test_client()

    def headers(username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer test-token-{username}"}

    started = client.post(
        "/api/v1/instances",
        headers=headers("bureau_head"),  # recruitment.bpmn: the bureau's head starts a campaign
        json={
            "process_id": "recruitment",
            "business_key": f"backup-writer-{progress.stem}",
            "data": {"subject": "备份测试批次"},
        },
    )
    assert started.status_code == 201, started.get_json()  # noqa: S101 - a test helper
    instance_id = started.get_json()["id"]
    with progress.open("a", encoding="utf-8") as log:
        log.write("started\n")
        log.flush()
        completed = 0
        while True:
            with ctx.database.reading() as session:
                task_id, spec_name = session.execute(
                    select(HumanTaskModel.id, HumanTaskModel.spec_name).where(
                        HumanTaskModel.instance_id == instance_id, HumanTaskModel.state == "open"
                    )
                ).one()
            response = client.post(
                f"/api/v1/tasks/{task_id}/complete",
                headers=headers(ACTORS[spec_name]),
                json={"data": loop_data(spec_name)},
            )
            assert response.status_code == 200, response.get_json()  # noqa: S101
            completed += 1
            log.write(f"{completed}\n")
            log.flush()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
