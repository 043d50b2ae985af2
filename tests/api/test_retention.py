"""Retention (issue 16, point 4): a finished appraisal older than the retention age drops its engine state;
the running one beside it is untouched; a second run finds nothing; a dry run changes nothing; the API's
detail and history, the diagram's path and the audit chain are as before. The same for a finished campaign
and its posts, batch by batch, while a post still waiting for a candidate is left alone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import LargeBinary, func, select, type_coerce

from service.cli import main
from service.context import ServiceContext
from service.persistence.models import AuditEventModel, InstanceModel
from service.usecases import diagrams
from service.usecases.archived import InstanceArchivedError
from service.usecases.audit_trail import verify_chain
from service.usecases.directory import Caller
from service.usecases.retention import EMPTY_STATE, archive_finished
from service.usecases.runner import InstanceRunner
from tests.api.appraisal_steps import add_officers, rubric, tasks_of
from tests.api.clean_form_steps import first_candidate_failed
from tests.conftest import User
from workflows.ports import ManualClock

MONTH = "2026-11"
AUDITOR = Caller("auditor", "审计", frozenset(), roles=frozenset({"auditor"}))


def finish_one_appraisal(users: dict[str, User]) -> tuple[int, int]:
    """Start the month for two officers and take one of them to the end: (finished id, running id)."""
    assert (
        users["bureau_head"].post("/api/v1/appraisals/months", {"month": MONTH}, expect=201)["started"] == 2
    )
    station, gov, bureau = users["gushan_station"], users["gushan_gov"], users["bureau"]
    scoring = tasks_of(station, "police_station:gushan", "station_score")
    finished, running = scoring[0]["instance_id"], scoring[1]["instance_id"]

    def the(user: User, queue: str, spec_name: str) -> str:
        return next(t["id"] for t in tasks_of(user, queue, spec_name) if t["instance_id"] == finished)

    station.post(
        f"/api/v1/tasks/{the(station, 'police_station:gushan', 'station_score')}/complete",
        {"data": {"station_items": rubric("station_score.json", "station_items", 0.9)}},
    )
    gov.post(
        f"/api/v1/tasks/{the(gov, 'town_gov:gushan', 'town_score')}/complete",
        {
            "data": {
                "town_items": rubric("town_score.json", "town_items", 0.9),
                "village_committee_opinion": "satisfied",
            }
        },
    )
    gov.post(
        f"/api/v1/tasks/{the(gov, 'town_gov:gushan', 'veto_decision')}/complete", {"data": {"veto": False}}
    )
    confirm = the(bureau, "police_bureau", "confirm_grade")
    suggested = bureau.get(f"/api/v1/tasks/{confirm}")["data"]["suggested_grade"]
    bureau.post(
        f"/api/v1/tasks/{confirm}/complete",
        {"data": {"grade": suggested, "promotion_level": "keep", "reward": False}},
    )
    assert bureau.get(f"/api/v1/instances/{finished}")["status"] == "completed"
    return finished, running


def stored(ctx: ServiceContext, instance_id: int) -> tuple[int, Any]:
    """The stored (compressed) size of an instance's state, and when it was archived."""
    with ctx.database.reading() as session:
        size, archived_at = session.execute(
            select(
                func.length(type_coerce(InstanceModel.state, LargeBinary)), InstanceModel.archived_at
            ).where(InstanceModel.id == instance_id)
        ).one()
    return int(size), archived_at


def archived_events(ctx: ServiceContext, instance_id: int) -> list[dict[str, Any]]:
    with ctx.database.reading() as session:
        return list(
            session.scalars(
                select(AuditEventModel.payload).where(
                    AuditEventModel.instance_id == instance_id, AuditEventModel.action == "instance_archived"
                )
            )
        )


def test_a_finished_appraisal_is_archived_and_still_reads(
    app: Flask, users: dict[str, User], ctx: ServiceContext
) -> None:
    add_officers(ctx, 2)
    finished, running = finish_one_appraisal(users)
    auditor = users["auditor"]
    detail_before = auditor.get(f"/api/v1/instances/{finished}")
    history_before = auditor.get(f"/api/v1/instances/{finished}/history?per_page=200")["items"]
    diagram_before = diagrams.instance_diagram(ctx, AUDITOR, finished)
    running_before = stored(ctx, running)
    finished_size, _ = stored(ctx, finished)

    # Not old enough yet: nothing is a candidate.
    assert archive_finished(ctx, "test", older_than_days=20).candidates == 0
    ctx.clock.advance(timedelta(days=21))  # type: ignore[attr-defined]

    dry = archive_finished(ctx, "test", older_than_days=20, dry_run=True)
    assert (dry.candidates, dry.archived, dry.bytes_before) == (1, 0, finished_size)
    assert stored(ctx, finished)[1] is None and archived_events(ctx, finished) == []

    report = archive_finished(ctx, "test", older_than_days=20, batch_size=1)
    assert (report.candidates, report.archived, report.failed) == (1, 1, {})
    assert report.bytes_before == finished_size and report.bytes_after == len(EMPTY_STATE)
    size, archived_at = stored(ctx, finished)
    assert size == len(EMPTY_STATE) < finished_size / 10 and archived_at == ctx.clock.now()
    assert stored(ctx, running) == running_before  # the running instance is untouched

    again = archive_finished(ctx, "test", older_than_days=20)
    assert (again.candidates, again.archived) == (0, 0)
    (event,) = archived_events(ctx, finished)  # archived once, recorded once
    assert event["state_bytes"] == finished_size and event["retention_days"] == 20
    assert "data" not in event  # the completion event carries the final data already

    # The API: the same instance, tasks and data, now with the date it was archived.
    detail = auditor.get(f"/api/v1/instances/{finished}")
    assert detail["archived_at"] is not None and detail_before["archived_at"] is None
    assert detail["data"] == detail_before["data"] and detail["data"]["grade"]
    assert detail["tasks"] == detail_before["tasks"]
    history = auditor.get(f"/api/v1/instances/{finished}/history?per_page=200")["items"]
    assert history[: len(history_before)] == history_before
    assert [e["action"] for e in history[len(history_before) :]] == ["instance_archived"]
    completed_task = next(t["id"] for t in detail["tasks"] if t["spec_name"] == "confirm_grade")
    assert users["bureau"].get(f"/api/v1/tasks/{completed_task}")["state"] == "completed"

    # The diagram: the same path, names and data, read from what the audit log kept.
    diagram = diagrams.instance_diagram(ctx, AUDITOR, finished)
    assert diagram["states"] == diagram_before["states"] and set(diagram["states"]) >= {"station_score"}
    assert diagram["names"] == diagram_before["names"] and diagram["data"] == diagram_before["data"]

    # What needs the engine state refuses clearly; the running instance still goes on.
    with ctx.database.reading() as session, pytest.raises(InstanceArchivedError) as refused:
        instance = session.get(InstanceModel, finished)
        assert instance is not None
        InstanceRunner(ctx, session, "test").load(instance)
    assert refused.value.status == 409 and "已归档" in refused.value.message
    station = users["gushan_station"]
    (task,) = [
        t for t in tasks_of(station, "police_station:gushan", "station_score") if t["instance_id"] == running
    ]
    station.post(
        f"/api/v1/tasks/{task['id']}/complete",
        {"data": {"station_items": rubric("station_score.json", "station_items", 0.9)}},
    )

    assert verify_chain(ctx)["intact"] is True


def test_the_command_prints_counts_and_refuses_a_zero_age(app: Flask, ctx: ServiceContext) -> None:
    runner = CliRunner()
    dry = runner.invoke(main, ["retention", "archive", "--dry-run"], obj=_script_info(app))
    assert dry.exit_code == 0, dry.output
    assert "试运行，未作修改" in dry.output and "dry run, nothing changed" in dry.output
    assert "730 天前" in dry.output  # the default age
    done = runner.invoke(main, ["retention", "archive", "--older-than-days", "1"], obj=_script_info(app))
    assert done.exit_code == 0 and "已归档 0 个" in done.output and "archived 0" in done.output
    zero = runner.invoke(main, ["retention", "archive", "--older-than-days", "0"], obj=_script_info(app))
    assert zero.exit_code != 0 and "保存期限至少为 1 天" in zero.output


def _script_info(app: Flask) -> Any:
    from flask.cli import ScriptInfo

    return ScriptInfo(create_app=lambda: app)


def test_a_finished_campaign_and_its_posts_are_archived_the_open_post_is_not(
    users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    campaign_id, _failed, _next = first_candidate_failed(users, ctx, clock)  # one post waits for a candidate
    auditor = users["auditor"]
    found = auditor.get("/api/v1/instances?per_page=200")["items"]
    finished = {i["id"]: i for i in found if i["status"] == "completed"}
    running = [i["id"] for i in found if i["status"] == "running"]
    campaign = next(i for i in finished.values() if i["process_id"] == "recruitment")["id"]
    assert running and {i["process_id"] for i in finished.values()} >= {"recruitment", "post_hiring"}
    before = {
        i: (auditor.get(f"/api/v1/instances/{i}"), diagrams.instance_diagram(ctx, AUDITOR, i))
        for i in finished
    }
    running_before = [stored(ctx, i) for i in running]

    clock.advance(timedelta(days=2))
    report = archive_finished(ctx, "system", older_than_days=1, batch_size=10)  # several batches
    assert report.archived == len(finished) and report.batches == -(-len(finished) // 10)
    assert [stored(ctx, i) for i in running] == running_before
    for instance_id, (detail, diagram) in before.items():
        after = auditor.get(f"/api/v1/instances/{instance_id}")
        assert after["archived_at"] and after["data"] == detail["data"] and after["tasks"] == detail["tasks"]
        assert diagrams.instance_diagram(ctx, AUDITOR, instance_id)["states"] == diagram["states"]
    assert diagrams.instance_diagram(ctx, AUDITOR, campaign)["states"]["review_plan"] == "completed"
    # An action that needs a post's engine state answers with the error's JSON, never a 500.
    post = next(i for i, item in finished.items() if item["process_id"] == "post_hiring")
    refused = users["bureau_head"].post(
        f"/api/v1/campaigns/{campaign_id}/notices/{post}/end", {"reason": "公示期满前结束"}, expect=409
    )
    assert "已归档" in refused["message"] and "archived" in refused["message_en"]
    assert verify_chain(ctx)["intact"] is True
