"""Grounds panels of the contract renewal: the officer with the contract, the appraisals and the rewards and
vetoes of the contract's term (never less than twelve months), and the service company's opinion."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from service.persistence.models import HumanTaskModel
from service.usecases.grounds.building import (
    Panel,
    PanelBuilder,
    Reading,
    beijing_time,
    column,
    display_name,
    enum_label,
    field,
    month_text,
    number,
    panel,
    same,
    yes_no,
)
from service.usecases.roster.contracts import grounds_from_month
from service.usecases.roster.listing import appraisal_history, officer_row
from service.usecases.roster.rewards import reward_history
from workflows.ports import CHINA
from workflows.rules.grading import GRADE_LABELS

OPINION_FORM = "renewal_company_opinion.json"
GRADE_ORDER = {grade: rank for rank, grade in enumerate(GRADE_LABELS)}


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


def _term_start(reading: Reading) -> str | None:
    """The first month the renewal's grounds cover, from the start data and the day the task was created."""
    start = reading.data.get("contract_start")
    if not isinstance(start, str) or not isinstance(reading.data.get("officer_id"), int):
        return None
    return grounds_from_month(date.fromisoformat(start), reading.task.created_at.astimezone(CHINA).date())


def contract_appraisals(reading: Reading) -> Panel | None:
    """The appraisals of the contract's term (at least the last twelve months), newest first, with the count
    of each grade and of vetoes above them: what the renewal is decided on."""
    first = _term_start(reading)
    if first is None:
        return None
    officer_id = int(reading.data["officer_id"])
    # A three-year term has 36 months; 60 bounds a longer one without reading the whole history.
    history = [r for r in appraisal_history(reading.session, officer_id, limit=60) if r["month"] >= first]
    title = (f"本合同期考核记录（{first} 起）", f"Appraisals of the contract term (from {first})")
    if not history:
        return panel(title, text=("本合同期内没有已确定等次的考核。", "No confirmed appraisal in the term."))
    counts: dict[tuple[str, str], int] = {}
    # Best grade first, as the grading rule lists them, whatever the months' order.
    for record in sorted(history, key=lambda r: GRADE_ORDER.get(r["grade"], len(GRADE_ORDER))):
        label = (record["grade_label"], record["grade_label_en"])
        counts[label] = counts.get(label, 0) + 1
    vetoes = sum(1 for record in history if record["veto"])
    summary = (
        "；".join(f"{zh} {n} 个月" for (zh, _en), n in counts.items()) + f"；一票否决 {vetoes} 次",
        "; ".join(f"{en} {n} month(s)" for (_zh, en), n in counts.items()) + f"; vetoed {vetoes} time(s)",
    )
    rows = [
        (
            month_text(record["month"]),
            (record["grade_label"], record["grade_label_en"]),
            same(number(record["combined_score"])),
            (f"是（{record['veto_reason']}）", f"Yes ({record['veto_reason']})")
            if record["veto"] and record["veto_reason"]
            else yes_no(record["veto"]),
        )
        for record in history
    ]
    columns = [
        column(("月份", "Month")),
        column(("考核等次", "Grade")),
        column(("综合得分", "Combined score"), numeric=True),
        column(("一票否决", "Vetoed")),
    ]
    return panel(title, fields=[field(("合计", "In all"), summary)], columns=columns, rows=rows)


def officer_rewards(reading: Reading) -> Panel | None:
    """The reward decisions on the officer in the contract's term (at least the last twelve months)."""
    first = _term_start(reading)
    if first is None:
        return None
    rewards = [
        r
        for r in reward_history(reading.session, int(reading.data["officer_id"]))
        if str(r.get("month") or "") >= first
    ]
    title = (f"本合同期奖励（{first} 起）", f"Rewards of the contract term (from {first})")
    if not rewards:
        return panel(title, text=("本合同期内没有奖励决定。", "No reward decision in the term."))
    rows = [
        (
            same(r["decided_on"].isoformat()),
            month_text(r["month"]),
            (r["outcome_label"], r["outcome_label_en"]),
            (r["kind_label"], r["kind_label_en"]),
            (str(r["grounds"] or "—"), str(r["grounds_en"] or "—")),
        )
        for r in rewards
    ]
    columns = [
        column(("决定日期", "Decided on")),
        column(("考核月份", "Month")),
        column(("结果", "Outcome")),
        column(("奖励种类", "Kind")),
        column(("依据", "Grounds")),
    ]
    return panel(title, columns=columns, rows=rows)


def renewal_opinion(reading: Reading) -> Panel | None:
    """The service company's opinion: the officer's wish, the recommendation, its remarks, who and when."""
    data = reading.data
    if "company_recommends" not in data:
        return None
    completed = reading.session.execute(
        select(HumanTaskModel.completed_by, HumanTaskModel.completed_at)
        .where(
            HumanTaskModel.instance_id == reading.task.instance_id,
            HumanTaskModel.spec_name == "company_opinion",
            HumanTaskModel.completed_by.is_not(None),
        )
        .order_by(HumanTaskModel.id.desc())
        .limit(1)
    ).first()
    fields = [
        field(
            ("辅警本人续签意愿", "The officer's wish"),
            enum_label(reading.forms, OPINION_FORM, ("officer_intention",), data.get("officer_intention")),
        ),
        field(("建议续签", "Recommend renewal"), yes_no(data.get("company_recommends"))),
        field(("服务公司意见", "Service company's remarks"), same(data.get("company_remarks"))),
    ]
    if completed is not None:
        fields.append(field(("提出人", "Given by"), same(display_name(reading.session, completed[0]))))
        fields.append(field(("提出时间", "Given at"), beijing_time(completed[1])))
    if "renew" in data:
        fields.append(field(("公安分局决定续签", "Sub-bureau decided to renew"), yes_no(data.get("renew"))))
        if data.get("decision_reason"):
            fields.append(field(("决定理由", "Reasons for the decision"), same(data.get("decision_reason"))))
    return panel(("服务公司续签意见", "Service company's opinion on renewal"), fields)


PANELS: dict[str, PanelBuilder] = {
    "officer_contract": officer_contract,
    "appraisal_history": appraisal_history_panel,
    "contract_appraisals": contract_appraisals,
    "officer_rewards": officer_rewards,
    "renewal_opinion": renewal_opinion,
}
