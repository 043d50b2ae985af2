"""Grounds panels of the work injury and the death on duty (issue 17, points 4-5): what the station
reported, the claim, and each department's decision so far, shown to the departments that act next."""

from __future__ import annotations

from service.usecases.grounds.building import (
    Panel,
    PanelBuilder,
    Reading,
    beijing_time,
    display_name,
    enum_label,
    field,
    money,
    panel,
    same,
    yes_no,
)


def _reported(reading: Reading, facts: list[tuple[tuple[str, str], str]]) -> list[dict[str, str]]:
    data = reading.data
    return [
        field(("辅警", "Officer"), same(f"{data.get('officer_name')}（{data.get('village_name')}）")),
        *(field(label, same(data.get(key) or "—")) for label, key in facts),
        field(("报告人", "Reported by"), same(display_name(reading.session, data.get("reported_by")))),
        field(("报告时间", "Reported at"), beijing_time(data.get("reported_at"))),
    ]


def injury_report(reading: Reading) -> Panel | None:
    """The station's report: who, when, where, what happened, the injury."""
    if "injury_date" not in reading.data:
        return None
    facts = [
        (("受伤日期", "Date of the injury"), "injury_date"),
        (("受伤地点", "Place"), "injury_place"),
        (("受伤经过", "Circumstances"), "circumstances"),
        (("伤情", "Injury"), "injury"),
    ]
    return panel(("因公受伤报告", "Report of the injury"), _reported(reading, facts))


def injury_claim(reading: Reading) -> Panel | None:
    """The station's claim: the hospital and notes (the medical records are the task's attachments)."""
    data = reading.data
    if "hospital" not in data:
        return None
    return panel(
        ("工伤认定材料", "Work-injury claim"),
        [
            field(("就诊医院", "Hospital"), same(data["hospital"])),
            field(("材料说明", "Notes on the materials"), same(data.get("materials_note") or "—")),
        ],
    )


def injury_recognition(reading: Reading) -> Panel | None:
    """Science and technology's recognition: the outcome, its grounds, the disability grade."""
    data = reading.data
    if "recognised" not in data:
        return None
    fields = [
        field(("认定为工伤", "Recognised as a work injury"), yes_no(data["recognised"])),
        field(("认定依据（理由）", "Grounds"), same(data.get("recognition_grounds") or "—")),
    ]
    if data.get("disability_grade"):
        grade = enum_label(
            reading.forms, "injury_recognition.json", ("disability_grade",), data["disability_grade"]
        )
        fields.append(field(("伤残等级", "Disability grade"), grade))
    return panel(("工伤认定结论", "Recognition"), fields)


def injury_payments(reading: Reading) -> Panel | None:
    """The benefits the service company entered, for finance to confirm."""
    data = reading.data
    if "medical_expenses" not in data:
        return None
    fields = [
        field(("医疗费用", "Medical expenses"), money(data["medical_expenses"])),
        field(("停工留薪期工资", "Wages during the injury leave"), money(data["wages_during_leave"])),
        field(("一次性伤残补助金", "One-off disability allowance"), money(data["disability_allowance"])),
        field(("说明", "Remarks"), same(data.get("payment_remarks") or "—")),
    ]
    return panel(("工伤待遇（服务公司核定）", "Benefits entered by the service company"), fields)


def death_report(reading: Reading) -> Panel | None:
    """The station's report of the death."""
    if "death_date" not in reading.data:
        return None
    facts = [
        (("牺牲日期", "Date of death"), "death_date"),
        (("地点", "Place"), "death_place"),
        (("经过", "Circumstances"), "death_circumstances"),
    ]
    return panel(("因公牺牲报告", "Report of the death"), _reported(reading, facts))


def death_facts(reading: Reading) -> Panel | None:
    """The sub-bureau's finding: died on duty or not, the facts, its recommendation."""
    data = reading.data
    if "died_on_duty" not in data:
        return None
    return panel(
        ("公安分局核实情况", "Facts established by the sub-bureau"),
        [
            field(("确认因公牺牲", "Died on duty"), yes_no(data["died_on_duty"])),
            field(("核实情况", "Facts established"), same(data.get("facts_finding") or "—")),
            field(("建议评定为烈士", "Recommends martyr status"), yes_no(data.get("recommend_martyr"))),
        ],
    )


def martyr_evaluation(reading: Reading) -> Panel | None:
    """Social work's evaluation and its grounds."""
    data = reading.data
    if "martyr" not in data:
        return None
    return panel(
        ("烈士评定结论", "Martyr evaluation"),
        [
            field(("评定为烈士", "Evaluated as a martyr"), yes_no(data["martyr"])),
            field(("评定依据", "Grounds of the evaluation"), same(data.get("evaluation_grounds") or "—")),
        ],
    )


def family_benefits(reading: Reading) -> Panel | None:
    """The family's benefits social work recorded, for finance to confirm."""
    data = reading.data
    if "beneficiary_name" not in data:
        return None
    relationship = enum_label(
        reading.forms, "family_benefits.json", ("relationship",), data.get("relationship")
    )
    return panel(
        ("烈属（遗属）抚恤", "The family's benefits"),
        [
            field(("领取人", "Beneficiary"), same(data["beneficiary_name"])),
            field(("与辅警关系", "Relationship"), relationship),
            field(("一次性抚恤金", "One-off pension"), money(data["one_time_pension"])),
            field(("丧葬补助金", "Funeral grant"), money(data["funeral_grant"])),
            field(("定期抚恤金（每月）", "Survivor pension (a month)"), money(data["monthly_pension"])),
            field(("说明", "Remarks"), same(data.get("benefit_remarks") or "—")),
        ],
    )


PANELS: dict[str, PanelBuilder] = {
    "injury_report": injury_report,
    "injury_claim": injury_claim,
    "injury_recognition": injury_recognition,
    "injury_payments": injury_payments,
    "death_report": death_report,
    "death_facts": death_facts,
    "martyr_evaluation": martyr_evaluation,
    "family_benefits": family_benefits,
}
