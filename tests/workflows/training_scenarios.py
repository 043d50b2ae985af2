"""Bundled-model scenarios of bpmn/training/ (issue 17, point 6): a training plan approved (the cohort
enrolled) and refused, one officer's attendance recorded, an undertaking registered. Kept apart from
test_bundled_models.py, which merges them, so that its shared tables stay short."""

from __future__ import annotations

from typing import Any

PLAN = {
    "title": "2026年农村辅警岗前培训",
    "start_date": "2026-12-01",
    "end_date": "2026-12-03",
    "place": "公安分局三楼会议室",
    "content": "法律法规、群众工作方法、保密纪律",
    "cohort_town": "zhangcun",
}
ATTENDANCE_START = {
    "officer_id": 1,
    "officer_name": "王五",
    "village_code": "371002001",
    "village_name": "东村",
    "town": "zhangcun",
    "training_instance_id": 1,
    "training_title": PLAN["title"],
    "start_date": PLAN["start_date"],
    "end_date": PLAN["end_date"],
    "place": PLAN["place"],
    "content": PLAN["content"],
    "planned_by": "bureau",
    "approved_by": "bureau_head",
    "result_due_at": "2026-12-11T00:00:00+08:00",
    "subject": "王五（东村）2026年农村辅警岗前培训",
}

OPERATOR_RESULTS: dict[str, Any] = {
    "training_planner": "bureau",
    "enrol_training_cohort": {
        "count": 1,
        "officers": [{"officer_id": 1, "officer_name": "王五", "village_name": "东村"}],
        "result_due_at": "2026-12-11T00:00:00+08:00",
    },
    "record_training": {"attended": True, "result": "passed", "recorded_on": "2026-12-04"},
    "undertaking_officer": {
        "officer_name": "王五",
        "village_name": "东村",
        "town": "zhangcun",
        "contract_start": "2026-05-01",
        "previous_signed_on": None,
    },
    "record_undertaking": {"signed_on": "2026-05-01", "recorded_by": "bureau"},
}

SUBMISSIONS: dict[str, Any] = {
    "training_approval.json": {"approve": True},
    "training_result.json": {"attended": True, "result": "passed", "remarks": "结业考试92分"},
    "undertaking.json": {"signed_on": "2026-05-01"},
}

SCENARIOS: dict[str, list[dict[str, Any]]] = {
    "training": [
        {
            "name": "approved_enrols_the_cohort",
            "start_data": PLAN,
            "operators": ["training_planner", "enrol_training_cohort"],
            "user_tasks": ["approve_training_plan"],
            "timers": [],
            "final_data": {"cohort": OPERATOR_RESULTS["enrol_training_cohort"], "planned_by": "bureau"},
        },
        {
            "name": "refused_enrols_nobody",
            "start_data": PLAN,
            "operators": ["training_planner"],
            "user_tasks": ["approve_training_plan"],
            "timers": [],
            "submissions": {"training_approval.json": {"approve": False, "approval_remarks": "与汛期冲突"}},
            "final_data": {"approve": False},
        },
    ],
    "training_attendance": [
        {
            "name": "result_recorded",
            "start_data": ATTENDANCE_START,
            "operators": ["record_training"],
            "user_tasks": ["record_training_result"],
            "timers": [],
            "final_data": {"training_record": OPERATOR_RESULTS["record_training"]},
        },
    ],
    "confidentiality_undertaking": [
        {
            "name": "registered",
            "start_data": {"officer_id": 1, "subject": "王五 保密承诺书"},
            "operators": ["undertaking_officer", "record_undertaking"],
            "user_tasks": ["register_undertaking"],
            "timers": [],
            "final_data": {"undertaking_record": OPERATOR_RESULTS["record_undertaking"]},
        },
    ],
}
