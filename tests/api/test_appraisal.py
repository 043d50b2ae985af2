"""Monthly dual appraisal through the HTTP API: a full month for 46 officers, the veto and the
sub-bureau's refused override, cross-town isolation, idempotent month start, overdue escalation on a
controllable clock, and the consequence rules on a crafted history."""

from __future__ import annotations

import csv
import io
import threading
from datetime import datetime, timedelta

from openpyxl import load_workbook
from sqlalchemy import func, select

from service.context import ServiceContext
from service.persistence.models import AppraisalRecordModel, InstanceModel, OfficerModel
from service.scheduler import run_once as fire_due_timers
from service.usecases.appraisal import start_month
from tests.api.appraisal_steps import add_history, decide_vetoes, officer_of, score_all, seed, tasks_of
from tests.conftest import User, build_app

MONTH = "2026-11"


def confirm_all(bureau: User, overrides: dict[int, dict[str, object]] | None = None) -> None:
    for task in tasks_of(bureau, "police_bureau", "confirm_grade"):
        data = bureau.get(f"/api/v1/tasks/{task['id']}")["data"]
        decision = {"grade": data["suggested_grade"], "promotion_level": "keep", "reward": False}
        decision.update((overrides or {}).get(int(data["officer_id"]), {}))
        bureau.post(f"/api/v1/tasks/{task['id']}/complete", {"data": decision})


def test_full_month_for_46_officers(users: dict[str, User], ctx: ServiceContext) -> None:
    seed(ctx)
    bureau = users["bureau"]
    assert users["bureau_head"].post("/api/v1/appraisals/months", {"month": MONTH}, expect=201) == {
        "existing": 0,
        "officers": 46,
        "started": 46,
        "on_injury_leave": 0,
        "on_injury_leave_officers": [],
    }
    gushan = len(tasks_of(users["gushan_station"], "police_station:gushan", "station_score"))
    boyu = len(tasks_of(users["boyu_station"], "police_station:boyu", "station_score"))
    assert gushan + boyu == 46 and gushan > 0 and boyu > 0
    assert len(tasks_of(users["gushan_gov"], "town_gov:gushan", "town_score")) == gushan
    score_all(users)
    decide_vetoes(users, set())
    suggestions = {
        bureau.get(f"/api/v1/tasks/{t['id']}")["data"]["suggested_grade"]
        for t in tasks_of(bureau, "police_bureau", "confirm_grade")
    }
    assert suggestions == {"excellent"}  # 90% and 92% of the rubric
    confirm_all(bureau, {})

    report = bureau.get(f"/api/v1/appraisals/reports/{MONTH}?town=gushan")
    assert len(report) == gushan
    assert {row["grade_label"] for row in report} == {"优秀"}
    assert all(row["veto"] is False and row["town"] == "gushan" for row in report)
    response = bureau.client.get(
        f"/api/v1/appraisals/reports/{MONTH}?town=boyu&format=csv", headers=bureau._headers()
    )
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["辅警编号", "姓名", "村（社区）"] and len(rows) == boyu + 1
    # Who confirmed, by name; the username in its own column after the others.
    confirmer, username = rows[0].index("确定人"), rows[0].index("确定人账号（代码）")
    assert {(row[confirmer], row[username]) for row in rows[1:]} == {("公安分局 王警官", "bureau")}
    response = bureau.client.get(
        f"/api/v1/appraisals/reports/{MONTH}?town=gushan&format=xlsx", headers=bureau._headers()
    )
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    assert sheet.cell(1, 11).value == "考核等次" and sheet.max_row == gushan + 1
    with ctx.database.reading() as session:
        assert (
            session.scalar(
                select(func.count())
                .select_from(InstanceModel)
                .where(InstanceModel.process_id == "appraisal", InstanceModel.status == "completed")
            )
            == 46
        )


def test_veto_forbids_promotion_and_the_override_is_refused(
    users: dict[str, User], ctx: ServiceContext
) -> None:
    seed(ctx)
    bureau, gov = users["bureau"], users["gushan_gov"]
    users["bureau_head"].post("/api/v1/appraisals/months", {"month": MONTH}, expect=201)
    score_all(users)
    veto_task = tasks_of(gov, "town_gov:gushan", "veto_decision")[0]
    officer = officer_of(gov, veto_task)
    body = gov.post(f"/api/v1/tasks/{veto_task['id']}/complete", {"data": {"veto": True}}, expect=422)
    assert "veto_reason" in body["errors"]
    decide_vetoes(users, {officer})
    confirm = next(
        t for t in tasks_of(bureau, "police_bureau", "confirm_grade") if officer_of(bureau, t) == officer
    )
    data = bureau.get(f"/api/v1/tasks/{confirm['id']}")["data"]
    assert data["veto"] is True and data["promotion_allowed"] is False and data["reward_allowed"] is False
    assert data["veto_record"]["by"] == "gushan_gov"
    refused = bureau.post(
        f"/api/v1/tasks/{confirm['id']}/complete",
        {"data": {"grade": data["suggested_grade"], "promotion_level": "promote", "reward": True}},
        expect=422,
    )
    assert "一票否决" in refused["message"]
    assert refused["message_en"].startswith("The town government vetoed this month: no promotion")
    assert bureau.get(f"/api/v1/tasks/{confirm['id']}")["state"] == "open"
    with ctx.database.reading() as session:
        assert session.scalar(select(func.count()).select_from(AppraisalRecordModel)) == 0
    bureau.post(
        f"/api/v1/tasks/{confirm['id']}/complete",
        {"data": {"grade": data["suggested_grade"], "promotion_level": "keep", "reward": False}},
    )
    row = next(
        r for r in bureau.get(f"/api/v1/appraisals/reports/{MONTH}?town=gushan") if r["officer_id"] == officer
    )
    assert row["veto"] is True and row["veto_by"] == "gushan_gov" and row["veto_reason"]
    assert row["promotion_level"] == "keep" and row["reward"] is False


def test_each_town_sees_only_its_own_officers(users: dict[str, User], ctx: ServiceContext) -> None:
    seed(ctx)
    users["bureau_head"].post("/api/v1/appraisals/months", {"month": MONTH}, expect=201)
    gushan_station, boyu_station = users["gushan_station"], users["boyu_station"]
    with ctx.database.reading() as session:
        towns = dict(session.execute(select(OfficerModel.id, OfficerModel.town)).all())
    for task in tasks_of(gushan_station, "police_station:gushan", "station_score"):
        assert towns[officer_of(gushan_station, task)] == "gushan"
    boyu_task = tasks_of(boyu_station, "police_station:boyu", "station_score")[0]
    gushan_station.get("/api/v1/queues/police_station:boyu/tasks", expect=403)
    gushan_station.get(f"/api/v1/tasks/{boyu_task['id']}", expect=403)
    gushan_station.post(f"/api/v1/tasks/{boyu_task['id']}/claim", expect=403)
    users["gushan_gov"].get(f"/api/v1/appraisals/reports/{MONTH}?town=boyu", expect=403)
    assert [q["department"] for q in gushan_station.get("/api/v1/queues")] == ["police_station:gushan"]


def test_starting_a_month_twice_or_concurrently_creates_each_instance_once(
    users: dict[str, User], ctx: ServiceContext, database_url: str, clock: object
) -> None:
    seed(ctx)
    other = build_app(database_url, clock)  # a second service process over the same database
    contexts = [ctx, other.extensions["auxpolice"]]
    results: list[dict[str, int]] = []
    errors: list[BaseException] = []

    def run(context: ServiceContext) -> None:
        try:
            results.append(start_month(context, MONTH, "test"))
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(c,)) for c in contexts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert (
        sorted(r["started"] for r in results) in ([0, 46], [46, 0])
        or sum(r["started"] for r in results) == 46
    )
    assert (
        users["bureau_head"].post("/api/v1/appraisals/months", {"month": MONTH}, expect=201)["started"] == 0
    )
    with ctx.database.reading() as session:
        keys = list(
            session.scalars(select(InstanceModel.business_key).where(InstanceModel.process_id == "appraisal"))
        )
    assert len(keys) == len(set(keys)) == 46
    assert all(key.startswith(f"{MONTH}/") for key in keys)
    other.extensions["auxpolice"].database.dispose()
    users["bureau_head"].post("/api/v1/appraisals/months", {"month": "2026-13"}, expect=422)


def test_overdue_scoring_is_marked_and_escalated_to_the_head(
    users: dict[str, User], ctx: ServiceContext, clock: object
) -> None:
    seed(ctx)
    users["bureau_head"].post("/api/v1/appraisals/months", {"month": MONTH}, expect=201)
    station, head = users["gushan_station"], users["gushan_station_head"]
    before = tasks_of(station, "police_station:gushan", "station_score")
    assert not any(t["overdue"] for t in before)
    assert tasks_of(station, "police_station:gushan", "station_escalation") == []
    due = datetime.fromisoformat(station.get(f"/api/v1/tasks/{before[0]['id']}")["due_at"])
    assert due > clock.now()  # type: ignore[attr-defined]
    clock.advance(due - clock.now() + timedelta(minutes=1))  # type: ignore[attr-defined]
    assert fire_due_timers(ctx) >= 46 * 2
    after = tasks_of(station, "police_station:gushan", "station_score")
    assert len(after) == len(before) and all(t["overdue"] for t in after)
    # Head-only: offered to the head, not listed for plain staff (whose claim would be refused anyway).
    assert tasks_of(station, "police_station:gushan", "station_escalation") == []
    escalations = tasks_of(head, "police_station:gushan", "station_escalation")
    assert len(escalations) == len(before) and all(t["head_only"] for t in escalations)
    station.post(f"/api/v1/tasks/{escalations[0]['id']}/claim", expect=403)
    head.post(
        f"/api/v1/tasks/{escalations[0]['id']}/complete",
        {"data": {"action_taken": "已电话督促派出所按期评分"}},
    )
    assert station.get("/api/v1/queues")[0]["overdue"] == len(after)


def test_consequence_rules_fire_on_a_crafted_history(users: dict[str, User], ctx: ServiceContext) -> None:
    seed(ctx)
    bureau = users["bureau"]
    with ctx.database.reading() as session:
        officers = list(session.scalars(select(OfficerModel.id).order_by(OfficerModel.id).limit(3)))
    weak, strong, steady = officers
    add_history(
        ctx,
        [
            (weak, "2026-06", "incompetent"),
            (strong, "2026-09", "excellent"),
            (strong, "2026-10", "excellent"),
            (steady, "2026-10", "excellent"),
            (steady, "2026-08", "excellent"),
        ],
    )
    users["bureau_head"].post("/api/v1/appraisals/months", {"month": MONTH}, expect=201)
    score_all(users, weak=frozenset({weak}))
    decide_vetoes(users, set())
    # The sub-bureau may move a suggestion one step, not more: incompetent -> competent is refused.
    confirm = next(
        t for t in tasks_of(bureau, "police_bureau", "confirm_grade") if officer_of(bureau, t) == weak
    )
    assert bureau.get(f"/api/v1/tasks/{confirm['id']}")["data"]["suggested_grade"] == "incompetent"
    refused = bureau.post(
        f"/api/v1/tasks/{confirm['id']}/complete",
        {"data": {"grade": "competent", "promotion_level": "keep", "reward": False}},
        expect=422,
    )
    assert "上下调整一档" in refused["message"]
    # This month: weak incompetent (a second within twelve months), strong excellent (a third in a row),
    # steady excellent but with a gap in September (no streak of three).
    confirm_all(bureau)
    reviews = tasks_of(bureau, "police_bureau", "dismissal_review")
    proposals = tasks_of(bureau, "police_bureau", "reward_proposal")
    assert [officer_of(bureau, t) for t in reviews] == [weak]
    assert [officer_of(bureau, t) for t in proposals] == [strong]
    year = bureau.get(f"/api/v1/officers/{strong}/appraisals?until={MONTH}")
    assert year["appraised_months"] == 3 and year["annual_grade"] == "excellent"
    assert bureau.get(f"/api/v1/officers/{weak}/appraisals?until={MONTH}")["annual_grade"] == "incompetent"
