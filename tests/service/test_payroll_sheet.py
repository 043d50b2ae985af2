"""The payroll's uploaded Excel sheet is read cell by cell (issue 17, point 8): a row becomes the submission
form's row, a blank line is skipped, a cell that is no amount or a changed header is refused naming the
row, before any task is touched."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import Workbook

from service.usecases.errors import InvalidInputError
from service.usecases.payroll_workbook import HEADER, read_payroll_sheet

STANDARD = [3600, 576, 324, 28.8, 14.4, 28.8, 432]


def sheet(*rows: tuple[Any, ...], header: tuple[str, ...] = HEADER) -> bytes:
    book = Workbook()
    page = book.active
    assert page is not None
    page.append(header)
    for row in rows:
        page.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_rows_are_read_as_the_form_takes_them() -> None:
    content = sheet(
        (7, "王五", "东村", *STANDARD, 200, "奖励性绩效"), (None,) * 3, (8, "李四", "西村", *STANDARD, 0)
    )
    first, second = read_payroll_sheet(content)
    assert first == {
        "officer_id": 7,
        "wage": 3600.0,
        "pension": 576.0,
        "medical": 324.0,
        "unemployment": 28.8,
        "work_injury": 14.4,
        "maternity": 28.8,
        "housing_fund": 432.0,
        "awards": 200.0,
        "remarks": "奖励性绩效",
    }
    assert second["officer_id"] == 8 and "remarks" not in second


def test_a_cell_that_is_no_amount_or_another_header_is_refused_naming_it() -> None:
    with pytest.raises(InvalidInputError) as refused:
        read_payroll_sheet(sheet((7, "王五", "东村", "三千六", *STANDARD[1:], 0)))
    assert "第 2 行“工资”不是金额" in str(refused.value.message)
    with pytest.raises(InvalidInputError) as refused:
        read_payroll_sheet(sheet((7, "王五"), header=("编号", "姓名")))
    assert "表头" in str(refused.value.message)
