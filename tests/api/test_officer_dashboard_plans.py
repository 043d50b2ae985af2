"""The officers' dashboard's counts by status (issue 15), on SQLite and PostgreSQL: those in service and on
injury leave by town are the roster's lists; on SQLite, at the statistics of the bench's 72,650 officers
(bench/dashboard_bench.py), every count of officers is an index read, none a scan of the table.

Before migration 0038 (ix_officers_status_town) the counts by status read every officer through
ix_officers_town, and the count on injury leave probed the leaves once per officer in service (a correlated
EXISTS): 350 ms a dashboard on the bench's SQLite file, 15 ms after (docs/benchmarks.md, "The officers'
dashboard")."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import event, func, select, text

from service.context import ServiceContext
from service.persistence.models import OfficerModel
from service.usecases import officer_dashboard
from service.usecases.appraisal import previous_months
from service.usecases.directory import Caller
from tests.api.test_dashboard_counts import listed, page
from tests.api.test_nav_count_plans import plans
from tests.api.test_welfare import officers, report_injury
from tests.conftest import User
from tests.web_units.browser_session import web_login

# sqlite_stat1 for officers as ANALYZE wrote it on the bench's database (72,650 officers in service, 100
# towns of 727 each).
BENCH_STATISTICS = {
    "ix_officers_status_town": "72650 72650 727 727",
    "ix_officers_village_code": "72650 516",
    "ix_officers_town": "72650 727",
    "sqlite_autoindex_officers_1": "72650 482",
}


def staffing_cell(text_: str, town: str, column: str) -> tuple[int, str | None]:
    """A town's number in the staffing table and the link it carries."""
    table = text_.split('id="officer-staffing"')[1].split("</table>")[0]
    row = re.search(rf'<th scope="row">{town}</th>(.*?)</tr>', table, re.S)
    assert row is not None, town
    cell = re.search(rf'data-col="{column}"[^>]*>(?:<a href="([^"]*)">)?(\d+)', row.group(1))
    assert cell is not None, (town, column)
    return int(cell.group(2)), cell.group(1)


def test_in_service_and_on_injury_leave_by_town_are_the_rosters_lists_and_index_reads(
    app: Flask, ctx: ServiceContext, users: dict[str, User]
) -> None:
    injured, _other = officers(ctx, 2)[-2:]
    report_injury(users, injured)  # on injury leave from 2026-11-20, still in service
    bureau = web_login(app, "bureau")
    body = page(bureau, "/dashboards/officers")
    count, link = staffing_cell(body, "崮山镇", "on_injury_leave")
    assert count == 1 and link is not None
    [row] = listed(bureau, link.replace("&amp;", "&"), "roster")  # the roster's officers on injury leave
    assert f'data-officer="{injured}"' in row
    with ctx.database.reading() as session:
        serving = session.scalar(
            select(func.count()).where(OfficerModel.status == "in_service", OfficerModel.town == "gushan")
        )
    assert staffing_cell(body, "崮山镇", "in_service")[0] == serving
    assert staffing_cell(body, "泊于镇", "on_injury_leave") == (0, None)

    if ctx.database.engine.dialect.name != "sqlite":
        return
    with ctx.database.engine.begin() as connection:
        connection.execute(text("ANALYZE"))
        connection.execute(text("DELETE FROM sqlite_stat1 WHERE tbl = 'officers'"))
        for index, stat in BENCH_STATISTICS.items():
            connection.execute(
                text("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('officers', :idx, :stat)"),
                {"idx": index, "stat": stat},
            )
    ctx.database.read_engine.dispose()  # new connections load the statistics
    seen: list[tuple[str, object]] = []

    def collect(_conn: object, _cursor: object, statement: str, parameters: object, *_rest: object) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM officers" in statement:
            seen.append((statement, parameters))

    caller = Caller("bureau", "bureau", frozenset({"police_bureau"}))
    event.listen(ctx.database.read_engine, "before_cursor_execute", collect)
    try:
        overview = officer_dashboard.officer_overview(ctx, caller, previous_months("2026-11", 12))
    finally:
        event.remove(ctx.database.read_engine, "before_cursor_execute", collect)
    gushan = next(row for row in overview["staffing"] if row["code"] == "gushan")
    assert (gushan["in_service"], gushan["on_injury_leave"]) == (serving, 1)
    found = plans(ctx, seen)
    # In service by town, the leavers by status and day, those without an undertaking: ranges of the
    # covering index; on injury leave: the few leaves' officers by id. No scan of the officers.
    assert len(found) == 4, found
    assert sum("COVERING INDEX ix_officers_status_town" in plan for plan in found) == 3, found
    # Those on leave: officers looked up by id from the list of leaves (with the primary key, or with the
    # town's index and the rowid), not each officer's leaves probed.
    [leave] = [plan for plan in found if "injury_leaves" in plan]
    assert "rowid=?" in leave and "LIST SUBQUERY" in leave and "CORRELATED" not in leave, leave
    assert not any("SCAN officers" in plan for plan in found), found
