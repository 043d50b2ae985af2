"""Monthly dual appraisal: the idempotent batch start per month and the appraisal family's operators."""

from __future__ import annotations

import re
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime, time, timedelta
from multiprocessing import get_context
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from service import audit
from service.config import Settings
from service.context import ServiceContext
from service.persistence.appraisal_counts import add_counts
from service.persistence.db import Database
from service.persistence.models import AppraisalRecordModel, AppraisalStartModel, OfficerModel, VillageModel
from service.persistence.rows import insert_for
from service.usecases.batch_start import prepare, write
from service.usecases.directory import Caller
from service.usecases.errors import ForbiddenError, InvalidInputError, OperatorFailedError
from service.usecases.field_reports import prepare_reports, report_definition, report_due_day
from service.usecases.injury_leave import on_leave_all_month
from service.usecases.runner import InstanceRunner, operator
from workflows.ports import CHINA, ManualClock
from workflows.rules.grading import Confirmation, confirmation_problems, excellent_streak, incompetent_in_last
from workflows.scripting import OperatorCall

MONTH_PATTERN = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
# The programme starts in 2026 (a year's slack for pilot data): a month asked for outside is a typing
# mistake, not a plan (0001-01 once started 46 appraisals, 9999-12 overflowed the due date). The months a
# window looks back over (a year up to a month, a dashboard's columns) may reach before it, not before 2000.
FIRST_MONTH, LAST_MONTH = "2025-01", "2099-12"
EARLIEST_MONTH = "2000-01"
BATCH_SIZE = 250
# Below this many officers a month starts in-process: spawning workers costs more than it saves.
PARALLEL_MINIMUM = 2_000


def parse_month(month: str, first: str = FIRST_MONTH) -> date:
    """Validate ``YYYY-MM`` (from ``first`` to LAST_MONTH) and return the first day of that month."""
    match = MONTH_PATTERN.match(month or "")
    if not match:
        raise InvalidInputError(
            "月份格式应为 YYYY-MM，例如 2026-11",
            errors={"month": ["格式应为 YYYY-MM", "Use the form YYYY-MM"]},
        )
    if not first <= month <= LAST_MONTH:
        raise InvalidInputError(
            "月份应在 {first} 至 {last} 之间",
            errors={
                "month": [
                    f"月份应在 {first} 至 {LAST_MONTH} 之间",
                    f"The month must lie between {first} and {LAST_MONTH}",
                ]
            },
            english="The month must lie between {first} and {last}",
            first=first,
            last=LAST_MONTH,
        )
    return date(int(match.group(1)), int(match.group(2)), 1)


def scoring_due_at(month: str, due_day: int) -> datetime:
    """Scoring of ``month`` is due at the end of ``due_day`` of the following month (China time)."""
    first = parse_month(month)
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return datetime.combine(following.replace(day=due_day) + timedelta(days=1), time(0, 0), tzinfo=CHINA)


def month_scored_by(due_at: datetime) -> str:
    """The month whose scoring ``scoring_due_at`` makes due at ``due_at`` (any due day): the month before
    the one in which its due day ends."""
    due_day = (due_at.astimezone(CHINA) - timedelta(microseconds=1)).date()
    before = due_day.replace(day=1) - timedelta(days=1)
    return f"{before.year:04d}-{before.month:02d}"


def _claim(session: Session, month: str, officer_ids: list[int], now: datetime) -> list[int]:
    """Insert start claims, skipping ones another process already holds; return the ids claimed here."""
    if not officer_ids:
        return []
    statement = (
        insert_for(session, AppraisalStartModel)
        .values([{"month": month, "officer_id": oid, "started_at": now} for oid in officer_ids])
        .on_conflict_do_nothing()
        .returning(AppraisalStartModel.officer_id)
    )
    return list(session.scalars(statement))


def _start_data(officer: OfficerModel, village: VillageModel, month: str, due_at: datetime) -> dict[str, Any]:
    return {
        "officer_id": officer.id,
        "officer_name": officer.name,
        "village_code": village.code,
        "village_name": village.name_zh,
        "town": officer.town,
        "month": month,
        "due_at": due_at.isoformat(),
        "subject": f"{officer.name}（{village.name_zh}）{month}",
    }


def start_month(ctx: ServiceContext, month: str, actor: str, workers: int | None = None) -> dict[str, Any]:
    """Start one appraisal instance per officer in service for ``month``; running it again adds nothing.

    An officer on injury leave every day of the month (as far as is known at the start: the leave began
    by the month's first day and neither ended nor reaches its limit before the month's last,
    service/usecases/injury_leave.py) is not appraised that month: not started, and listed in the answer
    (``on_injury_leave``, ``on_injury_leave_officers``). One back at work before the month ends is started
    by the next run (the scheduler's rounds re-run the month while an officer lacks its appraisal).

    Answers how many officers are in service, how many appraisals were started now and how many the month
    held already; the run is audited (``appraisal_month_started``, by whoever ran it: a person, the CLI's
    caller or the scheduler) besides each instance's own ``instance_started``.

    Officers are started in batches; each batch runs the engine outside any transaction and then writes
    its claims and instances in one short transaction, so a crash leaves whole batches and a re-run
    finishes the rest. Large months are spread over ``workers`` processes (the claims keep them apart).
    """
    parse_month(month)
    on_leave = on_leave_all_month(month)
    with ctx.database.reading() as session:
        officer_ids = list(
            session.scalars(
                select(OfficerModel.id)
                .where(OfficerModel.status == "in_service", ~on_leave)
                .order_by(OfficerModel.id)
            )
        )
        not_appraised = [
            {"id": officer_id, "name": name, "village_code": village, "town": town}
            for officer_id, name, village, town in session.execute(
                select(OfficerModel.id, OfficerModel.name, OfficerModel.village_code, OfficerModel.town)
                .where(on_leave)
                .order_by(OfficerModel.town, OfficerModel.village_code, OfficerModel.id)
            )
        ]
    now = ctx.clock.now()
    workers = workers or ctx.settings.batch_workers
    if workers <= 1 or len(officer_ids) < PARALLEL_MINIMUM:
        started = _start_officers(ctx, month, actor, now, officer_ids)
    else:
        slices = [officer_ids[i::workers] for i in range(workers)]
        with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
            started = sum(
                pool.map(
                    _start_in_worker,
                    *zip(*[(ctx.settings, month, actor, now, part) for part in slices], strict=True),
                )
            )
    with ctx.database.transaction() as session:
        held = session.scalar(
            select(func.count()).select_from(AppraisalStartModel).where(AppraisalStartModel.month == month)
        )
        existing = max(int(held or 0) - started, 0)
        audit.record(
            session,
            now,
            actor,
            "appraisal_month_started",
            month=month,
            officers=len(officer_ids) + len(not_appraised),
            started=started,
            existing=existing,
            on_injury_leave=len(not_appraised),
            on_injury_leave_officers=[o["id"] for o in not_appraised],
        )
    return {
        "officers": len(officer_ids) + len(not_appraised),
        "started": started,
        "existing": existing,
        "on_injury_leave": len(not_appraised),
        "on_injury_leave_officers": not_appraised,
    }


# Who starts or re-runs a month in person (the scheduler starts each month by itself on its start day).
MONTH_STARTER_DEPARTMENT = "police_bureau"


def may_start_months(caller: Caller) -> bool:
    """An admin or the head of the police sub-bureau, on the API and the web alike."""
    return caller.has_role("admin") or caller.heads(MONTH_STARTER_DEPARTMENT)


def start_month_by(ctx: ServiceContext, caller: Caller, month: str) -> dict[str, Any]:
    """``start_month`` for a person: refused (403, zh/en) unless ``may_start_months``."""
    if not may_start_months(caller):
        raise ForbiddenError("只有系统管理员或公安分局负责人可以启动或补启月度考核")
    return start_month(ctx, month, caller.username)


def _start_in_worker(
    settings: Settings, month: str, actor: str, now: datetime, officer_ids: list[int]
) -> int:
    """Start a share of a month in a worker process with its own database connections."""
    ctx = ServiceContext(settings=settings, database=Database(settings.database_url), clock=ManualClock(now))
    try:
        return _start_officers(ctx, month, actor, now, officer_ids)
    finally:
        ctx.database.dispose()


def _start_officers(
    ctx: ServiceContext, month: str, actor: str, now: datetime, officer_ids: list[int]
) -> int:
    due_at = scoring_due_at(month, ctx.settings.appraisal_due_day)
    started = 0
    with ctx.database.reading() as session:
        runner = InstanceRunner(ctx, session, actor)
        definition = runner.latest_definition("appraisal")
        specs = runner.specs_for(definition.id)
        # Each officer's field report starts with the appraisal, in the same batches and transactions.
        reports = report_definition(runner)
        report_due = scoring_due_at(month, report_due_day(reports[1])) if reports else None
    for offset in range(0, len(officer_ids), BATCH_SIZE):
        batch = officer_ids[offset : offset + BATCH_SIZE]
        with ctx.database.reading() as session:
            already = set(
                session.scalars(
                    select(AppraisalStartModel.officer_id).where(
                        AppraisalStartModel.month == month, AppraisalStartModel.officer_id.in_(batch)
                    )
                )
            )
            officers = session.execute(
                select(OfficerModel, VillageModel)
                .join(VillageModel, VillageModel.code == OfficerModel.village_code)
                .where(OfficerModel.id.in_([i for i in batch if i not in already]))
                .order_by(OfficerModel.id)
            ).all()
        prepared = [
            prepare(
                specs,
                "appraisal",
                officer.id,
                _start_data(officer, village, month, due_at),
                f"{month}/{officer.id}",
                use_case="start_month",
                now=now,
                limits=ctx.action_limits,
            )
            for officer, village in officers
        ]
        report_starts = (
            prepare_reports(reports[1], officers, month, report_due, now, ctx.action_limits)
            if reports and report_due
            else []
        )
        with ctx.database.transaction() as session:
            claimed = set(_claim(session, month, [start.key for start in prepared], now))
            mine = [start for start in prepared if start.key in claimed]
            if not mine:
                continue
            instance_ids = write(session, definition, mine, actor, now)
            if reports:
                write(session, reports[0], [r for r in report_starts if r.key in claimed], actor, now)
            # The dashboard's counts in the same transaction as the claims (appraisal_counts.py).
            towns = {officer.id: officer.town for officer, _village in officers}
            add_counts(
                session.connection(), [{"month": month, "town": towns[s.key], "started": 1} for s in mine]
            )
            session.execute(
                update(AppraisalStartModel),
                [
                    {"month": month, "officer_id": start.key, "instance_id": instance_id}
                    for start, instance_id in zip(mine, instance_ids, strict=True)
                ],
            )
            started += len(mine)
    return started


def start_due_month(ctx: ServiceContext) -> dict[str, Any] | None:
    """Start the current month's appraisal once its configured start day has come (scheduler round)."""
    today = ctx.clock.now().astimezone(CHINA).date()
    if today.day < ctx.settings.appraisal_start_day:
        return None
    month = f"{today:%Y-%m}"
    # Officers in service without this month's appraisal (not a comparison of two counts: an officer who
    # left after the start keeps a claim, which made the counts differ and re-ran the month every round).
    claimed = select(AppraisalStartModel.officer_id).where(
        AppraisalStartModel.month == month, AppraisalStartModel.officer_id == OfficerModel.id
    )
    with ctx.database.reading() as session:
        missing = session.scalar(
            select(func.count())
            .select_from(OfficerModel)
            .where(OfficerModel.status == "in_service", ~claimed.exists(), ~on_leave_all_month(month))
        )
    if not missing:
        return None
    return start_month(ctx, month, "scheduler")


@operator("record_veto")
def record_veto(runner: InstanceRunner, call: OperatorCall) -> dict[str, Any]:
    """Record who decided on the veto and when (the decider is the person completing the task); a veto
    counts on the dashboard from here, in the decision's transaction."""
    veto = bool(call.data.get("veto"))
    # A decision taken again replaces the one counted before (its record is in the data).
    before = bool((call.data.get("veto_record") or {}).get("veto"))
    if veto != before:
        add_counts(
            runner.session.connection(),
            [{"month": call.data["month"], "town": call.data["town"], "vetoes": int(veto) - int(before)}],
        )
    return {"by": runner.actor, "at": runner.ctx.clock.now().isoformat(), "veto": veto}


def previous_months(month: str, count: int) -> list[str]:
    """``month`` and the ``count - 1`` months before it, newest first."""
    first = parse_month(month)
    months = []
    year, number = first.year, first.month
    for _ in range(count):
        months.append(f"{year:04d}-{number:02d}")
        year, number = (year - 1, 12) if number == 1 else (year, number - 1)
    return months


def _grades_by_month(session: Session, officer_id: int, months: list[str]) -> list[str | None]:
    """The officer's grade for each of ``months`` (None where the month has no record)."""
    found = dict(
        session.execute(
            select(AppraisalRecordModel.month, AppraisalRecordModel.grade).where(
                AppraisalRecordModel.officer_id == officer_id, AppraisalRecordModel.month.in_(months)
            )
        ).all()
    )
    return [found.get(month) for month in months]


@operator("record_appraisal")
def record_appraisal(runner: InstanceRunner, call: OperatorCall) -> dict[str, Any]:
    """Write the month's appraisal record; refuse a confirmation that breaks the rules or the veto."""
    data = call.data
    veto = bool(data.get("veto"))
    confirmation = Confirmation(
        grade=str(data["grade"]), promotion_level=str(data["promotion_level"]), reward=bool(data["reward"])
    )
    problems = confirmation_problems(str(data["suggested_grade"]), veto, confirmation)
    if problems:
        chinese, english = "；".join(p.zh for p in problems), "; ".join(p.en for p in problems)
        raise OperatorFailedError(chinese, english=english)
    session, month, officer_id = runner.session, str(data["month"]), int(data["officer_id"])
    veto_record = data.get("veto_record") or {}
    record = AppraisalRecordModel(
        officer_id=officer_id,
        month=month,
        town=str(data["town"]),
        instance_id=runner.instance.id if runner.instance else None,
        station_total=float(data["station_total"]),
        town_total=float(data["town_total"]),
        combined_score=float(data["combined_score"]),
        village_committee_opinion=data.get("village_committee_opinion"),
        veto=veto,
        veto_reason=data.get("veto_reason") if veto else None,
        veto_by=veto_record.get("by"),
        veto_at=datetime.fromisoformat(veto_record["at"]) if veto_record.get("at") else None,
        suggested_grade=str(data["suggested_grade"]),
        grade=confirmation.grade,
        promotion_level=confirmation.promotion_level,
        reward=confirmation.reward,
        confirmed_by=runner.actor,
        confirmed_at=runner.ctx.clock.now().astimezone(UTC),
    )
    session.add(record)
    session.flush()
    # The dashboard's counts: the grade, and the veto now confirmed (counted already from its decision;
    # a veto no decision counted is counted here).
    decided = bool(veto_record.get("veto"))
    add_counts(
        session.connection(),
        [
            {
                "month": month,
                "town": record.town,
                "appraised": 1,
                record.grade: 1,
                "vetoes": int(veto) - int(decided),
                "vetoes_confirmed": int(veto),
            }
        ],
    )
    grades = _grades_by_month(session, officer_id, previous_months(month, 12))
    return {"incompetent_last_12": incompetent_in_last(grades), "excellent_streak": excellent_streak(grades)}
