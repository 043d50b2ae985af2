"""Bundled-model scenarios of bpmn/fieldreports/ (issue 17, point 7): a report confirmed at once, and one
returned for correction, sent again and confirmed. Kept apart from test_bundled_models.py, which merges
them."""

from __future__ import annotations

from typing import Any

REPORT_START = {
    "officer_id": 1,
    "officer_name": "王五",
    "village_code": "371002001",
    "village_name": "东村",
    "town": "zhangcun",
    "month": "2026-11",
    "report_due_at": "2026-12-02T00:00:00+08:00",
    "subject": "王五（东村）2026-11",
}
REPORT = {
    "meetings_attended": 4,
    "intelligence_reported": 1,
    "disputes_mediated": 2,
    "key_persons_visited": 5,
    "venues_checked": 3,
    "information_collected": 30,
    "ships_checked": 0,
    "patrols_organised": 6,
    "publicity_events": 2,
    "residents_served": 9,
    "highlights": "调解邻里纠纷两起",
}
CONFIRMED = {"status": "confirmed", "late": False, "returns": 0, "by": "zhangcun_station", "at": "2026-12-01"}
RETURNED_AND_CONFIRMED = [
    {"report_decision": "return", "return_reason": "巡逻次数与台账不符"},
    {"report_decision": "confirm", "station_remarks": "情况属实"},
]

OPERATOR_RESULTS: dict[str, Any] = {
    "record_field_report_submitted": {"status": "submitted", "late": False, "returns": 0},
    "record_field_report_returned": {"status": "returned", "late": False, "returns": 1},
    "record_field_report_confirmed": CONFIRMED,
}

SUBMISSIONS: dict[str, Any] = {
    "field_report.json": REPORT,
    "field_report_review.json": {"report_decision": "confirm", "station_remarks": "情况属实"},
}

SCENARIOS: dict[str, list[dict[str, Any]]] = {
    "field_report": [
        {
            "name": "reported_and_confirmed",
            "start_data": REPORT_START,
            "operators": ["record_field_report_submitted", "record_field_report_confirmed"],
            "user_tasks": ["submit_report", "review_report"],
            "timers": [],
            "final_data": {"report_decision": "confirm", "report_record": CONFIRMED},
        },
        {
            "name": "returned_corrected_and_confirmed",
            "start_data": REPORT_START,
            "operators": [
                "record_field_report_submitted",
                "record_field_report_returned",
                "record_field_report_submitted",
                "record_field_report_confirmed",
            ],
            "user_tasks": ["submit_report", "review_report", "submit_report", "review_report"],
            "timers": [],
            "submissions": {"field_report_review.json": RETURNED_AND_CONFIRMED},
            "final_data": {"report_decision": "confirm", "return_reason": "巡逻次数与台账不符"},
        },
    ],
}
