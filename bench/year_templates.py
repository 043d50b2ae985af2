"""Drive a month of appraisals through the service's own use cases and keep the rows each one wrote.

The year generator (bench/year_generator.py) does not invent rows: for every kind of month an officer can
have (an ``Outcome``: the grade, a veto, a late scoring step, the history the consequence rules read) it
drives one real appraisal on a small PostgreSQL schema of its own, with ``start_month``,
``tasks.complete_task`` for every step and the scheduler's ``run_once`` for the overdue timers, on a
``ManualClock`` at the month's real dates. It keeps every row that appraisal left (the instance, its
tasks, timers, notifications, subjects, start claim, record and audit events) as a ``Template``, which
the generator then copies for each officer with that month, substituting who and where
(bench/year_rows.py).

Each template officer is distinctive text (ids 910000000+, names 模板辅警NNNNN, the village tplvil001 in
模板镇 tpltown), so that substituting them is a plain text replacement; a twin officer (92000000+, 核对辅警,
chkvil001 in 核对镇 chktown) can be driven with the same outcome and timeline, and its real rows compared
with the rows the generator writes for it from the template (``year_rows.compare``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import LargeBinary, Table, select, text, type_coerce, update

from bench.pgschema import discard_service_logs, fresh_schema
from service import create_app
from service.config import PROJECT_ROOT
from service.context import ServiceContext
from service.persistence import migrate
from service.persistence.models import (
    AppraisalRecordModel,
    AuditEventModel,
    Base,
    DepartmentModel,
    HumanTaskModel,
    InstanceModel,
    OfficerModel,
    TownModel,
    VillageModel,
)
from service.scheduler import run_once as fire_due_timers
from service.usecases import tasks as task_usecases
from service.usecases.appraisal import scoring_due_at, start_month
from service.usecases.definitions import deploy_bundled
from service.usecases.directory import authenticate, create_user, load_register
from workflows.ports import CHINA, ManualClock

FORMS_DIR = "forms"
# Rubric ratios that give each suggested grade (combined score 0.4 station + 0.6 town, out of 100).
RATIOS = {"excellent": 0.95, "competent": 0.82, "basically_competent": 0.68, "incompetent": 0.40}
TEMPLATE_ID_BASE, TWIN_ID_BASE, INSTANCE_ID_BASE = 910_000_000, 920_000_000, 930_000_000
PLACES = {  # who and where the template officers and their twins are
    "template": {"town": "tpltown", "town_zh": "模板镇", "village": "tplvil001", "village_zh": "模板村"},
    "twin": {"town": "chktown", "town_zh": "核对镇", "village": "chkvil001", "village_zh": "核对村"},
}
NAME_PREFIX = {"template": "模板辅警", "twin": "核对辅警"}


@dataclass(frozen=True, order=True)
class Outcome:
    """What one officer's month comes to; everything that changes the rows the appraisal writes."""

    grade: str  # the suggested (and confirmed) grade
    veto: bool = False
    late: str = ""  # "" | "station" | "town": that scoring step missed its due time (escalated)
    incompetent: int = 0  # incompetent months in the last 12, this one included (record_appraisal)
    streak: int = 0  # excellent months in a row up to this one (record_appraisal)


@dataclass
class Template:
    """The rows one real appraisal left, table by table, with the officer and instance they are about."""

    month: str
    outcome: Outcome
    officer_id: int
    instance_id: int
    name: str
    place: dict[str, str]
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def person(kind: str, k: int) -> tuple[int, str]:
    base = TEMPLATE_ID_BASE if kind == "template" else TWIN_ID_BASE
    return base + k, f"{NAME_PREFIX[kind]}{k:05d}"


def department_users(town: str) -> dict[str, tuple[str, str]]:
    """Department code -> (staff username, head username) for a town's two departments."""
    return {
        f"police_station:{town}": (f"{town}_station", f"{town}_station_head"),
        f"town_gov:{town}": (f"{town}_gov", f"{town}_gov_head"),
    }


BUREAU_USERS = ("bureau_clerk", "bureau_head")


def china(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=CHINA).astimezone(UTC) + timedelta(minutes=minute)


def month_days(month: str) -> tuple[date, date]:
    """The month's first day and the next month's first day."""
    first = date(int(month[:4]), int(month[5:]), 1)
    return first, (first.replace(day=28) + timedelta(days=4)).replace(day=1)


def rubric(form: str, field_name: str, ratio: float) -> dict[str, int]:
    items = json.loads((PROJECT_ROOT / FORMS_DIR / form).read_text(encoding="utf-8"))["properties"]
    return {key: round(spec["maximum"] * ratio) for key, spec in items[field_name]["properties"].items()}


def submission(spec: str, outcome: Outcome, data: dict[str, Any]) -> dict[str, Any]:
    """What the person completing ``spec`` submits for an officer with ``outcome``."""
    ratio = RATIOS[outcome.grade]
    if spec == "station_score":
        return {"station_items": rubric("station_score.json", "station_items", ratio)}
    if spec == "town_score":
        return {
            "town_items": rubric("town_score.json", "town_items", ratio),
            "village_committee_opinion": "satisfied" if ratio > 0.6 else "dissatisfied",
        }
    if spec == "veto_decision":
        return (
            {"veto": True, "veto_reason": "本月发生群众投诉且未及时处置"} if outcome.veto else {"veto": False}
        )
    if spec == "confirm_grade":
        return {"grade": data["suggested_grade"], "promotion_level": "keep", "reward": False}
    if spec in ("station_escalation", "town_escalation"):
        return {"action_taken": "已电话督促按期评分"}
    if spec == "reward_proposal":
        # No reward is referred on: a referral starts a reward_decision instance of its own (issue 17), whose
        # rows a copied month would not carry; the year's rows are the appraisals' (docs/benchmarks.md).
        return {"proposal": "none", "reason": "连续三个月考核优秀，本月不提请奖励"}
    if spec == "dismissal_review":
        return {"decision": "warn", "reason": "近12个月两次考核不称职，予以警告"}
    raise ValueError(f"no submission for {spec}")


def history(outcome: Outcome, month: str) -> list[tuple[str, str]]:
    """Earlier months' grades (month, grade) that give ``outcome``'s counts once this month is recorded."""
    months: list[str] = []
    first, _next = month_days(month)
    for back in range(1, 12):
        day = first
        for _ in range(back):
            day = (day - timedelta(days=1)).replace(day=1)
        months.append(f"{day:%Y-%m}")
    grades: dict[str, str] = {}
    earlier_excellent = max(outcome.streak - 1, 0) if outcome.grade == "excellent" else 0
    for m in months[:earlier_excellent]:
        grades[m] = "excellent"
    earlier_incompetent = outcome.incompetent - (1 if outcome.grade == "incompetent" else 0)
    free = [m for m in months if m not in grades]
    if outcome.grade == "excellent":
        free = free[1:]  # the month after the streak is not excellent, or the streak would be longer
    for m in free[-earlier_incompetent:] if earlier_incompetent else []:
        grades[m] = "incompetent"
    if outcome.grade == "excellent" and earlier_excellent < 11:
        grades.setdefault(months[earlier_excellent], "competent")
    return sorted(grades.items())


@contextmanager
def template_service() -> Iterator[tuple[ServiceContext, ManualClock]]:
    """A migrated schema with the models, the template and twin towns, their users and a manual clock."""
    with fresh_schema("year_templates") as url:
        migrate.upgrade(url)
        clock = ManualClock(datetime(2025, 1, 1, tzinfo=UTC))
        app = create_app({"DATABASE_URL": url, "TOKEN_DAYS": 3650, "TOKEN_MAX_DAYS": 3650}, clock=clock)
        discard_service_logs()
        ctx: ServiceContext = app.extensions["auxpolice"]
        with ctx.database.transaction() as session:
            session.execute(text(f"ALTER SEQUENCE instances_id_seq RESTART WITH {INSTANCE_ID_BASE}"))
            for place in PLACES.values():
                town = place["town"]
                session.add(TownModel(code=town, name_zh=place["town_zh"], name_en=f"Town {town}"))
                session.add(
                    VillageModel(
                        code=place["village"],
                        name_zh=place["village_zh"],
                        name_en=f"Village {place['village']}",
                        town=town,
                        kind="village",
                        households=300,
                        many_small_venues=False,
                    )
                )
                for kind, label in (("police_station", "派出所"), ("town_gov", "镇政府")):
                    session.add(
                        DepartmentModel(
                            code=f"{kind}:{town}",
                            name_zh=f"{place['town_zh']}{label}",
                            name_en=f"{town} {kind}",
                            kind=kind,
                            town=town,
                        )
                    )
            load_register(session)
            session.flush()
            for place in PLACES.values():
                add_town_users(ctx, session, place["town"], place["town_zh"])
            add_bureau_users(ctx, session)
        deploy_bundled(ctx, "bench")
        try:
            yield ctx, clock
        finally:
            ctx.database.dispose()


def add_town_users(ctx: ServiceContext, session: Any, town: str, town_zh: str) -> None:
    """A town's clerk and head in its police station and its town government (their token: their name)."""
    for department, (staff, head) in department_users(town).items():
        label = "派出所" if department.startswith("police_station") else "镇政府"
        create_user(ctx, session, staff, f"{town_zh}{label}经办人", [department], token_of(staff))
        create_user(
            ctx, session, head, f"{town_zh}{label}负责人", [department], token_of(head), (department,)
        )


def add_bureau_users(ctx: ServiceContext, session: Any) -> None:
    clerk, head = BUREAU_USERS
    create_user(ctx, session, clerk, "公安分局经办人", ["police_bureau"], token_of(clerk))
    create_user(
        ctx,
        session,
        head,
        "公安分局负责人",
        ["police_bureau"],
        token_of(head),
        ("police_bureau",),
        ("admin",),
    )


def token_of(username: str) -> str:
    return f"year-token-{username}"


def drive_month(
    ctx: ServiceContext,
    clock: ManualClock,
    month: str,
    outcomes: list[Outcome],
    twins: bool = False,
    number: int = 0,
) -> list[Template]:
    """Appraise one officer per outcome (and its twin) for ``month`` through the use cases; their rows.

    The officers are numbered from ``number`` (a month driven twice needs new officers); officer k acts
    k minutes after the hour of each step, so steps stay in order and before the due time up to k = 2,500.
    """
    first, following = month_days(month)
    people: list[tuple[str, int, Outcome]] = [("template", number + k, o) for k, o in enumerate(outcomes)]
    if twins:
        people += [("twin", number + k, o) for k, o in enumerate(outcomes)]
    with ctx.database.transaction() as session:
        session.execute(update(OfficerModel).values(status="left"))
        for kind, k, outcome in people:
            officer_id, name = person(kind, k)
            place = PLACES[kind]
            if session.get(OfficerModel, officer_id) is None:
                session.add(
                    OfficerModel(
                        id=officer_id,
                        application_id=None,
                        name=name,
                        village_code=place["village"],
                        town=place["town"],
                        role="director_assistant",
                        party_member=False,
                        contract_number=f"TPL-{officer_id}",
                        contract_start=date(2025, 1, 1),
                        contract_end=date(2030, 12, 31),
                        status="in_service",
                        hiring_instance_id=None,
                        hired_at=clock.now(),
                    )
                )
            else:
                session.execute(
                    update(OfficerModel).where(OfficerModel.id == officer_id).values(status="in_service")
                )
            session.flush()
            session.execute(
                AppraisalRecordModel.__table__.delete().where(
                    AppraisalRecordModel.officer_id == officer_id, AppraisalRecordModel.month != month
                )
            )
            for earlier, grade in history(outcome, month):
                session.add(_record(officer_id, earlier, place["town"], grade, clock.now()))
    clock._now = china(first.replace(day=ctx.settings.appraisal_start_day), 9)  # noqa: SLF001
    start_month(ctx, month, "scheduler", workers=1)
    due = scoring_due_at(month, ctx.settings.appraisal_due_day)

    def complete(spec: str, when: date, hour: int, which: list[tuple[str, int, Outcome]]) -> None:
        for kind, k, outcome in which:
            clock._now = china(when, hour, minute=k)  # noqa: SLF001 - each officer at its own minute
            officer_id, _name = person(kind, k)
            for task in open_tasks(ctx, officer_id, month, spec):
                staff, head = (
                    BUREAU_USERS
                    if task.department_code == "police_bureau"
                    else department_users(PLACES[kind]["town"])[task.department_code]
                )
                caller = authenticate(ctx, token_of(head if task.head_only else staff))
                detail = task_usecases.task_detail(ctx, caller, task.id)
                task_usecases.complete_task(ctx, caller, task.id, submission(spec, outcome, detail["data"]))

    on_time = [p for p in people if p[2].late != "station"]
    complete("station_score", following - timedelta(days=3), 10, on_time)
    on_time = [p for p in people if p[2].late != "town"]
    complete("town_score", following + timedelta(days=1), 15, on_time)
    clock._now = due + timedelta(hours=1)  # noqa: SLF001
    fire_due_timers(ctx)
    late = [p for p in people if p[2].late]
    for spec in ("station_escalation", "town_escalation"):
        complete(spec, following + timedelta(days=5), 9, late)
    complete("station_score", following + timedelta(days=5), 10, late)
    complete("town_score", following + timedelta(days=5), 11, late)
    complete("veto_decision", following + timedelta(days=5), 14, people)
    complete("confirm_grade", following + timedelta(days=6), 9, people)
    complete("reward_proposal", following + timedelta(days=6), 11, people)
    complete("dismissal_review", following + timedelta(days=6), 11, people)
    return capture(ctx, month, people)


def _record(officer_id: int, month: str, town: str, grade: str, now: datetime) -> AppraisalRecordModel:
    return AppraisalRecordModel(
        officer_id=officer_id,
        month=month,
        town=town,
        instance_id=None,
        station_total=40,
        town_total=40,
        combined_score=80,
        village_committee_opinion=None,
        veto=False,
        veto_reason=None,
        veto_by=None,
        veto_at=None,
        suggested_grade=grade,
        grade=grade,
        promotion_level="keep",
        reward=False,
        confirmed_by="history",
        confirmed_at=now,
    )


def open_tasks(ctx: ServiceContext, officer_id: int, month: str, spec: str) -> list[HumanTaskModel]:
    with ctx.database.reading() as session:
        rows = session.scalars(
            select(HumanTaskModel)
            .join(InstanceModel, InstanceModel.id == HumanTaskModel.instance_id)
            .where(
                InstanceModel.business_key == f"{month}/{officer_id}",
                HumanTaskModel.spec_name == spec,
                HumanTaskModel.state.in_(("open", "claimed")),
            )
        ).all()
        session.expunge_all()
        return list(rows)


def instance_tables() -> list[Table]:
    """Tables with rows about one instance (an ``instance_id`` column), and the instances themselves."""
    return [t for t in Base.metadata.sorted_tables if t.name == "instances" or "instance_id" in t.c]


def capture(ctx: ServiceContext, month: str, people: list[tuple[str, int, Outcome]]) -> list[Template]:
    """Every row each appraisal of ``month`` left, as the database returns it (states still encoded)."""
    templates = []
    with ctx.database.reading() as session:
        for kind, k, outcome in people:
            officer_id, name = person(kind, k)
            instance_id = session.scalar(
                select(InstanceModel.id).where(InstanceModel.business_key == f"{month}/{officer_id}")
            )
            assert instance_id is not None  # noqa: S101 - started just above
            template = Template(month, outcome, officer_id, instance_id, name, PLACES[kind])
            for table in instance_tables():
                key = table.c.id if table.name == "instances" else table.c.instance_id
                columns = [
                    type_coerce(c, LargeBinary).label(c.name) if c.name == "state" else c for c in table.c
                ]
                query = select(*columns).where(key == instance_id)
                if "seq" in table.c:
                    query = query.order_by(table.c.seq)
                template.rows[table.name] = [dict(r._mapping) for r in session.execute(query)]
            templates.append(template)
    return templates


def month_event(ctx: ServiceContext, month: str) -> dict[str, Any]:
    """The month's own audit event (``appraisal_month_started``), as the template schema holds it."""
    with ctx.database.reading() as session:
        row = session.execute(
            select(AuditEventModel.__table__)
            .where(
                AuditEventModel.action == "appraisal_month_started",
                AuditEventModel.payload["month"].as_string() == month,
            )
            .order_by(AuditEventModel.seq.desc())
            .limit(1)
        ).first()
    assert row is not None  # noqa: S101
    return dict(row._mapping)
