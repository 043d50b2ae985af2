"""Grounds panel of the reward decision: the proposal, who made it, and the vetoes of the period."""

from __future__ import annotations

from service.usecases.grounds.building import (
    Panel,
    PanelBuilder,
    Reading,
    beijing_time,
    display_name,
    field,
    month_text,
    panel,
    same,
)
from service.usecases.roster.rewards import KIND_LABELS


def reward_proposal(reading: Reading) -> Panel | None:
    """The appraisal's reward proposal: officer, month, kind, reasons, proposer, the period's vetoes."""
    data = reading.data
    if "proposal" not in data:
        return None
    kind = KIND_LABELS.get(str(data["proposal"]), (str(data["proposal"]), str(data["proposal"])))
    fields = [
        field(("辅警", "Officer"), same(data.get("officer_name"))),
        field(("提名月份", "Month of the proposal"), month_text(data.get("month"))),
        field(("奖励建议", "Proposed reward"), kind),
        field(("提名理由", "Reasons for the proposal"), same(data.get("proposal_reason"))),
        field(("提名人", "Proposed by"), same(display_name(reading.session, data.get("proposed_by")))),
        field(("提名时间", "Proposed at"), beijing_time(data.get("proposed_at"))),
    ]
    period = data.get("period_vetoes") or {}
    if period:
        span = f"{period['from_month']} – {period['to_month']}"
        months = "、".join(period.get("months") or [])
        fields.append(
            field(
                ("本期一票否决", "Vetoes of the period"),
                (f"{span}：{months}", f"{span}: {months}")
                if period.get("vetoed")
                else (f"{span}：无", f"{span}: none"),
            )
        )
    return panel(("奖励提名", "Reward proposal"), fields)


PANELS: dict[str, PanelBuilder] = {"reward_proposal": reward_proposal}
