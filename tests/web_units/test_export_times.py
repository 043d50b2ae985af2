"""Every export shows times in Beijing time with the zone named in the header (issue 11, part 5) and, in
the auditors' workbook, on the time itself (issue 15, point 7).

The auditors' workbook's time column was headed 时间 alone: a reader could not tell whether 09:02 was UTC.
"""

from __future__ import annotations

import io
from datetime import datetime

from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import select

from service.context import ServiceContext
from service.persistence.models import AuditEventModel
from tests.api.recruitment_steps import start_recruitment
from tests.conftest import User
from tests.web_units.browser_session import web_login
from workflows.ports import CHINA


def test_the_audit_workbook_names_beijing_time_and_holds_it(
    app: Flask, users: dict[str, User], ctx: ServiceContext
) -> None:
    instance = start_recruitment(users["bureau"])["id"]
    with web_login(app, "auditor").get(f"/audit/export.xlsx?instance_id={instance}") as response:
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.get_data())).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][1] == "时间（北京时间）"
    with ctx.database.reading() as session:
        stored = {
            seq: at
            for seq, at in session.execute(
                select(AuditEventModel.seq, AuditEventModel.at).where(AuditEventModel.instance_id == instance)
            )
        }
    assert len(rows) - 1 == len(stored)
    for seq, at, *_rest in rows[1:]:
        # Stored as UTC; the cell holds the Beijing time with its zone, ISO 8601 (issue 15, point 7).
        assert at == stored[seq].astimezone(CHINA).isoformat(timespec="seconds") and at.endswith("+08:00")
        assert datetime.fromisoformat(at) == stored[seq].replace(microsecond=0)
