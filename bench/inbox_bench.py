"""The inbox (issue 15, point 1) at 140,000 open tasks: the first page for a station clerk and a bureau head.

Run by hand from the project root (it is not a test)::

    .venv/bin/python -m bench.inbox_bench [--tasks 140000] [--repeat 200] [--sqlite-only]

On a fresh SQLite file and a fresh PostgreSQL schema (when the server answers): the bundled models
deployed, 20 towns (the 2 of the register and 18 more with 10 villages each), so 40 town departments
besides the bureau and the reviewers; ``--tasks`` open or claimed appraisal tasks inserted directly into
``human_tasks`` (one executemany per chunk: this measures reading the inbox, not filling it), the bureau
holding a fifth and the town departments the rest, due dates spread over 60 days around now, and 2,000
completed tasks of the clerk (some of their steps open again: "returned to me").

Timed for the clerk (member of ``police_station:gushan`` and ``town_gov:gushan``) and the bureau head
(head of ``police_bureau``): the API's first page (``GET /api/v1/inbox``, Flask test client, bearer token),
everything the web page reads besides rendering (the page, its section counts, the filters' choices, the
saved filters, the navigation's counts, the bulk scoring links of each department), the whole page as a
signed-in browser gets it (``GET /inbox``, rendered), the navigation's counts alone (on every page), a
filtered page (a village, due within 3 days), and the bare SQL of the first page (no names, no counts) for
comparison. The counts stop at the inbox's bound (AUXPOLICE_INBOX_COUNT_BOUND, 1,000): the table shows
each person's exact number beside what the inbox says ("1,000+"). PostgreSQL's table is vacuumed after the
insert, as autovacuum would.
"""

from __future__ import annotations

import argparse
import random
import re
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from sqlalchemy import func, insert, select, text

from bench.pgschema import discard_service_logs, fresh_schema, load_average, postgres_problem
from bench.queue_volume import time_calls
from bench.recruitment_bench import log, machine
from bench.stats import Row, format_table, ms, percentile, verdict
from service import create_app
from service.context import ServiceContext
from service.persistence import migrate
from service.persistence.models import (
    ACTIVE_TASK,
    DefinitionModel,
    DepartmentModel,
    HumanTaskModel,
    InstanceModel,
    TownModel,
    VillageModel,
)
from service.usecases import inbox
from service.usecases.definitions import deploy_bundled
from service.usecases.directory import authenticate, create_user, load_register
from service.usecases.inbox.listing import my_work_statement
from service.usecases.inbox.view import inbox_view

P95_TARGET = 0.100
CHUNK = 10_000
EXTRA_TOWNS = 18
VILLAGES_PER_TOWN = 10
HISTORY = 2_000
CLERK, HEAD = "bench_clerk", "bench_head"
PASSWORD = "bench-inbox-password"  # noqa: S105  (a throwaway database's users)
FIRST_PAGE = inbox.InboxQuery()  # all my work, first due first
CLERK_DEPARTMENTS = ("police_station:gushan", "town_gov:gushan")
STEPS = {  # department kind -> (step, name_zh, name_en, head_only)
    "police_station": ("station_score", "派出所日常管理考核", "Police station monthly score", False),
    "town_gov": ("town_score", "镇政府月度考核", "Town government monthly score", False),
    "police_bureau": ("confirm_grade", "确定考核等次及晋升等级", "Confirm grade and promotion", True),
}


def token(username: str) -> str:
    return f"bench-token-{username}"


@contextmanager
def service(url: str) -> Iterator[tuple[Any, ServiceContext]]:
    migrate.upgrade(url)
    app = create_app({"DATABASE_URL": url})
    discard_service_logs()
    ctx: ServiceContext = app.extensions["auxpolice"]
    try:
        yield app, ctx
    finally:
        ctx.database.dispose()


def populate(ctx: ServiceContext, total: int) -> dict[str, Any]:
    """The register with 18 more towns, the models, the two users, ``total`` open tasks and history."""
    started = time.perf_counter()
    rng = random.Random(15)
    instances = max(HISTORY, total // 2)  # an appraisal case has a few tasks, not hundreds
    now = ctx.clock.now()
    with ctx.database.transaction() as session:
        load_register(session)
        for n in range(EXTRA_TOWNS):
            code = f"bt{n:02d}"
            session.add(TownModel(code=code, name_zh=f"测试{n:02d}镇", name_en=f"Test town {n:02d}"))
            for kind, zh, en in (
                ("police_station", "派出所", "police station"),
                ("town_gov", "镇政府", "government"),
            ):
                session.add(
                    DepartmentModel(
                        code=f"{kind}:{code}",
                        name_zh=f"测试{n:02d}镇{zh}",
                        name_en=f"Test {n:02d} {en}",
                        kind=kind,
                        town=code,
                    )
                )
            for v in range(VILLAGES_PER_TOWN):
                session.add(
                    VillageModel(
                        code=f"{code}-v{v:02d}",
                        name_zh=f"测试{n:02d}镇{v:02d}村",
                        name_en=f"Test village {n}-{v}",
                        town=code,
                        kind="village",
                        households=500,
                        many_small_venues=False,
                    )
                )
    deploy_bundled(ctx, "bench")
    with ctx.database.transaction() as session:
        create_user(
            ctx,
            session,
            CLERK,
            "崮山派出所 测试警官",
            list(CLERK_DEPARTMENTS),
            token(CLERK),
            password=PASSWORD,
        )
        create_user(
            ctx,
            session,
            HEAD,
            "公安分局 测试局长",
            ["police_bureau"],
            token(HEAD),
            ("police_bureau",),
            password=PASSWORD,
        )
        definition_id = session.scalar(
            select(DefinitionModel.id).where(DefinitionModel.process_id == "appraisal")
        )
        villages = [(v.code, v.town) for v in session.scalars(select(VillageModel))]
        instance_ids = list(
            session.scalars(
                insert(InstanceModel).returning(InstanceModel.id),
                [
                    {
                        "definition_id": definition_id,
                        "process_id": "appraisal",
                        "business_key": f"bench-{n}",
                        "status": "running",
                        "subject": "",
                        "state": {},
                        "serializer_version": "bench",
                        "lock_version": 1,
                        "started_by": "bench",
                        "created_at": now,
                        "updated_at": now,
                    }
                    for n in range(instances)
                ],
            )
        )
    by_town: dict[str, list[str]] = {}
    for code, town in villages:
        by_town.setdefault(town, []).append(code)
    towns = sorted(by_town)
    bureau_share = total // 5
    rows: list[dict[str, Any]] = []
    counts: dict[str, int] = {}
    for n in range(total):
        if n < bureau_share:
            town = towns[n % len(towns)]
            department = "police_bureau"
        else:
            town = towns[n % len(towns)]
            department = f"{'police_station' if n % 2 else 'town_gov'}:{town}"
        counts[department] = counts.get(department, 0) + 1
        step, zh, en, head_only = STEPS[department.split(":")[0]]
        village = rng.choice(by_town[town])
        claimed = n % 10 == 0
        holder = CLERK if claimed and department in CLERK_DEPARTMENTS and n % 20 == 0 else "someone"
        rows.append(
            {
                "id": str(uuid.uuid4()),
                "instance_id": instance_ids[n % instances],
                "process_id": "appraisal",
                "spec_name": step,
                "name_zh": zh,
                "name_en": en,
                "department_code": department,
                "form": None,
                "subject": f"测试辅警{n:06d}（{village}）2026-11",
                "village_code": village,
                "town": town,
                "head_only": head_only,
                "state": "claimed" if claimed else "open",
                "claimed_by": holder if claimed else None,
                "completed_by": None,
                "due_at": now + timedelta(hours=rng.randint(-30 * 24, 30 * 24)),
                "created_at": now - timedelta(seconds=total - n),
                "claimed_at": now if claimed else None,
                "completed_at": None,
            }
        )
        if len(rows) == CHUNK:
            _flush(ctx, rows)
            rows = []
    # The clerk's history: completed scoring, some of whose steps are open again (returned to them).
    for n in range(HISTORY):
        rows.append(
            {
                "id": str(uuid.uuid4()),
                "instance_id": instance_ids[n % instances],
                "process_id": "appraisal",
                "spec_name": "station_score",
                "name_zh": "派出所日常管理考核",
                "name_en": "Police station monthly score",
                "department_code": "police_station:gushan",
                "form": None,
                "subject": "",
                "village_code": None,
                "town": "gushan",
                "head_only": False,
                "state": "completed",
                "claimed_by": CLERK,
                "completed_by": CLERK,
                "due_at": None,
                "created_at": now - timedelta(days=40),
                "claimed_at": None,
                "completed_at": now - timedelta(days=35),
            }
        )
    _flush(ctx, rows)
    if ctx.database.engine.dialect.name == "postgresql":
        # As autovacuum does after a bulk insert (PostgreSQL 13+): without the visibility map an index-only
        # scan fetches every heap row, and the first runs (ANALYZE alone) timed that instead.
        with ctx.database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE human_tasks"))
    else:
        with ctx.database.transaction() as session:
            session.execute(text("ANALYZE"))
    return {"seconds": time.perf_counter() - started, "counts": counts}


def _flush(ctx: ServiceContext, rows: list[dict[str, Any]]) -> None:
    with ctx.database.transaction() as session:
        session.execute(insert(HumanTaskModel), rows)


def bare_first_page(ctx: ServiceContext, departments: tuple[str, ...], heads: bool) -> Callable[[], Any]:
    """The first page as bare SQL: the rows of the caller's departments by due date, and their count."""
    t = HumanTaskModel
    where = [text(ACTIVE_TASK), t.department_code.in_(departments)]
    if not heads:
        where.append(t.head_only.is_(False))

    def run() -> None:
        with ctx.database.reading() as session:
            session.execute(select(t).where(*where).order_by(t.due_at, t.id).limit(50)).all()

    return run


def exact_count(ctx: ServiceContext, caller: Any) -> int:
    """How many tasks the inbox holds, counted exactly (the inbox itself stops at its bound)."""
    with ctx.database.reading() as session:
        return session.scalar(my_work_statement(caller).with_only_columns(func.count()).order_by(None)) or 0


def signed_in(app: Any, username: str) -> Any:
    """A test client signed in through the login form, as a browser is."""
    client = app.test_client()
    form = client.get("/login").get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert found, "no CSRF token on /login"
    data = {"username": username, "password": PASSWORD, "csrf_token": found.group(1)}
    assert client.post("/login", data=data).status_code == 302
    return client


def _ok(response: Any) -> None:
    assert response.status_code == 200, response.status_code


def measure(app: Any, ctx: ServiceContext, database: str, repeat: int) -> list[Row]:
    client = app.test_client()
    rows = []
    for who, departments, heads in ((CLERK, CLERK_DEPARTMENTS, False), (HEAD, ("police_bureau",), True)):
        caller = authenticate(ctx, token(who))
        headers = {"Authorization": f"Bearer {token(who)}"}
        first = client.get("/api/v1/inbox", headers=headers).get_json()
        assert len(first["items"]) == 50, first

        def page_work(caller: Any = caller) -> None:
            # What /inbox reads: the page, tabs, badges, choices, saved filters and bulk links in one session.
            inbox_view(ctx, caller, FIRST_PAGE, 1, 50)

        browser = signed_in(app, who)

        village = first["items"][0]["village_code"]
        filtered = inbox.InboxQuery(village=village, due="3days")
        timings = {
            "API first page (HTTP)": time_calls(
                lambda h=headers: client.get("/api/v1/inbox", headers=h), repeat
            ),
            "web page's reads (page, counts, choices, saved, nav, bulk links)": time_calls(page_work, repeat),
            "whole web page (HTTP, signed in, rendered)": time_calls(
                lambda b=browser: _ok(b.get("/inbox")), repeat
            ),
            "navigation counts": time_calls(lambda c=caller: inbox.nav_counts(ctx, c), repeat),
            "filtered page (village, 3 days)": time_calls(
                lambda c=caller, f=filtered: inbox.inbox_page(ctx, c, f, 1, 50), repeat
            ),
            "bare SQL first page (rows only)": time_calls(bare_first_page(ctx, departments, heads), repeat),
        }
        label = "station clerk, 2 departments" if who == CLERK else "bureau head"
        shown = f"{first['total']:,}{'+' if first['total_is_lower_bound'] else ''}"
        exact = exact_count(ctx, caller)
        log(f"{database} {label}: {exact:,} tasks in the inbox, shown as {shown}")
        rows.append(Row(f"{database} {label}: tasks in the inbox (shown)", f"{exact:,} ({shown})"))
        for name, samples in timings.items():
            p50, p95 = percentile(samples, 50), percentile(samples, 95)
            target = "p95 < 100 ms" if not name.startswith("bare") else ""
            result = verdict(p95 < P95_TARGET) if target else ""
            rows.append(Row(f"{database} {label}: {name}", f"p50 {ms(p50)}, p95 {ms(p95)}", target, result))
    return rows


def run(database: str, url: str, tasks: int, repeat: int) -> list[Row]:
    with service(url) as (app, ctx):
        log(f"{database}: inserting {tasks:,} open tasks")
        filled = populate(ctx, tasks)
        log(f"{database}: filled in {filled['seconds']:.0f} s")
        rows = [Row(f"{database}: open tasks inserted (s)", f"{tasks:,} in {filled['seconds']:.0f} s")]
        return rows + measure(app, ctx, database, repeat)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--tasks", type=int, default=140_000)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args(argv)
    print(f"auxpolice inbox benchmark: {args.tasks:,} open tasks, {args.repeat} timed calls each")
    print(f"{machine()}; load average at start {load_average()}")
    rows: list[Row] = []
    with TemporaryDirectory(prefix="auxpolice-inbox-") as tmp:
        rows += run("SQLite", f"sqlite:///{Path(tmp) / 'auxpolice.db'}", args.tasks, args.repeat)
    # Printed now as well: a failure on PostgreSQL must not lose the SQLite figures.
    print(f"\n{format_table(rows)}\n(SQLite done; load average {load_average()})", flush=True)
    problem = None if args.sqlite_only else postgres_problem()
    if args.sqlite_only:
        pass
    elif problem:
        rows.append(Row("PostgreSQL", f"skipped: {problem}"))
    else:
        with fresh_schema("inbox_bench") as url:
            rows += run("PostgreSQL", url, args.tasks, args.repeat)
    print()
    print(format_table(rows))
    print(f"\nload average at the end {load_average()}; {datetime.now(UTC):%Y-%m-%d %H:%M UTC}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
