"""Grounds panel of the payroll: the month's standard and the service's check against the roster (each row
off the standard or the roster with its reasons, the officers missing), for the service company when its
payroll is sent back and for Finance when it confirms."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from service.persistence.models import OfficerModel
from service.usecases.grounds.building import Panel, PanelBuilder, Reading, column, field, money, panel, same
from service.usecases.payroll import ITEMS


def _standard(standard: dict[str, Any]) -> tuple[str, str]:
    zh = "，".join(f"{label} {money(standard[key])[0]}" for key, label, _ in ITEMS)
    en = ", ".join(f"{label} {money(standard[key])[1]}" for key, _, label in ITEMS)
    limit = money(standard["award_max"])
    return f"{zh}；奖励上限 {limit[0]}", f"{en}; awards up to {limit[1]}"


def _officers(count: int) -> tuple[str, str]:
    return f"{count} 人", f"{count} officer{'' if count == 1 else 's'}"


def _unpaid(reading: Reading, ids: list[int]) -> tuple[str, str]:
    """How many officers in service have no undertaking, and who: Finance sees whom the payroll leaves out."""
    count = _officers(len(ids))
    if not ids:
        return count
    names = list(
        reading.session.scalars(
            select(OfficerModel.name).where(OfficerModel.id.in_(ids)).order_by(OfficerModel.id)
        )
    )
    return f"{count[0]}：{'、'.join(names)}", f"{count[1]}: {', '.join(names)}"


def payroll_check(reading: Reading) -> Panel | None:
    """The standard of the month, then (once checked) the check's result, row by row."""
    opened = reading.data.get("payroll_month")
    if not isinstance(opened, dict):
        return None
    fields = [
        field(("发放月份", "Month"), same(opened["month"])),
        field(("每人每月保障标准", "Standard per officer and month"), _standard(opened["standard"])),
    ]
    check = reading.data.get("payroll_check")
    if not isinstance(check, dict):
        return panel(("工资核对", "Payroll check"), fields)
    fields += [
        field(
            ("核对结果", "Result"),
            ("与名册和标准一致", "Matches the roster and the standard")
            if check["ok"]
            else (
                f"{check['mismatched']} 行不一致，缺少 {len(check['missing'])} 人：已退回服务公司",
                f"{check['mismatched']} rows off, {len(check['missing'])} officers missing: sent back",
            ),
        ),
        field(
            ("列出 / 应列", "Listed / expected"),
            (
                f"{check['listed']} / {_officers(check['expected'])[0]}",
                f"{check['listed']} / {_officers(check['expected'])[1]}",
            ),
        ),
        field(("合计", "Total"), money(check["total"])),
        field(
            ("未签保密承诺书（不予发放）", "Without an undertaking (not paid)"),
            _unpaid(reading, list(check.get("without_undertaking") or [])),
        ),
    ]
    rows = [
        (
            same(row["row"]),
            same(row["name"]),
            (row["village_name"], row["village_name_en"]),
            ("；".join(row["problems"]), "; ".join(row["problems_en"])),
        )
        for row in check["rows"]
        if row["problems"]
    ]
    rows += [
        (
            same("—"),
            same(m["name"]),
            (m["village_name"], m["village_name_en"]),
            ("名册在岗，工资表中缺少", "In service on the roster, missing from the payroll"),
        )
        for m in check["missing"]
    ]
    columns = (
        [
            column(("行", "Row")),
            column(("辅警", "Officer")),
            column(("村（社区）", "Village")),
            column(("原因", "Reasons")),
        ]
        if rows
        else []
    )
    return panel(("工资核对", "Payroll check"), fields, columns, rows)


PANELS: dict[str, PanelBuilder] = {"payroll_check": payroll_check}
