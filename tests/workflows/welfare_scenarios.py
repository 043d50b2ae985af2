"""Bundled-model scenarios of bpmn/welfare/ (issue 17, points 4-5): the work injury recognised (finance
returns the amounts once) and not recognised; the death on duty evaluated as a martyr, and one found not on
duty. Kept apart from test_bundled_models.py, which merges them, so that its shared tables stay short."""

from __future__ import annotations

from typing import Any

OFFICER = {
    "officer_id": 1,
    "officer_name": "王五",
    "village_code": "371002001",
    "village_name": "东村",
    "town": "zhangcun",
    "reported_by": "zhangcun_station",
    "reported_at": "2026-12-01T10:00:00+08:00",
}
INJURY_START = {
    **OFFICER,
    "injury_date": "2026-11-28",
    "injury_place": "东村村委会",
    "circumstances": "调解纠纷时被推倒",
    "injury": "右臂骨折",
    "subject": "王五（东村）因公受伤 2026-11-28",
}
DEATH_START = {
    **OFFICER,
    "death_date": "2026-11-28",
    "death_place": "东村河道",
    "death_circumstances": "汛期巡查时救助落水群众",
    "subject": "王五（东村）因公牺牲 2026-11-28",
}

OPERATOR_RESULTS: dict[str, Any] = {
    "record_duty_status": {"status": "injury_leave", "since": "2026-11-28"},
    "record_work_injury": {"outcome": "recognised", "grounds": "执行职务受伤", "disability_grade": "grade_9"},
    "record_injury_benefits": {"amounts": {"medical_expenses": 12000}},
    "record_left_post": {"status": "left_post_injury", "changed": True, "left_on": "2027-03-01"},
    "record_death": {"status": "died_on_duty", "changed": True, "left_on": "2026-11-28"},
    "record_death_on_duty": {"outcome": "martyr", "grounds": "符合烈士评定条件"},
}

SUBMISSIONS: dict[str, Any] = {
    "injury_materials.json": {"hospital": "区人民医院"},
    "injury_recognition.json": {
        "recognised": True,
        "recognition_grounds": "执行职务受伤，符合工伤认定条件",
        "disability_grade": "grade_9",
    },
    "injury_payments.json": {
        "medical_expenses": 12000,
        "wages_during_leave": 9000,
        "disability_allowance": 27000,
    },
    "benefit_funding.json": [
        {"funding_decision": "return", "funding_reason": "医疗费票据金额不符"},
        {"funding_decision": "approve"},
    ],
    "injury_return.json": {"return_date": "2027-02-01"},
    "injury_exit.json": {"left_post_on": "2027-03-01", "exit_note": "按月发给伤残津贴"},
    "death_facts.json": {
        "died_on_duty": True,
        "facts_finding": "救助落水群众时牺牲",
        "recommend_martyr": True,
    },
    "martyr_evaluation.json": {"martyr": True, "evaluation_grounds": "抢救群众生命牺牲，符合烈士评定条件"},
    "family_benefits.json": {
        "beneficiary_name": "李梅",
        "relationship": "spouse",
        "one_time_pension": 800000,
        "funeral_grant": 20000,
        "monthly_pension": 2500,
    },
}

SCENARIOS: dict[str, list[dict[str, Any]]] = {
    "work_injury": [
        {
            "name": "recognised_funding_returned_once_then_back_at_work",
            "start_data": INJURY_START,
            "operators": [
                "record_duty_status",
                "record_work_injury",
                "record_injury_benefits",
                "record_duty_status",
            ],
            "user_tasks": [
                "submit_injury_materials",
                "recognise_injury",
                "enter_injury_payments",
                "confirm_injury_funding",
                "enter_injury_payments",
                "confirm_injury_funding",
                "record_return_to_work",
            ],
            "timers": [],
            "final_data": {"recognised": True, "funding_decision": "approve"},
        },
        {
            # Grades 1-4 (工伤保险条例 第三十五条): the labour relation kept, the officer leaves the post.
            "name": "grade_3_leaves_the_post",
            "start_data": INJURY_START,
            "operators": [
                "record_duty_status",
                "record_work_injury",
                "record_injury_benefits",
                "record_left_post",
            ],
            "user_tasks": [
                "submit_injury_materials",
                "recognise_injury",
                "enter_injury_payments",
                "confirm_injury_funding",
                "arrange_leaving_post",
            ],
            "timers": [],
            "submissions": {
                "injury_recognition.json": {
                    "recognised": True,
                    "recognition_grounds": "执行职务受伤，符合工伤认定条件",
                    "disability_grade": "grade_3",
                },
                "benefit_funding.json": {"funding_decision": "approve"},
            },
            "final_data": {"left_post_record": OPERATOR_RESULTS["record_left_post"]},
        },
        {
            "name": "not_recognised_no_payments",
            "start_data": INJURY_START,
            "operators": ["record_duty_status", "record_work_injury", "record_duty_status"],
            "user_tasks": ["submit_injury_materials", "recognise_injury", "record_return_to_work"],
            "timers": [],
            "submissions": {
                "injury_recognition.json": {"recognised": False, "recognition_grounds": "非执行职务期间受伤"}
            },
            "final_data": {"recognised": False},
        },
    ],
    "death_on_duty": [
        {
            "name": "martyr_benefits_confirmed",
            "start_data": DEATH_START,
            "operators": ["record_death", "record_death_on_duty"],
            "user_tasks": [
                "confirm_death_facts",
                "evaluate_martyr",
                "record_family_benefits",
                "confirm_family_funding",
                "record_family_benefits",
                "confirm_family_funding",
            ],
            "timers": [],
            "final_data": {"martyr": True, "death_outcome": OPERATOR_RESULTS["record_death_on_duty"]},
        },
        {
            "name": "not_on_duty_recorded_without_evaluation",
            "start_data": DEATH_START,
            "operators": ["record_death", "record_death_on_duty"],
            "user_tasks": ["confirm_death_facts"],
            "timers": [],
            "submissions": {"death_facts.json": {"died_on_duty": False, "facts_finding": "休假期间因病死亡"}},
            "final_data": {"died_on_duty": False},
        },
    ],
}
