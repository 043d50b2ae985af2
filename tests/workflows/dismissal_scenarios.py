"""Bundled-model scenarios of bpmn/dismissal/ (issue 17, point 1): a breach reported, reviewed, dismissed
with the town's opinion, served and the contract ended; a referral the review does not propose; one the head
decides not to dismiss; and the appraisal's case (two incompetent grades), which skips the review. Kept
apart from test_bundled_models.py, which merges them, so that its shared tables stay short."""

from __future__ import annotations

from typing import Any

BREACH_START = {
    "officer_id": 1,
    "category": "serious_breach",
    "facts": "值班期间饮酒滋事",
    "found_on": "2026-11-20",
}
APPRAISAL_CASE_START = {
    "officer_id": 1,
    "category": "incompetent",
    "facts": "2026-11 月度考核（流程 7）清退审查结论为清退：近12个月两次考核不称职",
}
CASE = {
    "case_id": 1,
    "officer_name": "王五",
    "village_code": "371002001",
    "village_name": "东村",
    "town": "zhangcun",
    "reported_by": "zhangcun_station",
    "subject": "王五（东村）",
}
DISMISSED = {
    "outcome": "dismissed",
    "decided_on": "2026-12-10",
    "left_on": "2026-12-09",
    "rehire_barred": True,
    "grounds": "严重违纪，依规清退",
}

OPERATOR_RESULTS: dict[str, Any] = {
    "open_dismissal_case": CASE,
    "record_dismissal": DISMISSED,
    "start_dismissal": {"started": True, "instance_id": 3},
}

SUBMISSIONS: dict[str, Any] = {
    "dismissal_bureau_review.json": {"propose": True, "review_opinion": "事实清楚，提请清退"},
    "dismissal_town_opinion.json": {"town_agrees": True, "town_opinion": "同意清退"},
    "dismissal_decision.json": {"dismiss": True, "decision_reason": "严重违纪，依规清退"},
    "dismissal_notice.json": {"notified_on": "2026-12-08", "notice_method": "in_person"},
    "dismissal_contract_end.json": {"contract_ended_on": "2026-12-09"},
}

DISMISSAL_STEPS = ["town_opinion", "decide_dismissal", "notify_officer", "end_contract"]
SCENARIOS: dict[str, list[dict[str, Any]]] = {
    "dismissal": [
        {
            "name": "breach_reviewed_dismissed_served_contract_ended",
            "start_data": BREACH_START,
            "operators": ["open_dismissal_case", "record_dismissal"],
            "user_tasks": ["bureau_review", *DISMISSAL_STEPS],
            "timers": [],
            "final_data": {
                "town": "zhangcun",
                "proposed_by": "zhangcun_station",
                "dismissal_record": DISMISSED,
            },
        },
        {
            "name": "review_does_not_propose",
            "start_data": BREACH_START,
            "operators": ["open_dismissal_case", "record_dismissal"],
            "user_tasks": ["bureau_review"],
            "timers": [],
            "submissions": {"dismissal_bureau_review.json": {"propose": False, "review_opinion": "情节轻微"}},
            "final_data": {"propose": False},
        },
        {
            "name": "head_decides_to_keep",
            "start_data": BREACH_START,
            "operators": ["open_dismissal_case", "record_dismissal"],
            "user_tasks": ["bureau_review", "town_opinion", "decide_dismissal"],
            "timers": [],
            "submissions": {
                "dismissal_decision.json": {"dismiss": False, "decision_reason": "给予警告，留用"}
            },
            "final_data": {"dismiss": False},
        },
        {
            "name": "appraisal_case_skips_the_review",
            "start_data": APPRAISAL_CASE_START,
            "operators": ["open_dismissal_case", "record_dismissal"],
            "user_tasks": DISMISSAL_STEPS,
            "timers": [],
            "final_data": {"dismissal_record": DISMISSED},
        },
    ],
}
