"""The staffing plan's rules (workflows/rules/posts.py): vacancies from the quota and the officers in service,
the drafter's changes within the quota, each with a reason."""

from __future__ import annotations

from typing import Any

import pytest

from workflows.rules.posts import apply_adjustments, check_adjustments, plan_totals, vacancies


def row(code: str, quota: int, in_service: int) -> dict[str, Any]:
    free = vacancies(quota, in_service)
    return {"village_code": code, "quota": quota, "in_service": in_service, "vacancies": free, "posts": free}


ROWS = [row("a", 1, 1), row("b", 2, 1), row("c", 1, 0), row("d", 1, 2)]


@pytest.mark.parametrize(
    ("quota", "in_service", "free"), [(1, 0, 1), (2, 1, 1), (1, 1, 0), (1, 2, 0), (0, 0, 0)]
)
def test_vacancies_are_the_quota_left_and_never_negative(quota: int, in_service: int, free: int) -> None:
    assert vacancies(quota, in_service) == free


def test_numbers_within_the_quota_with_reasons_pass() -> None:
    given = [{"village_code": "b", "posts": 0, "reason": "暂缓"}, {"village_code": "c", "posts": 1}]
    assert check_adjustments(ROWS, given) == []
    planned = {r["village_code"]: r for r in apply_adjustments(ROWS, given)}
    assert (planned["b"]["posts"], planned["b"]["adjusted"], planned["b"]["adjustment_reason"]) == (
        0,
        True,
        "暂缓",
    )
    assert (planned["c"]["posts"], planned["c"]["adjusted"], planned["c"]["adjustment_reason"]) == (
        1,
        False,
        "",
    )
    assert planned["a"]["posts"] == 0 and planned["d"]["posts"] == 0  # left out: their vacancies
    assert plan_totals(planned.values()) == {
        "total_quota": 5,
        "total_in_service": 4,
        "total_vacancies": 2,
        "total_posts": 1,
    }


def test_each_problem_names_its_row_field_and_kind() -> None:
    given = [
        {"village_code": "a", "posts": 1, "reason": "补充"},  # 1 + 1 > quota 1
        {"village_code": "d", "posts": 1, "reason": "补充"},  # over the quota already: nothing more
        {"village_code": "b", "posts": 0, "reason": " "},  # a change without a reason
        {"village_code": "b", "posts": 1},  # the same village again
        {"village_code": "x", "posts": 0},  # not in the plan
    ]
    found = [(p.index, p.field, p.kind) for p in check_adjustments(ROWS, given)]
    assert found == [
        (0, "posts", "over_quota"),
        (1, "posts", "over_quota"),
        (2, "reason", "reason_missing"),
        (3, "village_code", "repeated"),
        (4, "village_code", "unknown_village"),
    ]


def test_a_number_back_at_the_vacancies_is_no_change_and_keeps_no_reason() -> None:
    planned = apply_adjustments(ROWS, [{"village_code": "b", "posts": 1, "reason": "原因"}])
    assert planned[1]["adjusted"] is False and planned[1]["adjustment_reason"] == ""
