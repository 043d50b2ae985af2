"""Rank candidates per village by exam score with the policy's priority tie-break.

Policy 三(一)3: "同等条件下，优先招聘退役士兵、见义勇为积极分子和先进个人、警察类或政法类院校毕业生，
以及有一定群众基础的本村（社区）应聘人员".

Interpretation, in order of the sort key:
1. score, highest first ("择优聘用"); "同等条件" is read as an equal exam score (compared exactly, as
   entered);
2. the priority groups, lexicographically in the order the policy lists them: holding the first group
   (retired soldier) beats not holding it whatever else is held; on equality the second group decides, and
   so on. The policy enumerates the groups in this order, and a strict order is auditable where a weighting
   would need numbers the policy does not give;
3. the number of priority groups held, more first (only reachable if a future group list is longer than
   the key in 2; kept so that the key states the intent);
4. the earlier application (applied_at);
5. the lower application id, so that the order is total and the same on every run.
4 and 5 are not in the policy; they only make the result deterministic for equal candidates.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from workflows.rules.eligibility import PRIORITY_GROUP_CODES


@dataclass(frozen=True)
class Candidate:
    """Describe an eligible applicant competing for the posts of one village."""

    application_id: int
    village_code: str
    score: float
    priority: frozenset[str]
    applied_at: datetime

    def __post_init__(self) -> None:
        # An unknown (misspelt) group would silently give no priority.
        unknown = sorted(self.priority - set(PRIORITY_GROUP_CODES))
        if unknown:
            raise ValueError(f"application {self.application_id}: unknown priority groups {unknown}")


def priority_key(candidate: Candidate) -> tuple[int, ...]:
    """Return the priority part of the sort key: one 0/1 per group in policy order, then minus the count.

    Smaller sorts first: 0 means the group is held, and more groups give a more negative last element.
    """
    held = tuple(0 if code in candidate.priority else 1 for code in PRIORITY_GROUP_CODES)
    return (*held, -len(candidate.priority))


def rank_key(candidate: Candidate) -> tuple[float, tuple[int, ...], datetime, int]:
    """Return the full sort key: score descending, priority, application time, application id."""
    return (-candidate.score, priority_key(candidate), candidate.applied_at, candidate.application_id)


def rank(candidates: Iterable[Candidate]) -> dict[str, list[Candidate]]:
    """Group candidates by village and order each group best first."""
    by_village: dict[str, list[Candidate]] = {}
    for candidate in candidates:
        by_village.setdefault(candidate.village_code, []).append(candidate)
    return {code: sorted(group, key=rank_key) for code, group in sorted(by_village.items())}
