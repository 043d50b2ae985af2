"""The audit search form at a province's register (issue 16): its size and time, and the type-ahead's.

The app is migrated and seeded as the tests seed it, then given ``--villages`` more villages and
``--people`` more users (7,150 and 562: the generated year's; a province has about ten times the villages).
A signed-in auditor fetches the empty form, a search by a village's whole name and, where the code has it,
``/audit/suggestions`` for part of a name; p50 / p95 of ``--repeat`` calls after 2 untimed ones.

    .venv/bin/python -m bench.audit_form_bench --repeat 50
    .venv/bin/python -m bench.audit_form_bench --repeat 50 --postgresql
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from flask.testing import FlaskClient
from sqlalchemy import insert

from bench.pgschema import fresh_database
from bench.stats import percentile
from service.context import ServiceContext
from service.persistence.models import UserModel, VillageModel
from service.usecases.demo import DEMO_USERS
from service.usecases.passwords import hash_password
from tests.conftest import build_app
from tests.conftest import seed as seed_app
from tests.web_units.browser_session import web_login
from workflows.ports import ManualClock

TOWNS = ("gushan", "boyu")


def bigger_register(ctx: ServiceContext, villages: int, people: int) -> None:
    now = datetime(2026, 11, 1, tzinfo=UTC)
    rows = [
        {
            "code": f"p-v{n}",
            "name_zh": f"第{n}村",
            "name_en": f"Village {n}",
            "town": TOWNS[n % 2],
            "kind": "village",
            "households": 300,
            "many_small_venues": False,
        }
        for n in range(villages)
    ]
    users = [
        {"username": f"p-user{n}", "display_name": f"员工{n}", "roles": [], "created_at": now}
        for n in range(people)
    ]
    with ctx.database.transaction() as session:
        if rows:
            session.execute(insert(VillageModel), rows)
        if users:
            session.execute(insert(UserModel), users)


def timed(client: FlaskClient, url: str, repeat: int) -> tuple[float, float, int, int]:
    sizes = []
    for _ in range(2):
        sizes.append(len(client.get(url).get_data()))
    times = []
    status = 0
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        status = response.status_code
    return percentile(times, 50), percentile(times, 95), sizes[-1], status


def run(url: str, repeat: int, villages: int, people: int) -> None:
    # Only the auditor signs in: the others' passwords are not hashed (argon2 is slow on purpose).
    hashes = {demo.username: "-" for demo in DEMO_USERS} | {"auditor": hash_password("pw-auditor")}
    app = build_app(url, ManualClock(datetime(2026, 11, 20, 1, 0, tzinfo=UTC)))
    seed_app(app, hashes)
    ctx: ServiceContext = app.extensions["auxpolice"]
    bigger_register(ctx, villages, people)
    auditor = web_login(app, "auditor")
    for name, path in (
        ("empty form", "/audit"),
        ("search by a village's whole name", "/audit?village=第4321村"),
        ("suggestions for 第43", "/audit/suggestions?field=village&q=第43"),
        ("suggestions for 员工5", "/audit/suggestions?field=person&q=员工5"),
    ):
        p50, p95, size, status = timed(auditor, path, repeat)
        print(f"{name:34} HTTP {status}  p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  {size / 1024:7.1f} KiB")
    ctx.database.dispose()


def main() -> None:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--villages", type=int, default=7150)
    parser.add_argument("--people", type=int, default=562)
    parser.add_argument("--postgresql", action="store_true", help="a fresh database of the local PostgreSQL")
    args = parser.parse_args()
    if args.postgresql:
        with fresh_database("bench") as url:
            run(url, args.repeat, args.villages, args.people)
        return
    with tempfile.TemporaryDirectory(prefix="auxpolice-audit-form-bench-") as folder:
        run(f"sqlite:///{Path(folder) / 'auxpolice.db'}", args.repeat, args.villages, args.people)


if __name__ == "__main__":
    main()
