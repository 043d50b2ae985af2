"""Bundled-model scenarios of bpmn/payroll/ (issue 17, point 8): a payroll that matches and is confirmed,
one sent back by the check and corrected, one Finance sends back. Kept apart from test_bundled_models.py,
which merges them, so that its shared tables stay short."""

from __future__ import annotations

from typing import Any

ROW = {
    "officer_id": 1,
    "wage": 3600,
    "pension": 576,
    "medical": 324,
    "unemployment": 28.8,
    "work_injury": 14.4,
    "maternity": 28.8,
    "housing_fund": 432,
    "awards": 0,
}
STANDARD = {key: value for key, value in ROW.items() if key not in ("officer_id", "awards")} | {
    "award_max": 1000
}
MATCHES = {
    "ok": True,
    "month": "2026-11",
    "rows": [
        {
            "row": 1,
            "officer_id": 1,
            "name": "王五",
            "village_name": "东村",
            "village_name_en": "Dongcun",
            "problems": [],
            "problems_en": [],
        }
    ],
    "mismatched": 0,
    "missing": [],
    "without_undertaking": [],
    "expected": 1,
    "listed": 1,
    "totals": {key: value for key, value in ROW.items() if key != "officer_id"},
    "total": 5004.0,
    "checked_at": "2026-12-01T10:00:00+08:00",
}
OFF = {**MATCHES, "ok": False, "mismatched": 1}

OPERATOR_RESULTS: dict[str, Any] = {
    "open_payroll": {"month": "2026-11", "standard": STANDARD, "opened_by": "company"},
    "check_payroll": MATCHES,
    "record_payroll": {"month": "2026-11", "officers": 1, "total": 5004.0, "confirmed_on": "2026-12-02"},
}

SUBMISSIONS: dict[str, Any] = {
    "payroll_submission.json": {"rows": [ROW]},
    "payroll_confirmation.json": {"confirm": True},
}

SCENARIOS: dict[str, list[dict[str, Any]]] = {
    "payroll": [
        {
            "name": "matches_and_confirmed",
            "start_data": {"month": "2026-11"},
            "operators": ["open_payroll", "check_payroll", "record_payroll"],
            "user_tasks": ["submit_payroll", "confirm_payroll"],
            "timers": [],
            "final_data": {"payroll_record": OPERATOR_RESULTS["record_payroll"]},
        },
        {
            "name": "sent_back_by_the_check_then_corrected",
            "start_data": {"month": "2026-11"},
            "operator_results": {"check_payroll": [OFF, MATCHES]},
            "operators": ["open_payroll", "check_payroll", "check_payroll", "record_payroll"],
            "user_tasks": ["submit_payroll", "submit_payroll", "confirm_payroll"],
            "timers": [],
            "final_data": {"payroll_check": MATCHES},
        },
        {
            "name": "sent_back_by_finance",
            "start_data": {"month": "2026-11"},
            "operators": ["open_payroll", "check_payroll", "check_payroll", "record_payroll"],
            "user_tasks": ["submit_payroll", "confirm_payroll", "submit_payroll", "confirm_payroll"],
            "timers": [],
            "submissions": {
                "payroll_confirmation.json": [
                    {"confirm": False, "finance_remarks": "请附银行回单"},
                    {"confirm": True},
                ]
            },
            "final_data": {"confirm": True},
        },
    ],
}
