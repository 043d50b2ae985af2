"""Time the campaign and appraisal dashboards (issue 15, point 6) at a province's volume.

Run by hand from the project root (it is not a test)::

    .venv/bin/python -m bench.dashboard_bench [--quick]

The rows are inserted directly (this measures reading, not creating them), on SQLite and, when the local
server answers, on a fresh PostgreSQL schema:

- a register of 100 towns (the two shipped ones and 98 made up), each with a police station, a town
  government and a village, and 72,500 officers spread over them;
- a year of appraisal history: for each of the 11 months before this one the appraisal start and the
  confirmed record of every officer (a tenth vetoed, grades in the usual proportions), without their
  finished instances and tasks (the dashboard's task queries read the partial indexes over open tasks);
- this month: 67,500 officers at scoring (135,000 open tasks, a third past their due time) and 5,000 at
  the sub-bureau's confirmation (5,000 open tasks), whose town government's veto decision is in the audit
  trail (one in ten a veto, counted before the confirmation): 140,000 open tasks;
- a campaign of 20,000 applications over 146 villages (the refused 7,500 with their reasons), 400 posts
  started, 150 of them filled;
- the appraisal dashboard's counts by month and town (``appraisal_counts``), filled from those rows by
  the query migration 0022 runs (service/persistence/appraisal_counts.py), as the service keeps them.

Timed, 30 calls after 2 untimed (20 with --quick): the use cases behind each dashboard (the campaign's
report and chart numbers; the twelve months by town for the sub-bureau and for one town's station) and
the whole pages through the Flask test client, signed in through the login form.
"""

from __future__ import annotations

import argparse
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, text

from bench.appraisal_bench import database
from bench.pgschema import discard_service_logs, postgres_problem
from bench.queue_volume import time_calls
from bench.recruitment_bench import load, log, machine
from bench.stats import Row, format_table, ms, percentile, verdict
from service import create_app
from service.context import ServiceContext
from service.persistence import migrate
from service.persistence.appraisal_counts import rebuild
from service.persistence.models import (
    ApplicationModel,
    AppraisalRecordModel,
    AppraisalStartModel,
    AuditEventModel,
    CampaignModel,
    DefinitionModel,
    DepartmentModel,
    HumanTaskModel,
    InstanceModel,
    OfficerModel,
    TownModel,
    VillageModel,
)
from service.usecases import dashboards, officer_dashboard
from service.usecases.appraisal import previous_months
from service.usecases.definitions import deploy_bundled
from service.usecases.directory import authenticate, create_user, load_register
from workflows.ports import CHINA

P95_TARGET = 0.300
CAMPAIGN_KEY = "2026-bench-recruitment"
WARMUP = 2
CHUNK = 10_000
PASSWORD = "bench-password-1"  # noqa: S105  (a throwaway database's user)
GRADES = ("excellent",) * 2 + ("competent",) * 6 + ("basically_competent", "incompetent")
STATUSES = ("submitted", "eligible", "ineligible", "ranked", "absent", "vetting", "vetting_failed", "notice")
# The refused applications give their reasons, as the screening, the exam and the vetting store them (3 of
# the 8 statuses: 7,500 of the 20,000 applications), so that the dashboard's tally by reason counts some.
REFUSALS = {
    "ineligible": ["年龄不符合要求", "户籍不在本村"],
    "absent": ["未参加考试或无考试成绩"],
    "vetting_failed": ["有犯罪记录"],
}


class Sizes:
    def __init__(self, towns: int, officers: int, confirming: int, applications: int, repeat: int) -> None:
        self.towns, self.officers, self.confirming = towns, officers, confirming
        self.applications, self.repeat = applications, repeat

    def __repr__(self) -> str:
        return (
            f"towns={self.towns} officers={self.officers:,} (at confirmation {self.confirming:,}) "
            f"applications={self.applications:,} repeat={self.repeat}"
        )


FULL = Sizes(towns=100, officers=72_500, confirming=5_000, applications=20_000, repeat=30)
QUICK = Sizes(towns=20, officers=5_000, confirming=500, applications=2_000, repeat=20)


def _insert(ctx: ServiceContext, model: Any, rows: list[dict[str, Any]]) -> None:
    for offset in range(0, len(rows), CHUNK):
        with ctx.database.transaction() as session:
            session.execute(insert(model), rows[offset : offset + CHUNK])


def _instances(ctx: ServiceContext, rows: list[dict[str, Any]]) -> list[int]:
    """Insert instance rows; their ids in order."""
    ids: list[int] = []
    for offset in range(0, len(rows), CHUNK):
        with ctx.database.transaction() as session:
            result = session.execute(
                insert(InstanceModel).returning(InstanceModel.id, sort_by_parameter_order=True),
                rows[offset : offset + CHUNK],
            )
            ids.extend(row[0] for row in result)
    return ids


def _instance(definition_id: int, process_id: str, key: str, status: str, now: datetime) -> dict[str, Any]:
    return {
        "definition_id": definition_id,
        "process_id": process_id,
        "business_key": key,
        "status": status,
        "subject": "",
        "state": {},
        "serializer_version": "bench",
        "lock_version": 1,
        "started_by": "bench",
        "created_at": now,
        "updated_at": now,
        "completed_at": now if status == "completed" else None,
    }


def _task(
    instance_id: int, spec: str, department: str, state: str, due: datetime, now: datetime
) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "instance_id": instance_id,
        "process_id": "appraisal",
        "spec_name": spec,
        "name_zh": spec,
        "name_en": spec,
        "department_code": department,
        "form": None,
        "subject": "",
        "head_only": False,
        "state": state,
        "claimed_by": None,
        "completed_by": "bench" if state == "completed" else None,
        "due_at": due,
        "created_at": now,
        "claimed_at": None,
        "completed_at": now if state == "completed" else None,
    }


def populate(ctx: ServiceContext, sizes: Sizes) -> dict[str, int]:
    """The register, officers, a year of appraisals and this month's open tasks, a campaign; row counts."""
    now = ctx.clock.now()
    this_month = now.astimezone(CHINA).strftime("%Y-%m")
    months = previous_months(this_month, 12)  # newest first
    with ctx.database.transaction() as session:
        made_up = [f"bt{n:03d}" for n in range(sizes.towns - 2)]
        session.execute(
            insert(TownModel), [{"code": c, "name_zh": f"测试{c}镇", "name_en": f"Town {c}"} for c in made_up]
        )
        session.execute(
            insert(VillageModel),
            [
                {
                    "code": f"{c}-v01",
                    "name_zh": f"测试{c}村",
                    "name_en": f"Village {c}",
                    "town": c,
                    "kind": "village",
                    "households": 300,
                    "many_small_venues": False,
                }
                for c in made_up
            ],
        )
        session.execute(
            insert(DepartmentModel),
            [
                {
                    "code": f"{kind}:{c}",
                    "name_zh": f"测试{c}{label}",
                    "name_en": f"{c} {kind}",
                    "kind": kind,
                    "town": c,
                }
                for c in made_up
                for kind, label in (("police_station", "派出所"), ("town_gov", "镇政府"))
            ],
        )
        villages = [
            (v.code, v.town) for v in session.scalars(select(VillageModel).order_by(VillageModel.code))
        ]
        definitions = dict(session.execute(select(DefinitionModel.process_id, DefinitionModel.id)).all())
    per_town: dict[str, str] = {}
    for code, town in villages:
        per_town.setdefault(town, code)
    towns = sorted(per_town)
    officers = [
        {
            "application_id": None,
            "name": f"测试辅警{n:05d}",
            "village_code": per_town[towns[n % len(towns)]],
            "town": towns[n % len(towns)],
            "role": "director_assistant",
            "party_member": False,
            "contract_number": f"B-{n:05d}",
            "contract_start": date(2026, 1, 1),
            "contract_end": date(2028, 12, 31),
            "status": "in_service",
            "hiring_instance_id": None,
            "hired_at": now,
        }
        for n in range(sizes.officers)
    ]
    _insert(ctx, OfficerModel, officers)
    with ctx.database.reading() as session:
        ids = list(session.execute(select(OfficerModel.id, OfficerModel.town).order_by(OfficerModel.id)))
    appraisal = definitions["appraisal"]
    for age, month in enumerate(months):
        current = age == 0
        log(f"  month {month}: {len(ids):,} officers")
        # Past months: their starts and records (what the dashboard reads); their finished instances and
        # tasks are left out (the dashboard's task queries read the partial indexes over open tasks only).
        instance_ids: list[int | None] = (
            list(
                _instances(
                    ctx,
                    [
                        _instance(appraisal, "appraisal", f"{month}/{oid}", "running", now)
                        for oid, _town in ids
                    ],
                )
            )
            if current
            else [None] * len(ids)
        )
        _insert(
            ctx,
            AppraisalStartModel,
            [
                {"month": month, "officer_id": oid, "instance_id": iid, "started_at": now}
                for (oid, _town), iid in zip(ids, instance_ids, strict=True)
            ],
        )
        today = now.astimezone(CHINA).date()
        overdue_at = datetime(today.year, today.month, today.day, tzinfo=CHINA)
        tasks: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        records: list[dict[str, Any]] = []
        for n, ((oid, town), iid) in enumerate(zip(ids, instance_ids, strict=True)):
            if current and iid is not None:
                if n >= sizes.confirming:
                    # Past due at a midnight in China, as appraisal.scoring_due_at ends a due day (the
                    # dashboard names the month from it; here the month before this one's, as a
                    # month's late scoring looks early in the next): the overdue count reads the index.
                    due = overdue_at if n % 3 == 0 else now + timedelta(days=5)
                    tasks.append(_task(iid, "station_score", f"police_station:{town}", "open", due, now))
                    tasks.append(_task(iid, "town_score", f"town_gov:{town}", "open", due, now))
                    continue
                tasks.append(_task(iid, "station_score", f"police_station:{town}", "completed", now, now))
                tasks.append(_task(iid, "town_score", f"town_gov:{town}", "completed", now, now))
                tasks.append(
                    _task(iid, "confirm_grade", "police_bureau", "open", now + timedelta(days=3), now)
                )
                veto = n % 10 == 0
                events.append(
                    {
                        "at": now,
                        "actor": f"gov-{town}",
                        "action": "task_completed",
                        "instance_id": iid,
                        "task_id": str(uuid.uuid4()),
                        "department_code": f"town_gov:{town}",
                        "payload": {
                            "element": "veto_decision",
                            "name": "一票否决决定",
                            "submitted": {"veto": veto, "veto_reason": "群众投诉" if veto else None},
                            "data_before": {},
                        },
                    }
                )
                continue
            grade = GRADES[n % len(GRADES)]
            records.append(
                {
                    "officer_id": oid,
                    "month": month,
                    "town": town,
                    "instance_id": iid,
                    "station_total": 45.0,
                    "town_total": 45.0,
                    "combined_score": 90.0,
                    "village_committee_opinion": "satisfied",
                    "veto": n % 10 == 0,
                    "veto_reason": "群众投诉" if n % 10 == 0 else None,
                    "veto_by": None,
                    "veto_at": None,
                    "suggested_grade": grade,
                    "grade": grade,
                    "promotion_level": "keep",
                    "reward": False,
                    "confirmed_by": "bench",
                    "confirmed_at": now,
                }
            )
        _insert(ctx, HumanTaskModel, tasks)
        _insert(ctx, AuditEventModel, events)
        _insert(ctx, AppraisalRecordModel, records)
    campaign_id = populate_campaign(ctx, sizes, definitions, [code for code, _town in villages], now)
    # The dashboard's counts by month and town, from the rows just inserted: the query migration 0022
    # fills them with (how long it takes at this volume is what that migration costs).
    started = time.perf_counter()
    with ctx.database.transaction() as session:
        rebuild(session.connection())
    rebuild_seconds = time.perf_counter() - started
    with ctx.database.transaction() as session:
        if ctx.database.engine.dialect.name == "postgresql":
            session.execute(text("ANALYZE"))
        else:
            session.execute(text("ANALYZE"))
    with ctx.database.reading() as session:
        found = {
            table: int(session.scalar(text(f"SELECT count(*) FROM {table}")) or 0)  # noqa: S608
            for table in (
                "instances",
                "human_tasks",
                "appraisal_records",
                "audit_events",
                "applications",
                "appraisal_counts",
            )
        }
        found["open_tasks"] = int(
            session.scalar(text("SELECT count(*) FROM human_tasks WHERE state IN ('open', 'claimed')")) or 0
        )
    found["campaign_id"] = campaign_id
    found["rebuild_ms"] = round(rebuild_seconds * 1000)
    return found


def populate_campaign(
    ctx: ServiceContext, sizes: Sizes, definitions: dict[str, int], villages: list[str], now: datetime
) -> int:
    key = CAMPAIGN_KEY
    plan_villages = villages[: min(len(villages), 146)]
    [campaign_instance] = _instances(
        ctx, [_instance(definitions["recruitment"], "recruitment", key, "running", now)]
    )
    posts = [{"village_code": code, "village_name": code, "posts": 3} for code in plan_villages]
    with ctx.database.transaction() as session:
        campaign = CampaignModel(
            instance_id=campaign_instance,
            business_key=key,
            title="基准测试招聘",
            status="hiring",
            plan={"posts": posts, "total_posts": 3 * len(posts)},
            registration_start=date(2026, 11, 1),
            registration_end=date(2026, 11, 20),
            created_at=now,
        )
        session.add(campaign)
        session.flush()
        campaign_id = campaign.id
    applications: list[dict[str, Any]] = [
        {
            "campaign_id": campaign_id,
            "village_code": plan_villages[n % len(plan_villages)],
            "name": f"应聘人{n:05d}",
            "id_type": "resident_id",
            "id_number": f"B{n:017d}",
            "birth_date": date(1998, 1, 1),
            "applicant": {"sex": "male", "nationality": "CN"},
            "status": "hired" if n < 150 else STATUSES[n % len(STATUSES)],
            "reasons": REFUSALS.get(STATUSES[n % len(STATUSES)], []) if n >= 150 else [],
            "score": None,
            "rank": None,
            "screening_instance_id": None,
            "applied_at": now,
        }
        for n in range(sizes.applications)
    ]
    _insert(ctx, ApplicationModel, applications)
    hiring = [
        _instance(
            definitions["post_hiring"],
            "post_hiring",
            f"{key}/{plan_villages[n % len(plan_villages)]}/{n // len(plan_villages) + 1}",
            "running" if n >= 300 else "completed",
            now,
        )
        for n in range(400)
    ]
    hiring_ids = _instances(ctx, hiring)
    with ctx.database.reading() as session:
        hired = list(
            session.execute(
                select(ApplicationModel.id, ApplicationModel.village_code)
                .where(ApplicationModel.campaign_id == campaign_id, ApplicationModel.status == "hired")
                .order_by(ApplicationModel.id)
            )
        )
        towns = dict(session.execute(select(VillageModel.code, VillageModel.town)).all())
    _insert(
        ctx,
        OfficerModel,
        [
            {
                "application_id": aid,
                "name": f"新录用{n:03d}",
                "village_code": village,
                "town": towns[village],
                "role": "director_assistant",
                "party_member": False,
                "contract_number": f"N-{n:03d}",
                "contract_start": date(2026, 12, 1),
                "contract_end": date(2029, 11, 30),
                "status": "in_service",
                "hiring_instance_id": hiring_ids[n],
                "hired_at": now,
            }
            for n, (aid, village) in enumerate(hired)
        ],
    )
    return campaign_id


def populated(ctx: ServiceContext) -> bool:
    """Whether the database was populated by an earlier run (``--database``: kept and reused)."""
    with ctx.database.reading() as session:
        found = session.scalar(select(CampaignModel.id).where(CampaignModel.business_key == CAMPAIGN_KEY))
    return found is not None


@contextmanager
def service(url: str) -> Iterator[tuple[Any, ServiceContext]]:
    migrate.upgrade(url)
    app = create_app({"DATABASE_URL": url, "WTF_CSRF_ENABLED": False, "SESSION_COOKIE_SECURE": False})
    discard_service_logs()
    ctx: ServiceContext = app.extensions["auxpolice"]
    if populated(ctx):
        try:
            yield app, ctx
        finally:
            ctx.database.dispose()
        return
    with ctx.database.transaction() as session:
        load_register(session)
        create_user(
            ctx,
            session,
            "bench_bureau",
            "分局 基准",
            ["police_bureau"],
            "bench-token-bureau",
            password=PASSWORD,
        )
        create_user(
            ctx,
            session,
            "bench_station",
            "派出所 基准",
            ["police_station:gushan"],
            "bench-token-station",
            password=PASSWORD,
        )
    deploy_bundled(ctx, "bench")
    try:
        yield app, ctx
    finally:
        ctx.database.dispose()


def signed_in(app: Any, username: str) -> Any:
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    if response.status_code != 302:
        raise RuntimeError(f"login {username}: {response.status_code}")
    return client


def timed_rows(label: str, samples: list[float], target: bool) -> Row:
    p50, p95 = percentile(samples, 50), percentile(samples, 95)
    log(f"{label}: p50 {ms(p50)} / p95 {ms(p95)} over {len(samples)} calls")  # as it comes: a long run
    return Row(
        label,
        f"p50 {ms(p50)} / p95 {ms(p95)}",
        "p95 < 300 ms" if target else "",
        verdict(p95 < P95_TARGET) if target else "",
    )


CANDIDATE_INDEXES = (
    # The grades by month and town read from the index alone.
    "CREATE INDEX ix_bench_records_month_town ON appraisal_records (month, town, grade, veto)",
    # The appraisals started by month and town: each start's officer's town from the index alone.
    "CREATE INDEX ix_bench_officers_id_town ON officers (id, town)",
)


def existing(ctx: ServiceContext) -> dict[str, int]:
    """The row counts of a database populated by an earlier run."""
    with ctx.database.reading() as session:
        found = {
            table: int(session.scalar(text(f"SELECT count(*) FROM {table}")) or 0)  # noqa: S608
            for table in ("instances", "human_tasks", "appraisal_records", "audit_events", "applications")
        }
        found["open_tasks"] = int(
            session.scalar(text("SELECT count(*) FROM human_tasks WHERE state IN ('open', 'claimed')")) or 0
        )
        found["campaign_id"] = int(
            session.scalar(select(CampaignModel.id).where(CampaignModel.business_key == CAMPAIGN_KEY)) or 0
        )
    found["rebuild_ms"] = 0
    return found


def measure(backend: str, url: str, sizes: Sizes, candidates: bool = False) -> list[Row]:
    rows: list[Row] = []
    with service(url) as (app, ctx):
        started = time.perf_counter()
        if populated(ctx):
            log(f"{backend}: reusing the populated database {url}")
            found = existing(ctx)
        else:
            log(f"{backend}: populating ({sizes})")
            found = populate(ctx, sizes)
        counts = {k: v for k, v in found.items() if k not in ("campaign_id", "rebuild_ms")}
        rows.append(Row(f"{backend}: rows", ", ".join(f"{k} {v:,}" for k, v in counts.items())))
        rows.append(
            Row(f"{backend}: appraisal_counts filled (migration 0022's query)", f"{found['rebuild_ms']} ms")
        )
        rows.append(Row(f"{backend}: populating took", f"{time.perf_counter() - started:.0f} s"))
        campaign_id = found["campaign_id"]
        bureau = authenticate(ctx, "bench-token-bureau")
        station = authenticate(ctx, "bench-token-station")
        this_month = ctx.clock.now().astimezone(CHINA).strftime("%Y-%m")
        months = previous_months(this_month, 12)
        overview = dashboards.appraisal_overview(ctx, bureau, months)
        vetoes = sum(row["vetoes_pending"] for row in overview["rows"])
        if vetoes != sizes.confirming // 10:
            raise RuntimeError(
                f"{backend}: {vetoes} vetoes awaiting confirmation, expected {sizes.confirming // 10}"
            )
        rows.append(Row(f"{backend}: vetoes decided, grade not confirmed", f"{vetoes:,} (as inserted)"))
        started_total = sum(row["started"] for row in overview["rows"])
        appraised_total = sum(row["appraised"] for row in overview["rows"])
        if (started_total, appraised_total) != (12 * sizes.officers, 11 * sizes.officers):
            raise RuntimeError(f"{backend}: {started_total} started, {appraised_total} appraised counted")
        pages = {
            "campaign page": ("bench_bureau", f"/dashboards/campaigns/{campaign_id}"),
            "appraisal page (sub-bureau, all towns)": ("bench_bureau", "/dashboards/appraisal"),
            "appraisal page (one station)": ("bench_station", "/dashboards/appraisal"),
            "officers page (sub-bureau, all towns)": ("bench_bureau", "/dashboards/officers"),
            "results list (a town's vetoes)": (
                "bench_bureau",
                f"/appraisals/{this_month}/results?town=gushan&veto=1",
            ),
        }
        calls: dict[str, Callable[[], Any]] = {
            "campaign use case (report and chart numbers)": lambda: dashboards.campaign_dashboard(
                ctx, bureau, campaign_id
            ),
            "appraisal use case (sub-bureau, 12 months x all towns)": lambda: dashboards.appraisal_overview(
                ctx, bureau, months
            ),
            "appraisal use case (one station)": lambda: dashboards.appraisal_overview(ctx, station, months),
            "officers use case (sub-bureau, all towns)": lambda: officer_dashboard.officer_overview(
                ctx, bureau, months
            ),
        }
        # The sub-bureau's two reads apart: the counts (appraisal_counts) and the overdue open tasks.
        with ctx.database.reading() as session:
            towns = list(session.scalars(select(TownModel.code)))

        def read(part: Callable[..., Any], *args: Any) -> Callable[[], Any]:
            def call() -> Any:
                with ctx.database.reading() as session:
                    return part(session, months, towns, *args)

            return call

        calls["part: the counts of 12 months x all towns (appraisal_counts)"] = read(
            dashboards.month_town_counts
        )
        calls["part: overdue open tasks by month and department"] = read(
            dashboards.overdue_counts, ctx.clock.now()
        )
        clients = {name: signed_in(app, name) for name in ("bench_bureau", "bench_station")}
        for label, (user, path) in pages.items():

            def get(user: str = user, path: str = path) -> None:
                response = clients[user].get(path)
                if response.status_code != 200:
                    raise RuntimeError(f"GET {path}: {response.status_code}")
                response.get_data()

            calls[label] = get
        for label, call in calls.items():
            log(f"{backend}: timing {label}")
            samples = time_calls(call, sizes.repeat, warmup=WARMUP)
            rows.append(timed_rows(f"{backend}: {label}", samples, target=not label.startswith("part:")))
        if candidates:
            # Indexes the schema does not have (no migration here): what they would change, for the lead.
            with ctx.database.transaction() as session:
                for statement in CANDIDATE_INDEXES:
                    session.execute(text(statement))
                session.execute(text("ANALYZE"))
            for label in (
                "appraisal use case (sub-bureau, 12 months x all towns)",
                "appraisal page (sub-bureau, all towns)",
            ):
                log(f"{backend}: timing {label} with the candidate indexes")
                samples = time_calls(calls[label], sizes.repeat, warmup=WARMUP)
                rows.append(timed_rows(f"{backend}: {label}, candidate indexes", samples, target=True))
    return rows


def run(
    sizes: Sizes,
    candidates: bool = False,
    backends: tuple[str, ...] = ("sqlite", "postgresql"),
    kept: str | None = None,
) -> list[Row]:
    rows: list[Row] = []
    if kept is not None:
        # A database kept between runs (populated by the first, reused by the next: EXPLAIN and profiles
        # on the bench's own rows without populating again); the caller drops it.
        return measure(kept.split(":", 1)[0].split("+", 1)[0], kept, sizes, candidates)
    if "sqlite" in backends:
        with database("sqlite") as url:
            rows += measure("sqlite", url, sizes, candidates)
    if "postgresql" not in backends:
        return rows
    problem = postgres_problem()
    if problem is not None:
        rows.append(Row("postgresql", f"skipped: {problem}"))
        return rows
    with database("postgresql") as url:
        rows += measure("postgresql", url, sizes, candidates)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a small run: 20 towns, 5,000 officers")
    parser.add_argument(
        "--candidate-indexes",
        action="store_true",
        help="then time the appraisal again with CANDIDATE_INDEXES",
    )
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), help="only this database")
    parser.add_argument(
        "--database",
        metavar="URL",
        help="populate this database and keep it, or reuse it when an earlier run populated it",
    )
    parser.add_argument("--repeat", type=int, help="timed calls per figure (default 30, 20 with --quick)")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    if args.repeat:
        sizes.repeat = args.repeat
    started = time.perf_counter()
    print(f"auxpolice dashboard benchmark ({'quick' if args.quick else 'full'}): {sizes}")
    print(machine())
    backends = (args.backend,) if args.backend else ("sqlite", "postgresql")
    rows = run(sizes, args.candidate_indexes, backends, args.database)
    print()
    print(format_table(rows))
    print(f"\ntotal wall time {time.perf_counter() - started:.0f} s; at the end: {load()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
