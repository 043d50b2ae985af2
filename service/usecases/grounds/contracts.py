"""Grounds panels of the contract renewal: the officer with the contract, and the appraisal history."""

from __future__ import annotations

from service.usecases.grounds.building import (
    Panel,
    PanelBuilder,
    Reading,
    column,
    field,
    month_text,
    number,
    panel,
    same,
    yes_no,
)
from service.usecases.roster.listing import appraisal_history, officer_row


def officer_contract(reading: Reading) -> Panel | None:
    """The officer, where and as what they serve, the campaign they came from, the contract and status."""
    officer_id = reading.data.get("officer_id")
    row = officer_row(reading.session, int(officer_id)) if isinstance(officer_id, int) else None
    if row is None:
        return None
    campaign = row["campaign_title"] or "—"
    fields = [
        field(("辅警", "Officer"), same(row["name"])),
        field(("村（社区）", "Village or community"), (row["village_name"], row["village_name_en"])),
        field(("所属镇", "Town"), (row["town_name"], row["town_name_en"])),
        field(("岗位", "Role"), (row["role_label"], row["role_label_en"])),
        field(("招聘批次", "Campaign"), same(campaign)),
        field(("合同编号", "Contract number"), same(row["contract_number"])),
        field(
            ("合同期限", "Contract term"),
            same(f"{row['contract_start']:%Y-%m-%d} – {row['contract_end']:%Y-%m-%d}"),
        ),
        field(
            ("状态", "Status"),
            (
                f"{row['status_label']}（自 {row['status_since']:%Y-%m-%d} 起）",
                f"{row['status_label_en']} (since {row['status_since']:%Y-%m-%d})",
            ),
        ),
    ]
    return panel(("辅警与合同", "Officer and contract"), fields)


def appraisal_history_panel(reading: Reading) -> Panel | None:
    """The officer's monthly appraisals, newest first: grade, combined score, veto."""
    officer_id = reading.data.get("officer_id")
    if not isinstance(officer_id, int):
        return None
    history = appraisal_history(reading.session, officer_id)
    if not history:
        return None
    rows = [
        (
            month_text(record["month"]),
            (record["grade_label"], record["grade_label_en"]),
            same(number(record["combined_score"])),
            yes_no(record["veto"]),
        )
        for record in history
    ]
    columns = [
        column(("月份", "Month")),
        column(("考核等次", "Grade")),
        column(("综合得分", "Combined score"), numeric=True),
        column(("一票否决", "Vetoed")),
    ]
    return panel(("考核记录", "Appraisal history"), columns=columns, rows=rows)


PANELS: dict[str, PanelBuilder] = {
    "officer_contract": officer_contract,
    "appraisal_history": appraisal_history_panel,
}
