"""Bounded stress on loopback against the real PostgreSQL: racing claims and completions, completions
racing timers, several workers firing the same timers, and a killed worker's lease taken over."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from service.context import ServiceContext
from service.persistence.db import Database
from service.persistence.models import AuditEventModel, HumanTaskModel, TimerModel
from service.scheduler import run_once
from service.usecases.appraisal import start_month
from service.usecases.directory import create_user
from tests.api.appraisal_steps import add_officers, rubric, seed
from tests.api.recruitment_steps import start_recruitment, the_task
from tests.conftest import User, token_of
from tests.stress.conftest import Server
from workflows.ports import ManualClock

CLIENTS = 12


def all_at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run ``calls`` on as many threads, released together by a barrier."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], Any]) -> Any:
        barrier.wait(timeout=30)
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def bureau_staff(ctx: ServiceContext, count: int) -> list[str]:
    names = [f"staff{n:02d}" for n in range(count)]
    with ctx.database.transaction() as session:
        for name in names:
            create_user(ctx, session, name, name, ["police_bureau"], token_of(name))
    return names


def count(ctx: ServiceContext, model: Any, *where: Any) -> int:
    with ctx.database.reading() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def test_one_claim_and_one_completion_win(
    server: Server, users: dict[str, User], ctx: ServiceContext
) -> None:
    start_recruitment(users["bureau"])
    task = the_task(users["bureau"], "police_bureau", "draft_plan")
    staff = bureau_staff(ctx, CLIENTS)
    claims = all_at_once(
        [lambda n=n: server.call("POST", f"/api/v1/tasks/{task['id']}/claim", token_of(n)) for n in staff]
    )
    assert sorted(status for status, _ in claims) == [200] + [409] * (CLIENTS - 1)
    winner = next(n for n, (status, _) in zip(staff, claims, strict=True) if status == 200)
    server.call("POST", f"/api/v1/tasks/{task['id']}/release", token_of(winner))

    data = {"data": {"plan_title": "并发测试", "monthly_salary": 4000}}
    results = all_at_once(
        [
            lambda n=n: server.call("POST", f"/api/v1/tasks/{task['id']}/complete", token_of(n), data)
            for n in staff
        ]
    )
    assert sorted(status for status, _ in results) == [200] + [409] * (CLIENTS - 1)
    assert count(ctx, HumanTaskModel, HumanTaskModel.spec_name == "review_plan") == 1
    assert count(ctx, AuditEventModel, AuditEventModel.action == "task_completed") == 1


def score(server: Server, town: str, task: dict[str, Any], user: str) -> tuple[int, Any]:
    if task["spec_name"] == "station_score":
        body = {"station_items": rubric("station_score.json", "station_items", 0.9)}
    else:
        body = {
            "town_items": rubric("town_score.json", "town_items", 0.9),
            "village_committee_opinion": "satisfied",
        }
    return server.call("POST", f"/api/v1/tasks/{task['id']}/complete", token_of(user), {"data": body})


def scoring_tasks(users: dict[str, User], town: str) -> list[tuple[dict[str, Any], str]]:
    result = []
    for department, user, spec in (
        (f"police_station:{town}", f"{town}_station", "station_score"),
        (f"town_gov:{town}", f"{town}_gov", "town_score"),
    ):
        body = users[user].get(f"/api/v1/queues/{department}/tasks?per_page=200")
        result += [(task, user) for task in body["items"] if task["spec_name"] == spec]
    return result


def test_a_claim_racing_a_completion_never_both_win(
    server: Server, users: dict[str, User], ctx: ServiceContext
) -> None:
    # Someone claims the draft while someone else submits it: either the claim comes first (the
    # submission is refused, the task is claimed) or the submission does (the claim is refused). Both
    # succeeding would complete a task under the feet of the person who just claimed it.
    claimer, submitter = bureau_staff(ctx, 2)
    data = {"data": {"plan_title": "并发测试", "monthly_salary": 4000}}
    for round_number in range(8):
        instance = start_recruitment(users["bureau"], f"race-{round_number}")
        task = next(
            t
            for t in users["bureau"].get("/api/v1/queues/police_bureau/tasks?per_page=200")["items"]
            if t["instance_id"] == instance["id"]
        )
        url = f"/api/v1/tasks/{task['id']}"
        claim, complete = all_at_once(
            [
                lambda url=url: server.call("POST", f"{url}/claim", token_of(claimer)),
                lambda url=url: server.call("POST", f"{url}/complete", token_of(submitter), data),
            ]
        )
        assert sorted([claim[0], complete[0]]) == [200, 409], (claim, complete)
        final = users["bureau"].get(f"/api/v1/tasks/{task['id']}")
        assert (final["state"], final["claimed_by"] if claim[0] == 200 else final["completed_by"]) == (
            ("claimed", claimer) if claim[0] == 200 else ("completed", submitter)
        )


def test_completions_racing_on_the_same_instances_are_serialised(
    server: Server, users: dict[str, User], ctx: ServiceContext
) -> None:
    seed(ctx)
    start_month(ctx, "2026-11", "test")
    work = scoring_tasks(users, "gushan")
    # Both scoring tasks of every Gushan officer, all at once, in batches of CLIENTS parallel requests.
    for offset in range(0, len(work), CLIENTS):
        batch = work[offset : offset + CLIENTS]
        results = all_at_once([lambda t=t, u=u: score(server, "gushan", t, u) for t, u in batch])
        assert [status for status, _ in results] == [200] * len(batch), results
    officers = len(work) // 2
    assert count(ctx, HumanTaskModel, HumanTaskModel.spec_name == "veto_decision") == officers
    assert count(ctx, HumanTaskModel, HumanTaskModel.state == "completed") == len(work)


def test_a_completion_racing_a_timer_applies_both(
    server: Server, users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    seed(ctx)
    start_month(ctx, "2026-11", "test")
    work = scoring_tasks(users, "boyu")[: CLIENTS - 1]
    with ctx.database.reading() as session:
        due = session.scalar(select(func.min(TimerModel.due_at)))
    assert due is not None
    clock.advance(due - clock.now() + timedelta(minutes=1))
    calls: list[Callable[[], Any]] = [lambda t=t, u=u: score(server, "boyu", t, u) for t, u in work]
    calls.append(lambda: run_once(ctx, "racing-worker"))
    results = all_at_once(calls)
    assert [status for status, _ in results[:-1]] == [200] * len(work)
    fired = results[-1] + run_once(ctx, "cleanup-worker")
    # A scoring task completed before its deadline timer fired takes the (boundary) timer with it; every
    # other timer fires exactly once. Either way nothing is left pending and nothing fired twice.
    assert 46 * 2 - len(work) <= fired <= 46 * 2
    assert count(ctx, TimerModel, TimerModel.fired_at.is_(None)) == 0
    assert count(ctx, AuditEventModel, AuditEventModel.action == "timer_executed") == fired
    assert count(ctx, HumanTaskModel, HumanTaskModel.spec_name.like("%_escalation")) == fired


def many_timers(ctx: ServiceContext, clock: ManualClock, officers: int) -> None:
    add_officers(ctx, officers)
    start_month(ctx, "2026-11", "test")
    with ctx.database.reading() as session:
        due = session.scalar(select(func.max(TimerModel.due_at)))
    assert due is not None
    clock.advance(due - clock.now() + timedelta(minutes=1))


def fire_with_workers(ctx: ServiceContext, clock: ManualClock, workers: int) -> list[int]:
    contexts = [
        ServiceContext(settings=ctx.settings, database=Database(ctx.settings.database_url), clock=clock)
        for _ in range(workers)
    ]
    try:
        return all_at_once(
            [lambda c=c, n=n: run_once(c, f"worker-{n}", batch=50) for n, c in enumerate(contexts)]
        )
    finally:
        for context in contexts:
            context.database.dispose()


def assert_each_timer_fired_once(ctx: ServiceContext, expected: int) -> None:
    with ctx.database.reading() as session:
        fired = Counter(
            (e.instance_id, e.payload["element"])
            for e in session.scalars(
                select(AuditEventModel).where(AuditEventModel.action == "timer_executed")
            )
        )
    assert len(fired) == expected and set(fired.values()) == {1}
    assert count(ctx, TimerModel, TimerModel.fired_at.is_(None)) == 0


def test_two_workers_fire_1000_timers_once_each(ctx: ServiceContext, clock: ManualClock) -> None:
    many_timers(ctx, clock, 500)
    shares = fire_with_workers(ctx, clock, 2)
    assert sum(shares) == 1000 and min(shares) > 0, shares
    assert_each_timer_fired_once(ctx, 1000)


def test_four_workers_fire_1000_timers_once_each(ctx: ServiceContext, clock: ManualClock) -> None:
    many_timers(ctx, clock, 500)
    shares = fire_with_workers(ctx, clock, 4)
    assert sum(shares) == 1000, shares
    assert_each_timer_fired_once(ctx, 1000)


CLAIM_AND_HANG = """
import sys, time
from datetime import datetime, timedelta
from service.config import Settings
from service.context import ServiceContext
from service.persistence.db import Database
from service.scheduler import claim_due_timers
from workflows.ports import ManualClock
settings = Settings.from_mapping({"DATABASE_URL": sys.argv[1]})
ctx = ServiceContext(settings=settings, database=Database(settings.database_url),
                     clock=ManualClock(datetime.fromisoformat(sys.argv[2])))
claims = claim_due_timers(ctx, "doomed-worker", limit=40, lease=timedelta(seconds=60))
print(f"claimed {len(claims)}", flush=True)
time.sleep(600)
"""


def test_a_killed_workers_lease_is_taken_over(
    ctx: ServiceContext, clock: ManualClock, database_url: str
) -> None:
    many_timers(ctx, clock, 30)
    doomed = subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", CLAIM_AND_HANG, database_url, clock.now().isoformat()],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert doomed.stdout is not None
        assert doomed.stdout.readline().strip() == "claimed 40"
    finally:
        doomed.kill()
        doomed.wait(timeout=30)
        if doomed.stdout is not None:
            doomed.stdout.close()
    # While the lease runs, the dead worker's timers are nobody else's; the others fire at once.
    assert run_once(ctx, "other") == 60 - 40
    assert count(ctx, TimerModel, TimerModel.fired_at.is_(None)) == 40
    clock.advance(timedelta(seconds=61))
    assert run_once(ctx, "survivor") == 40
    assert_each_timer_fired_once(ctx, 60)
