"""Time the instance page on realistic instances built in seconds (issue 16), without a generated year.

The app is migrated and seeded as the tests seed it (the register, the demo users, the bundled models) on
a fresh SQLite file or a fresh PostgreSQL database; then, through the API, one officer's month of appraisal
(scored by the station and the town, vetoed with a reason, graded: 18 history events) and a recruitment's
post whose first candidate failed vetting. Each page is fetched through the Flask test client by a
signed-in auditor (who also sees the raw data) and by the bureau. Per page: p50 / p95 of ``--repeat``
timed calls after 2 untimed ones, by the wall clock and (in brackets) by this process's CPU time, the
steadier figure on a loaded machine but without PostgreSQL's own work; the statements and read sessions
of one call, counted on the engines (``--sql`` prints them). ``--profile`` prints a cProfile of
``--repeat`` calls of the appraisal's page: the top 30 by cumulative time, then the service's own top 40.

    .venv/bin/python -m bench.instance_page_bench --repeat 200
    .venv/bin/python -m bench.instance_page_bench --repeat 200 --postgresql
    .venv/bin/python -m bench.instance_page_bench --repeat 20 --profile
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from bench.pgschema import fresh_database
from bench.stats import percentile
from service.context import ServiceContext
from service.usecases.demo import DEMO_USERS
from service.usecases.passwords import hash_password
from tests.api.appraisal_steps import rubric, seed, tasks_of
from tests.api.clean_form_steps import first_candidate_failed
from tests.conftest import User, build_app
from tests.conftest import seed as seed_app
from tests.web_units.browser_session import web_login
from workflows.ports import ManualClock

START = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)


def one_for(user: User, department: str, spec_name: str, instance_id: int) -> dict[str, Any]:
    return next(t for t in tasks_of(user, department, spec_name) if int(t["instance_id"]) == instance_id)


def appraisal(users: dict[str, User], ctx: ServiceContext) -> int:
    """One officer's month: scored by the station and the town, vetoed with a reason, graded competent."""
    seed(ctx)
    bureau, station, gov = users["bureau"], users["gushan_station"], users["gushan_gov"]
    users["bureau_head"].post("/api/v1/appraisals/months", {"month": "2026-11"}, expect=201)
    first = tasks_of(station, "police_station:gushan", "station_score")[0]
    instance_id = int(first["instance_id"])
    items = {"station_items": rubric("station_score.json", "station_items", 0.8)}
    station.post(f"/api/v1/tasks/{first['id']}/complete", {"data": items})
    town = one_for(gov, "town_gov:gushan", "town_score", instance_id)
    scores: dict[str, Any] = {"town_items": rubric("town_score.json", "town_items", 0.8)}
    scores["village_committee_opinion"] = "satisfied"
    gov.post(f"/api/v1/tasks/{town['id']}/complete", {"data": scores})
    veto = one_for(gov, "town_gov:gushan", "veto_decision", instance_id)
    reason = "本月发生群众投诉且未及时处置"
    gov.post(f"/api/v1/tasks/{veto['id']}/complete", {"data": {"veto": True, "veto_reason": reason}})
    grade = one_for(bureau, "police_bureau", "confirm_grade", instance_id)
    bureau.post(f"/api/v1/tasks/{grade['id']}/claim")
    decided = {"grade": "competent", "promotion_level": "keep", "reward": False, "notes": "本月表现尚可"}
    bureau.post(f"/api/v1/tasks/{grade['id']}/complete", {"data": decided})
    return instance_id


def recruitment_post(users: dict[str, User], ctx: ServiceContext, clock: ManualClock) -> int:
    """A post whose first candidate failed vetting for bad credit (its hiring instance)."""
    first_candidate_failed(users, ctx, clock)
    found = users["auditor"].get("/api/v1/instances?per_page=200&process_id=post_hiring")["items"]
    return int(found[0]["id"])


@contextmanager
def counted(ctx: ServiceContext) -> Iterator[dict[str, Any]]:
    seen: dict[str, Any] = {"statements": 0, "sessions": 0, "sql": []}
    engines = {ctx.database.engine, ctx.database.read_engine}

    def statement(_conn: Any, _cursor: Any, sql: str, *_rest: Any) -> None:
        seen["statements"] += 1
        seen["sql"].append(" ".join(sql.split())[:160])

    def begin(*_args: Any) -> None:
        seen["sessions"] += 1
        seen["sql"].append("-- BEGIN (a session)")

    for engine in engines:
        event.listen(engine, "before_cursor_execute", statement)
        event.listen(engine, "begin", begin)
    try:
        yield seen
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", statement)
            event.remove(engine, "begin", begin)


def fetch(client: FlaskClient, url: str) -> Callable[[], int]:
    def call() -> int:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return len(response.get_data())

    return call


def timed(call: Callable[[], int], repeat: int) -> tuple[float, float, float, float]:
    """p50 and p95 of the wall clock, then of this process's CPU time (ms): on a loaded, shared machine
    the CPU time is the steadier figure (PostgreSQL's own work is in the wall clock only)."""
    call(), call()
    wall, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        call()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return percentile(wall, 50), percentile(wall, 95), percentile(cpu, 50), percentile(cpu, 95)


def run(url: str, repeat: int, profile: bool, show_sql: bool = False) -> None:
    clock = ManualClock(START)
    hashes = {demo.username: hash_password(f"pw-{demo.username}") for demo in DEMO_USERS}
    app: Flask = build_app(url, clock)
    seed_app(app, hashes)
    ctx: ServiceContext = app.extensions["auxpolice"]
    client = app.test_client()
    users = {demo.username: User(client, demo.username) for demo in DEMO_USERS}
    built = time.perf_counter()
    # The recruitment first: the appraisal's officers fill every post, and a campaign needs a vacancy.
    post = recruitment_post(users, ctx, clock)
    pages = {"appraisal (graded, vetoed)": appraisal(users, ctx), "post hiring (vetting failed)": post}
    print(f"instances built in {time.perf_counter() - built:.1f} s: {pages}")
    readers = {"auditor": web_login(app, "auditor"), "bureau": web_login(app, "bureau")}
    for name, instance_id in pages.items():
        for who, reader in readers.items():
            call = fetch(reader, f"/instances/{instance_id}")
            size = call()
            with counted(ctx) as seen:
                call()
            if show_sql:
                print("\n".join(seen["sql"]))
            p50, p95, cpu50, cpu95 = timed(call, repeat)
            print(
                f"{name:30} {who:8} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  (CPU {cpu50:5.1f} / {cpu95:5.1f})"
                f"  {seen['statements']:3} statements {seen['sessions']:2} sessions  {size / 1024:5.1f} KiB"
            )
    if profile:
        call = fetch(readers["auditor"], f"/instances/{pages['appraisal (graded, vetoed)']}")
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(repeat):
            call()
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
        stats.print_stats(30)
        stats.print_stats(r"service/|templates/", 40)  # the service's own functions and templates
        print(out.getvalue())
    ctx.database.dispose()


def main() -> None:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument("--postgresql", action="store_true", help="a fresh database of the local PostgreSQL")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sql", action="store_true", help="print the statements of one call of each page")
    args = parser.parse_args()
    if args.postgresql:
        with fresh_database("bench") as url:
            run(url, args.repeat, args.profile, args.sql)
        return
    with tempfile.TemporaryDirectory(prefix="auxpolice-instance-bench-") as folder:
        run(f"sqlite:///{Path(folder) / 'auxpolice.db'}", args.repeat, args.profile, args.sql)


if __name__ == "__main__":
    main()
