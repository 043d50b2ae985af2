"""Appraisal grading rules the sub-bureau's confirmation must respect, and the annual summary grade.

The monthly suggestion itself is a DMN table (bpmn/appraisal/appraisal_grade.dmn) so designers can change
weights and thresholds; what stays here are the limits on the sub-bureau's adjustment and the veto, which
the policy fixes: the town government's one-vote veto over promotion, rewards and discipline (三(三)(2)).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

GRADES = ("excellent", "competent", "basically_competent", "incompetent")
GRADE_LABELS = {
    "excellent": "优秀",
    "competent": "称职",
    "basically_competent": "基本称职",
    "incompetent": "不称职",
}
GRADE_LABELS_EN = {
    "excellent": "excellent",
    "competent": "competent",
    "basically_competent": "basically competent",
    "incompetent": "incompetent",
}
PROMOTION_LABELS = {"promote": "晋升一级", "keep": "保持", "demote": "降低一级"}
# The sub-bureau may move a suggested grade by at most this many steps.
MAX_ADJUSTMENT_STEPS = 1


@dataclass(frozen=True)
class Confirmation:
    grade: str
    promotion_level: str
    reward: bool


class Problem(NamedTuple):
    """Why a confirmation breaks a rule, in Chinese and in English."""

    zh: str
    en: str


def confirmation_problems(suggested: str, veto: bool, confirmation: Confirmation) -> list[Problem]:
    """Return why a confirmation breaks the rules; empty when it is allowed."""
    problems = []
    if veto and confirmation.promotion_level == "promote":
        problems.append(
            Problem(
                "镇政府已行使一票否决权：本月不得晋升等级",
                "The town government vetoed this month: no promotion is allowed",
            )
        )
    if veto and confirmation.reward:
        problems.append(
            Problem(
                "镇政府已行使一票否决权：本月不得给予奖励",
                "The town government vetoed this month: no reward is allowed",
            )
        )
    steps = abs(GRADES.index(confirmation.grade) - GRADES.index(suggested))
    if steps > MAX_ADJUSTMENT_STEPS:
        problems.append(
            Problem(
                f"考核等次只能在建议等次（{GRADE_LABELS[suggested]}）上下调整一档，"
                f"不能确定为“{GRADE_LABELS[confirmation.grade]}”",
                f"The grade may differ from the suggested one ({GRADE_LABELS_EN[suggested]}) by one step "
                f"at most, so it cannot be {GRADE_LABELS_EN[confirmation.grade]}",
            )
        )
    if confirmation.promotion_level == "promote" and confirmation.grade != "excellent":
        problems.append(
            Problem("只有考核等次为“优秀”时才能晋升等级", "Only an excellent grade allows a promotion")
        )
    if confirmation.reward and confirmation.grade not in ("excellent", "competent"):
        problems.append(
            Problem(
                "考核等次为“基本称职”或“不称职”时不能给予奖励",
                "No reward with a grade of basically competent or incompetent",
            )
        )
    return problems


def incompetent_in_last(grades_newest_first: Sequence[str | None], months: int = 12) -> int:
    """Count incompetent months among the newest ``months`` calendar months (None: not appraised)."""
    return sum(1 for grade in grades_newest_first[:months] if grade == "incompetent")


def excellent_streak(grades_newest_first: Sequence[str | None]) -> int:
    """Count consecutive excellent calendar months, newest first; a month without a record ends it."""
    streak = 0
    for grade in grades_newest_first:
        if grade != "excellent":
            break
        streak += 1
    return streak


def annual_grade(grades: Sequence[str]) -> str | None:
    """Summarise a year of monthly grades; None when no month was appraised.

    Our reading (the policy leaves the annual rule to the sub-bureau's management rules): two or more
    incompetent months make the year incompetent; at least half the appraised months excellent and none
    below competent make it excellent; at least three quarters competent or better make it competent;
    otherwise basically competent.
    """
    if not grades:
        return None
    counts = {grade: grades.count(grade) for grade in GRADES}
    total = len(grades)
    if counts["incompetent"] >= 2:
        return "incompetent"
    if counts["excellent"] * 2 >= total and counts["basically_competent"] + counts["incompetent"] == 0:
        return "excellent"
    if (counts["excellent"] + counts["competent"]) * 4 >= total * 3:
        return "competent"
    return "basically_competent"
