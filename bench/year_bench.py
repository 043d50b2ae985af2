"""Measure a province's year side by side with an empty database in the same run (issue 16, point 2).

Run by hand from the project root, after bench/year_generator.py (which leaves the schema ``year_<N>``)::

    .venv/bin/python -m bench.year_bench --schema year_7000 [--repeat 30] [--completions 60]

The empty database is a fresh schema with the same register, users and officers (and the same campaign),
no appraisal history. On each, in this order, through the Flask test client where a person would go
through it (bearer tokens for the API, a signed-in session for pages):

- the month start of month 13 (``start_month``, 2 workers), then
- task completion: ``--completions`` station scores of month 13 completed over HTTP, against bare
  SpiffWorkflow completing the same step of the same model (load the state JSON, complete, step, dump);
- a station's queue (first page), the bureau's queue, the inbox, ``GET /queues``;
- an instance page (a finished appraisal of last month; on the empty database, month 13's), an officer's
  twelve months, the auditor's searches (by officer, by person, by date range, free text);
- the appraisal dashboard (bureau, one station) and the campaign dashboard pages;
- last month's report as XLSX for a town and for the province (and the province's peak Python memory);
- ``audit verify`` over the whole chain (events per second) and for one instance.

Each figure: p50 / p95 over ``--repeat`` calls after 2 untimed, the year's p95 against the empty one's.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import func, select

from bench.appraisal_bench import cpu_now
from bench.pgschema import POSTGRES_URL, fresh_schema, library_logging, load_average
from bench.queue_volume import time_calls
from bench.recruitment_bench import log, machine
from bench.stats import Row, format_table, ms, percentile, verdict
from bench.year_generator import campaign, create_service, province, rebuild_projections
from bench.year_templates import rubric, token_of
from service import audit
from service.config import PROJECT_ROOT
from service.context import ServiceContext
from service.persistence.models import (
    CampaignModel,
    HumanTaskModel,
    InstanceModel,
    OfficerModel,
    UserModel,
)
from service.usecases.appraisal import start_month
from service.usecases.directory import create_user
from workflows.scripting import RestrictedScriptEngine
from workflows.serialization import dump_state, load_state
from workflows.specs import attach_forms, parse_bundle, read_bundle

MONTH13, LAST = "2026-12", "2026-11"
PASSWORD = "bench-password-1"  # noqa: S105 - a throwaway database's user
TOWN = "t0003"
STATION = f"police_station:{TOWN}"
WEB_BUREAU, WEB_STATION, AUDITOR = "bench_web_bureau", "bench_web_station", "bench_auditor"


def add_bench_users(ctx: ServiceContext) -> None:
    with ctx.database.transaction() as session:
        if session.scalar(select(UserModel.id).where(UserModel.username == AUDITOR)):
            return  # a second run on the same schema
        create_user(ctx, session, AUDITOR, "审计 基准", [], token_of(AUDITOR), roles=("auditor",))
        create_user(
            ctx,
            session,
            WEB_BUREAU,
            "分局 基准",
            ["police_bureau"],
            token_of(WEB_BUREAU),
            ("police_bureau",),
            ("auditor",),
            password=PASSWORD,
        )
        create_user(
            ctx, session, WEB_STATION, "派出所 基准", [STATION], token_of(WEB_STATION), password=PASSWORD
        )


class Database:
    """One side of the comparison: its app, context, signed-in clients and the figures measured."""

    def __init__(self, label: str, url: str) -> None:
        self.label, self.url = label, url
        self.app, self.ctx = create_service(url, {"WTF_CSRF_ENABLED": False, "SESSION_COOKIE_SECURE": False})
        add_bench_users(self.ctx)
        self.api = self.app.test_client()
        self.web: dict[str, Any] = {}
        for user in (WEB_BUREAU, WEB_STATION):
            client = self.app.test_client()
            response = client.post("/login", data={"username": user, "password": PASSWORD})
            if response.status_code != 302:
                raise RuntimeError(f"{label}: login {user}: {response.status_code}")
            self.web[user] = client
        self.samples: dict[str, list[float]] = {}
        self.values: dict[str, str] = {}

    def get(self, path: str, user: str, web: bool = False) -> Any:
        if web:
            response = self.web[user].get(path)
        else:
            response = self.api.get(path, headers={"Authorization": f"Bearer {token_of(user)}"})
        if response.status_code != 200:
            raise RuntimeError(
                f"{self.label}: GET {path} as {user}: {response.status_code} {response.data[:300]!r}"
            )
        return response.get_data()


def raw_completions(count: int) -> list[float]:
    """Bare SpiffWorkflow: load the state JSON, complete station_score, step, dump; per completion."""
    specs = parse_bundle(
        attach_forms(read_bundle(PROJECT_ROOT / "bpmn" / "appraisal"), PROJECT_ROOT / "forms")
    )
    spec, subprocess_specs = specs.spec_for("appraisal")
    data = {
        "officer_id": 1,
        "officer_name": "王建华",
        "village_code": "t0003v01",
        "village_name": "测0003镇01村",
        "town": TOWN,
        "month": MONTH13,
        "due_at": "2027-01-06T00:00:00+08:00",
        "subject": f"王建华（测0003镇01村）{MONTH13}",
    }
    from SpiffWorkflow.bpmn import BpmnWorkflow  # noqa: PLC0415
    from SpiffWorkflow.util.task import TaskState  # noqa: PLC0415

    submitted = {"station_items": rubric("station_score.json", "station_items", 0.82)}
    samples = []
    with library_logging():
        for _ in range(count):
            workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=RestrictedScriptEngine())
            for task in workflow.get_tasks(state=TaskState.READY):
                task.data.update(data)
            workflow.do_engine_steps()
            state = orjson.dumps(dump_state(workflow))
            started = time.perf_counter()
            loaded = load_state(orjson.loads(state), spec, subprocess_specs)
            loaded.script_engine = RestrictedScriptEngine()
            task = next(
                t for t in loaded.get_tasks(state=TaskState.READY) if t.task_spec.bpmn_id == "station_score"
            )
            task.data.update(submitted)
            task.run()
            loaded.do_engine_steps()
            orjson.dumps(dump_state(loaded))
            samples.append(time.perf_counter() - started)
    return samples


def month_start(db: Database) -> None:
    log(f"{db.label}: month start {MONTH13}")
    started, cpu = time.perf_counter(), cpu_now()
    result = start_month(db.ctx, MONTH13, "bench", workers=2)
    seconds = time.perf_counter() - started
    if not result["started"]:  # a second run on the same year: month 13 was started by the first
        db.values["month start of month 13"] = "already started by an earlier run (not timed)"
        return
    db.values["month start of month 13"] = (
        f"{seconds:.1f} s for {result['started']:,} "
        f"({seconds / max(result['started'], 1) * 1000:.2f} ms/officer; "
        f"CPU here {cpu_now() - cpu:.0f} s)"
    )
    db.samples["month start of month 13 (s)"] = [seconds]


def completions(db: Database, count: int) -> None:
    log(f"{db.label}: {count} completions")
    with db.ctx.database.reading() as session:
        rows = session.execute(
            select(HumanTaskModel.id, HumanTaskModel.department_code)
            .join(InstanceModel, InstanceModel.id == HumanTaskModel.instance_id)
            .where(
                HumanTaskModel.spec_name == "station_score",
                HumanTaskModel.state == "open",
                InstanceModel.business_key.like(f"{MONTH13}/%"),
            )
            .order_by(HumanTaskModel.department_code.desc(), HumanTaskModel.id)
            .limit(count)
        ).all()
    submitted = {"data": {"station_items": rubric("station_score.json", "station_items", 0.82)}}
    samples = []
    for task_id, department in rows:
        user = f"{department.split(':')[1]}_station"
        started = time.perf_counter()
        response = db.api.post(
            f"/api/v1/tasks/{task_id}/complete",
            json=submitted,
            headers={"Authorization": f"Bearer {token_of(user)}"},
        )
        samples.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise RuntimeError(
                f"{db.label}: complete {task_id}: {response.status_code} {response.data[:300]!r}"
            )
    db.samples["task completion over HTTP"] = samples


def reads(db: Database, repeat: int) -> None:
    """Everything read, timed ``repeat`` times after 2 untimed calls."""
    with db.ctx.database.reading() as session:
        officer = session.scalar(select(func.min(OfficerModel.id)).where(OfficerModel.town == TOWN))
        instance = session.scalar(
            select(InstanceModel.id).where(InstanceModel.business_key == f"{LAST}/{officer}")
        ) or session.scalar(
            select(InstanceModel.id).where(InstanceModel.business_key == f"{MONTH13}/{officer}")
        )
        campaign_id = session.scalar(select(func.max(CampaignModel.id)))
    day = "2026-11-02"
    calls: dict[str, Callable[[], Any]] = {
        "station queue, first page": lambda: db.get(
            f"/api/v1/queues/{STATION}/tasks?per_page=50", f"{TOWN}_station"
        ),
        "bureau queue, first page": lambda: db.get(
            "/api/v1/queues/police_bureau/tasks?per_page=50", "bureau_head"
        ),
        "inbox (station clerk), API first page": lambda: db.get("/api/v1/inbox", f"{TOWN}_station"),
        "GET /queues (station clerk)": lambda: db.get("/api/v1/queues", f"{TOWN}_station"),
        "GET /queues (bureau head)": lambda: db.get("/api/v1/queues", "bureau_head"),
        "instance page (web)": lambda: db.get(f"/instances/{instance}", WEB_BUREAU, web=True),
        "officer's 12 months (API)": lambda: db.get(
            f"/api/v1/officers/{officer}/appraisals?until={LAST}", "bureau_head"
        ),
        "audit search by officer": lambda: db.get(f"/api/v1/audit/events?officer_id={officer}", AUDITOR),
        "audit search by person (display name)": lambda: db.get(
            "/api/v1/audit/events?person=%E6%B5%8B0003%E9%95%87%E6%B4%BE%E5%87%BA%E6%89%80", AUDITOR
        ),
        "audit search by date range (one day)": lambda: db.get(
            f"/api/v1/audit/events?date_from={day}&date_to={day}", AUDITOR
        ),
        "audit search, free text (群众投诉)": lambda: db.get(
            "/api/v1/audit/events?text=%E7%BE%A4%E4%BC%97%E6%8A%95%E8%AF%89", AUDITOR
        ),
        "appraisal dashboard page (bureau)": lambda: db.get("/dashboards/appraisal", WEB_BUREAU, web=True),
        "appraisal dashboard page (one station)": lambda: db.get(
            "/dashboards/appraisal", WEB_STATION, web=True
        ),
        "campaign dashboard page": lambda: db.get(
            f"/dashboards/campaigns/{campaign_id}", WEB_BUREAU, web=True
        ),
    }
    for label, call in calls.items():
        log(f"{db.label}: {label}")
        db.samples[label] = time_calls(call, repeat, warmup=2)
    exports = {
        "month report XLSX, one town": f"/api/v1/appraisals/reports/{LAST}?town={TOWN}&format=xlsx",
        "month report XLSX, province": f"/api/v1/appraisals/reports/{LAST}?format=xlsx",
    }
    for label, path in exports.items():
        log(f"{db.label}: {label}")
        db.samples[label] = time_calls(
            lambda p=path: db.get(p, "bureau_head"), 3 if "province" in label else repeat, warmup=1
        )
    tracemalloc.start()
    size = len(db.get(exports["month report XLSX, province"], "bureau_head"))
    _now, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    db.values["province report: size, peak Python memory"] = (
        f"{size / 2**20:.1f} MiB file, {peak / 2**20:.0f} MiB peak"
    )
    db.values["province report peak (MiB)"] = f"{peak / 2**20:.0f}"
    with db.ctx.database.reading() as session:
        started = time.perf_counter()
        checked, problems = audit.verify(session, db.ctx.settings.audit_key)
        seconds = time.perf_counter() - started
    db.values["audit verify, whole chain"] = (
        f"{checked:,} events in {seconds:.1f} s = {checked / seconds:,.0f}/s; {len(problems)} problems"
    )
    db.samples["audit verify rate (events/s)"] = [checked / seconds]
    db.samples["audit verify, one instance"] = time_calls(
        lambda: verify_instance(db, instance), repeat, warmup=2
    )


def verify_instance(db: Database, instance_id: int) -> None:
    from service.audit.verification import verify_instance as check  # noqa: PLC0415 - issue 16's new module

    with db.ctx.database.reading() as session:
        _checked, problems = check(session, instance_id)
        if problems:
            raise RuntimeError(f"{db.label}: instance {instance_id}: {problems[:3]}")


P95_TARGETS = {  # figure -> p95 target in seconds (issue 16, point 3)
    "instance page (web)": 0.100,
    "audit search by officer": 0.100,
    "audit search by person (display name)": 0.100,
    "audit search by date range (one day)": 0.100,
    "audit search, free text (群众投诉)": 0.100,
    "appraisal dashboard page (bureau)": 0.300,
    "appraisal dashboard page (one station)": 0.300,
    "campaign dashboard page": 0.300,
}
RELATIVE = (
    "task completion over HTTP",
    "station queue, first page",
    "bureau queue, first page",
    "inbox (station clerk), API first page",
    "GET /queues (station clerk)",
    "GET /queues (bureau head)",
)


def table(empty: Database, year: Database, raw: list[float]) -> list[Row]:
    rows = [
        Row(
            "raw SpiffWorkflow: complete station_score (load, complete, step, dump)",
            f"p50 {ms(percentile(raw, 50))} / p95 {ms(percentile(raw, 95))}",
        )
    ]
    for label in year.samples:
        a, b = empty.samples.get(label, []), year.samples[label]
        if label.endswith("(s)") or label.endswith("(events/s)"):
            continue
        value = (
            f"empty p50 {ms(percentile(a, 50))} / p95 {ms(percentile(a, 95))}; "
            f"year p50 {ms(percentile(b, 50))} / p95 {ms(percentile(b, 95))}; "
            f"p95 year/empty {percentile(b, 95) / percentile(a, 95):.2f}x"
        )
        target, result = "", ""
        if label == "task completion over HTTP":
            raw50 = percentile(raw, 50)
            ratio_a, ratio_b = percentile(a, 50) / raw50, percentile(b, 50) / raw50
            value += f"; service/raw (p50) empty {ratio_a:.1f}x, year {ratio_b:.1f}x"
            target, result = "ratio year <= 1.2x empty", verdict(ratio_b <= 1.2 * ratio_a)
        elif label in RELATIVE:
            target, result = "p95 year <= 1.2x empty", verdict(percentile(b, 95) <= 1.2 * percentile(a, 95))
        elif label in P95_TARGETS:
            limit = P95_TARGETS[label]
            target, result = f"p95 < {limit * 1000:.0f} ms", verdict(percentile(b, 95) < limit)
        elif "province" in label:
            target, result = "< 30 s", verdict(max(b) < 30)
        rows.append(Row(label, value, target, result))
    for label in year.values:
        if label.endswith("(MiB)"):
            continue
        rows.append(Row(label, f"empty: {empty.values.get(label, '-')}; year: {year.values[label]}"))
    rate = year.samples["audit verify rate (events/s)"][0]
    rows.append(
        Row("audit verify rate (year)", f"{rate:,.0f} events/s", ">= 200,000/s", verdict(rate >= 200_000))
    )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--schema", required=True, help="the generated year's schema (year_<officers>)")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--completions", type=int, default=60)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    year_url = f"{POSTGRES_URL}?options=-csearch_path%3D{args.schema}"
    print(f"auxpolice year benchmark on schema {args.schema}, {args.repeat} timed calls per figure")
    print(f"{machine()}; load average at start {load_average()}")
    year = Database("year", year_url)
    with year.ctx.database.reading() as session:
        officers = int(
            session.scalar(
                select(func.count()).select_from(OfficerModel).where(OfficerModel.contract_number.like("Y-%"))
            )
            or 0
        )
    with fresh_schema("year_empty") as empty_url:
        log(f"empty: a province of {officers:,} officers, no history")
        app, ctx = create_service(empty_url)
        province(ctx, officers)
        campaign(ctx, officers)
        rebuild_projections(ctx)
        ctx.database.dispose()
        empty = Database("empty", empty_url)
        raw = raw_completions(max(args.completions, 30))
        for db in (empty, year):
            month_start(db)
            completions(db, args.completions)
            reads(db, args.repeat)
        rows = table(empty, year, raw)
        empty.ctx.database.dispose()
    year.ctx.database.dispose()
    print()
    print(format_table(rows))
    print(
        f"\ntotal wall time {time.perf_counter() - started:.0f} s; load average at the end {load_average()}; "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M UTC}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
