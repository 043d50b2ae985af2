"""Generate a province's year of appraisals on PostgreSQL (issue 16, point 1), run by hand::

    .venv/bin/python -m bench.year_generator --officers 70000 --months 12 [--templates FILE] [--check 12]

1. A fresh schema, migrated, with the shipped register, the bundled models and a made-up province
   (bench/year_plan.py): ``--officers`` officers, one per village, 50 villages per town, each town's
   clerks and heads.
2. Every officer's month is planned (grade, veto, late scoring, the history the consequence rules read).
3. For each kind of month in the plan, one real appraisal is driven through the service's use cases
   (``start_month``, ``complete_task`` for each step, the scheduler for the overdue timers) on a small
   schema of its own, and its rows are kept (bench/year_templates.py). For the last month a twin of each
   is driven too for a sample of kinds (``--check``), and the rows the generator writes for each twin are
   compared with the twin's real rows (``year_rows.compare``): the run stops on any difference.
   ``--templates FILE`` keeps the driven templates, so a second run drives only the kinds it lacks.
4. The year is written month by month with PostgreSQL COPY: each officer's appraisal is its template's rows
   with the officer, the place, the instance id and fresh task ids substituted. Audit events are sealed
   into the chain with the service's own ``audit.digest`` (chunk by chunk, in time order within a chunk)
   and the chain's head is moved and authenticated as ``audit.seal`` does, so ``audit verify`` walks it.
5. One recruitment campaign with its applicants (the dashboard benchmark's rows, inserted directly), the
   dashboard projection rebuilt if the schema has it, ANALYZE, then the size of each table.

The generation time and the sizes are printed; the schema (``year_<officers>``, dropped and made anew at the
start) is left for bench/year_bench.py and its URL printed.
"""

from __future__ import annotations

import argparse
import pickle
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import insert, select, text

from bench.dashboard_bench import Sizes as CampaignSizes
from bench.dashboard_bench import populate_campaign
from bench.pgschema import POSTGRES_URL, discard_service_logs
from bench.recruitment_bench import log, machine
from bench.year_copy import Chain, copy_rows, copying, table_sizes
from bench.year_plan import officers as planned_officers
from bench.year_plan import plan, towns, villages
from bench.year_rows import Officer, Rewriter, compare
from bench.year_templates import (
    Outcome,
    Template,
    add_bureau_users,
    add_town_users,
    drive_month,
    month_event,
    template_service,
)
from service import audit, create_app
from service.context import ServiceContext
from service.persistence import migrate
from service.persistence.models import (
    AuditHeadModel,
    DefinitionModel,
    DepartmentModel,
    OfficerModel,
    TownModel,
    VillageModel,
)
from service.usecases.appraisal import previous_months
from service.usecases.definitions import deploy_bundled
from service.usecases.directory import load_register
from workflows.ports import CHINA

CHUNK = 5_000  # officers written (and their events sealed) per COPY round
# Tables in the order their foreign keys allow.
TABLE_ORDER = (
    "instances",
    "human_tasks",
    "timers",
    "notifications",
    "instance_subjects",
    "appraisal_starts",
    "appraisal_records",
    "audit_events",
)


@dataclass
class Generated:
    url: str
    officers: int
    months: list[str]
    seconds: dict[str, float] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    templates: int = 0
    checked: int = 0
    campaign_id: int = 0


def create_service(url: str, config: dict[str, Any] | None = None) -> tuple[Any, ServiceContext]:
    migrate.upgrade(url)
    app = create_app({"DATABASE_URL": url, "TOKEN_DAYS": 3650, "TOKEN_MAX_DAYS": 3650, **(config or {})})
    discard_service_logs()
    return app, app.extensions["auxpolice"]


def province(ctx: ServiceContext, count: int) -> list[Officer]:
    """The register, models, towns with their departments and users, and ``count`` officers; the officers."""
    made_up = towns(count)
    with ctx.database.transaction() as session:
        load_register(session)
        session.execute(
            insert(TownModel),
            [{"code": t.code, "name_zh": t.name_zh, "name_en": f"Town {t.code}"} for t in made_up],
        )
        session.execute(
            insert(VillageModel),
            [
                {
                    "code": code,
                    "name_zh": name,
                    "name_en": f"Village {code}",
                    "town": t.code,
                    "kind": "village",
                    "households": 300,
                    "many_small_venues": False,
                }
                for t in made_up
                for code, name in villages(t)
            ],
        )
        session.execute(
            insert(DepartmentModel),
            [
                {
                    "code": f"{kind}:{t.code}",
                    "name_zh": f"{t.name_zh}{label}",
                    "name_en": f"{t.code} {kind}",
                    "kind": kind,
                    "town": t.code,
                }
                for t in made_up
                for kind, label in (("police_station", "派出所"), ("town_gov", "镇政府"))
            ],
        )
        session.flush()
        for t in made_up:
            add_town_users(ctx, session, t.code, t.name_zh)
        add_bureau_users(ctx, session)
    deploy_bundled(ctx, "bench")
    wanted = planned_officers(count)
    now = ctx.clock.now()
    with ctx.database.transaction() as session:
        ids = list(
            session.scalars(
                insert(OfficerModel).returning(OfficerModel.id, sort_by_parameter_order=True),
                [
                    {
                        "application_id": None,
                        "name": o.name,
                        "village_code": o.village,
                        "town": o.town,
                        "role": "director_assistant",
                        "party_member": n % 3 == 0,
                        "contract_number": f"Y-{n:06d}",
                        "contract_start": datetime(2025, 1, 1).date(),
                        "contract_end": datetime(2027, 12, 31).date(),
                        "status": "in_service",
                        "hiring_instance_id": None,
                        "hired_at": now,
                    }
                    for n, o in enumerate(wanted)
                ],
            )
        )
    return [
        Officer(i, o.name, o.village, o.village_zh, o.town, o.town_zh)
        for i, o in zip(ids, wanted, strict=True)
    ]


CHECK_NUMBER = 2_000  # the checked twins' template officers are numbered from here (new officers)


def make_templates(
    months: list[str], outcomes: list[list[Outcome]], check: int, cache: Path | None = None
) -> tuple[dict[tuple[str, Outcome], Template], dict[str, dict[str, Any]], int]:
    """Drive one real appraisal per (month, outcome) of the plan not in ``cache``; then check ``check``
    kinds of the last month (the commonest half, the rarest half) against twins driven with them."""
    templates: dict[tuple[str, Outcome], Template] = {}
    events: dict[str, dict[str, Any]] = {}
    if cache is not None and cache.exists():
        templates, events = pickle.loads(cache.read_bytes())  # noqa: S301 - our own file
    checked = 0
    with template_service() as (ctx, clock):
        for month, row in zip(months, outcomes, strict=True):
            kinds = sorted(k for k in set(row) if (month, k) not in templates)
            log(f"  templates {month}: {len(set(row))} kinds of month, {len(kinds)} to drive")
            if not kinds and month in events:
                continue
            for template in drive_month(ctx, clock, month, kinds):
                grade = template.rows["appraisal_records"][0]["grade"]
                if grade != template.outcome.grade:
                    raise RuntimeError(f"{month} {template.outcome}: the use cases recorded {grade}")
                templates[(month, template.outcome)] = template
            events[month] = month_event(ctx, month)
        if cache is not None:
            cache.write_bytes(pickle.dumps((templates, events)))
        if check:
            month = months[-1]
            common = [k for k, _n in Counter(outcomes[-1]).most_common()]
            sample = sorted(set(common[: check - check // 2] + common[::-1][: check // 2]))
            log(f"  checking {len(sample)} kinds of {month} against twins")
            driven = drive_month(ctx, clock, month, sample, twins=True, number=CHECK_NUMBER)
            # Each twin against the template driven beside it (the same minute of each step): the cached
            # templates were driven the same way, at other minutes.
            for template, twin in zip(driven[: len(sample)], driven[len(sample) :], strict=True):
                who = Officer(
                    twin.officer_id,
                    twin.name,
                    twin.place["village"],
                    twin.place["village_zh"],
                    twin.place["town"],
                    twin.place["town_zh"],
                )
                problems = compare(twin.rows, Rewriter(template).rows(who, twin.instance_id))
                if problems:
                    raise RuntimeError(f"{month} {template.outcome}: generated rows differ: {problems[:5]}")
                checked += 1
    return templates, events, checked


def write_year(
    ctx: ServiceContext,
    url: str,
    people: list[Officer],
    months: list[str],
    outcomes: list[list[Outcome]],
    templates: dict[tuple[str, Outcome], Template],
    month_events: dict[str, dict[str, Any]],
) -> dict[str, int]:
    """COPY every officer's months; seal the events; move the head. Rows written per table."""
    written = dict.fromkeys(TABLE_ORDER, 0)
    rewriters = {key: Rewriter(t) for key, t in templates.items()}
    with ctx.database.reading() as session:
        head = session.get(AuditHeadModel, 1)
        chain = Chain(head.seq, head.hash) if head else Chain(0, audit.GENESIS)
        next_instance = int(session.scalar(text("SELECT COALESCE(max(id), 0) FROM instances")) or 0) + 1
    with copying(url) as connection:
        for month, row in zip(months, outcomes, strict=True):
            log(f"  writing {month}: {len(people):,} appraisals")
            for offset in range(0, len(people), CHUNK):
                tables: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLE_ORDER}
                order: list[tuple[datetime, int, int]] = []
                for officer, outcome in zip(
                    people[offset : offset + CHUNK], row[offset : offset + CHUNK], strict=True
                ):
                    copied = rewriters[(month, outcome)].rows(officer, next_instance)
                    for name, rows in copied.items():
                        if name == "audit_events":
                            order.extend((e["at"], next_instance, len(order)) for e in rows)
                        tables.setdefault(name, []).extend(rows)
                    next_instance += 1
                if offset == 0:  # the month's own event, after its starts (start_month writes it last)
                    event = {k: v for k, v in month_events[month].items() if k not in ("id", *audit_chain())}
                    event["payload"] = {
                        **event["payload"],
                        "officers": len(people),
                        "started": len(people),
                        "existing": 0,
                    }
                    tables["audit_events"].append(event)
                    order.append((event["at"], 2**62, len(order)))
                events = tables["audit_events"]
                tables["audit_events"] = [events[n] for _at, _instance, n in sorted(order)]
                chain.seal(tables["audit_events"])
                for name in [*TABLE_ORDER, *sorted(set(tables) - set(TABLE_ORDER))]:
                    copy_rows(connection, name, tables[name])
                    written[name] = written.get(name, 0) + len(tables[name])
                connection.commit()
        connection.execute("SELECT setval('instances_id_seq', %s)", (next_instance,))
        mac = audit.head_mac(ctx.settings.audit_key, chain.seq, chain.hash)
        connection.execute(
            "INSERT INTO audit_head (id, seq, hash, mac) VALUES (1, %s, %s, %s) ON CONFLICT (id) DO UPDATE "
            "SET seq = excluded.seq, hash = excluded.hash, mac = excluded.mac",
            (chain.seq, chain.hash, mac),
        )
        connection.commit()
    return written


def audit_chain() -> tuple[str, ...]:
    return ("seq", "prev_hash", "hash")


def campaign(ctx: ServiceContext, officers: int) -> int:
    """One recruitment campaign: the dashboard benchmark's rows, applicants scaled to the province."""
    with ctx.database.reading() as session:
        definitions = dict(session.execute(select(DefinitionModel.process_id, DefinitionModel.id)).all())
        codes = list(session.scalars(select(VillageModel.code).order_by(VillageModel.code)))
    sizes = CampaignSizes(
        towns=0, officers=0, confirming=0, applications=max(2_000, officers * 2 // 7), repeat=0
    )
    return populate_campaign(ctx, sizes, definitions, codes, ctx.clock.now())


def rebuild_projections(ctx: ServiceContext) -> bool:
    """The dashboard's counts (migration 0022) from the rows written, when this tree has them."""
    try:
        from service.persistence.appraisal_counts import rebuild  # noqa: PLC0415 - another helper's work
    except ImportError:
        return False
    with ctx.database.transaction() as session:
        rebuild(session.connection())
    return True


def generate(url: str, officers: int, months: int, check: int = 12, cache: Path | None = None) -> Generated:
    """Fill the (empty) schema at ``url`` with a year; what was written and how long each part took."""
    started = time.perf_counter()
    app, ctx = create_service(url)
    last = previous_months(ctx.clock.now().astimezone(CHINA).strftime("%Y-%m"), 2)[1]
    result = Generated(url, officers, list(reversed(previous_months(last, months))))
    try:
        log(f"province: {officers:,} officers")
        people = province(ctx, officers)
        result.seconds["register, users, officers"] = time.perf_counter() - started
        mark = time.perf_counter()
        outcomes = plan([o.id for o in people], months)
        templates, events, result.checked = make_templates(result.months, outcomes, check, cache)
        result.templates = len(templates)
        result.seconds["templates through the use cases"] = time.perf_counter() - mark
        mark = time.perf_counter()
        result.rows = write_year(ctx, url, people, result.months, outcomes, templates, events)
        result.seconds["year written (COPY, sealed)"] = time.perf_counter() - mark
        mark = time.perf_counter()
        result.campaign_id = campaign(ctx, officers)
        rebuilt = rebuild_projections(ctx)
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute("ANALYZE")
        result.seconds[f"campaign{', dashboard counts' if rebuilt else ''}, ANALYZE"] = (
            time.perf_counter() - mark
        )
        result.seconds["total"] = time.perf_counter() - started
    finally:
        ctx.database.dispose()
        del app
    return result


def report(result: Generated) -> str:
    lines = [
        f"year of {result.officers:,} officers, months {result.months[0]}..{result.months[-1]}; "
        f"{result.templates} kinds of month driven through the use cases; {result.checked} twins equal"
    ]
    lines += [f"  {name}: {seconds:.0f} s" for name, seconds in result.seconds.items()]
    lines.append("  rows written: " + ", ".join(f"{t} {n:,}" for t, n in result.rows.items()))
    total = 0
    lines.append("  | table | rows | table (with TOAST) | indexes | per officer-year |")
    lines.append("  |---|---|---|---|---|")
    for name, count, size, index in table_sizes(result.url):
        total += size + index
        if size + index >= 1 << 20:
            lines.append(
                f"  | {name} | {count:,} | {size / 2**20:,.1f} MiB | {index / 2**20:,.1f} MiB | "
                f"{(size + index) / result.officers / 1024:,.1f} KiB |"
            )
    lines.append(
        f"  | all tables | | {total / 2**20:,.1f} MiB | | {total / result.officers / 1024:,.1f} KiB |"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--officers", type=int, default=70_000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--schema", default="", help="schema name (default: year_<officers>)")
    parser.add_argument("--check", type=int, default=12, help="kinds of the last month checked against twins")
    parser.add_argument("--templates", type=Path, help="a file keeping the driven templates between runs")
    args = parser.parse_args(argv)
    schema = args.schema or f"year_{args.officers}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
        connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        connection.execute(f'CREATE SCHEMA "{schema}"')
    url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    print(f"auxpolice year generator: {args.officers:,} officers x {args.months} months into schema {schema}")
    print(machine())
    result = generate(url, args.officers, args.months, args.check, args.templates)
    print(report(result))
    print(f"schema kept: {url}")
    print(f"finished {datetime.now(UTC):%Y-%m-%d %H:%M UTC}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
