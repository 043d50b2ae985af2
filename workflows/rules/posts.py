"""Allocate auxiliary-police posts (编制) to villages and communities from the village register.

Policy 二、工作目标: "原则上每个行政村（社区）设1名辅警，1000户以上的皂埠社区、龙山湖社区、逍遥社区
增设1名辅警，泊于镇临时设立的海林社区虽然不是正式建制的社区，但考虑到其辖区居民达到500余户、
九小场所较多的情况，设1名辅警。"

The rule is applied to the register's data (kind, households, flag), never to a list of names, so a change
in the register (a community growing past the threshold) changes the allocation without a code change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal, get_args

VillageKind = Literal["village", "community", "provisional_community"]
VILLAGE_KINDS: Final[tuple[str, ...]] = get_args(VillageKind)

# 二、工作目标 "原则上每个行政村（社区）设1名辅警".
POSTS_PER_VILLAGE: Final = 1
# 二、工作目标 "1000户以上的……社区增设1名辅警". Read as strictly more than 1,000 households: the three named
# communities are all well above it, and a community of exactly 1,000 is not "above" a round threshold.
LARGE_COMMUNITY_HOUSEHOLDS: Final = 1000
LARGE_COMMUNITY_EXTRA_POSTS: Final = 1
# 二、工作目标 海林社区 "辖区居民达到500余户、九小场所较多": both conditions, 500 households inclusive.
PROVISIONAL_MIN_HOUSEHOLDS: Final = 500
PROVISIONAL_POSTS: Final = 1

REASON_BASE: Final = "每个行政村（社区）设1名辅警"
REASON_LARGE: Final = "1000户以上社区增设1名"
REASON_PROVISIONAL: Final = "临时社区500户以上且九小场所较多，设1名"
REASON_PROVISIONAL_SMALL: Final = "临时社区不足500户，不设辅警"
REASON_PROVISIONAL_FEW_VENUES: Final = "临时社区九小场所不多，不设辅警"


@dataclass(frozen=True)
class Village:
    """Describe one entry of the village register (行政村, 社区 or 临时社区)."""

    code: str
    name_zh: str
    name_en: str
    town: str
    kind: VillageKind
    households: int
    many_small_venues: bool = False

    def __post_init__(self) -> None:
        # Fail at load time: a typo in the register's kind would otherwise silently give 0 posts.
        if self.kind not in VILLAGE_KINDS:
            raise ValueError(f"{self.code}: unknown village kind {self.kind!r}")
        if self.households < 0:
            raise ValueError(f"{self.code}: households must not be negative")


@dataclass(frozen=True)
class PostAllocation:
    """Record how many posts one village gets and why (reasons in Chinese, for the staffing plan)."""

    village_code: str
    village_name: str
    town: str
    posts: int
    reasons: tuple[str, ...]


def allocate_one(village: Village) -> PostAllocation:
    """Compute the posts of one village under policy 二、工作目标."""
    posts = 0
    reasons: list[str] = []
    if village.kind in ("village", "community"):
        posts += POSTS_PER_VILLAGE
        reasons.append(REASON_BASE)
        if village.kind == "community" and village.households > LARGE_COMMUNITY_HOUSEHOLDS:
            posts += LARGE_COMMUNITY_EXTRA_POSTS
            reasons.append(REASON_LARGE)
    elif village.households < PROVISIONAL_MIN_HOUSEHOLDS:
        reasons.append(REASON_PROVISIONAL_SMALL)
    elif not village.many_small_venues:
        reasons.append(REASON_PROVISIONAL_FEW_VENUES)
    else:
        posts += PROVISIONAL_POSTS
        reasons.append(REASON_PROVISIONAL)
    return PostAllocation(village.code, village.name_zh, village.town, posts, tuple(reasons))


def allocate_posts(villages: Iterable[Village]) -> list[PostAllocation]:
    """Allocate posts to every village of the register, in register order (zero-post entries included)."""
    allocations: list[PostAllocation] = []
    seen: set[str] = set()
    for village in villages:
        # A duplicated code would double-count posts in the staffing plan.
        if village.code in seen:
            raise ValueError(f"duplicate village code {village.code!r}")
        seen.add(village.code)
        allocations.append(allocate_one(village))
    return allocations


def total_posts(allocations: Iterable[PostAllocation]) -> int:
    """Sum the posts of a list of allocations."""
    return sum(a.posts for a in allocations)


def village_from_dict(data: Mapping[str, Any]) -> Village:
    """Build a Village from one register entry (a JSON object with the Village field names)."""
    return Village(
        code=str(data["code"]),
        name_zh=str(data["name_zh"]),
        name_en=str(data["name_en"]),
        town=str(data["town"]),
        kind=data["kind"],
        households=int(data["households"]),
        many_small_venues=bool(data.get("many_small_venues", False)),
    )


def parse_register(document: Mapping[str, Any]) -> list[Village]:
    """Parse a village register document ({"towns": [...], "villages": [...]}) into Villages."""
    towns = {str(t["code"]) for t in document.get("towns", [])}
    villages = [village_from_dict(v) for v in document["villages"]]
    # Tasks are routed to police_station:<town> / town_gov:<town>, so an unknown town would strand them.
    for village in villages:
        if towns and village.town not in towns:
            raise ValueError(f"{village.code}: unknown town {village.town!r}")
    return villages


# --- the staffing plan: the quota, the posts filled, the vacancies a campaign recruits for ----------------
# The posts above are a staffing quota (编制). A post is filled by an officer in service; a campaign recruits
# for the vacancies, and the drafter may plan fewer (or, after a vacancy counted elsewhere, up to the quota)
# with a reason.


def vacancies(quota: int, in_service: int) -> int:
    """The posts of a quota left to recruit for: never negative (a village over its quota has none)."""
    return max(0, quota - in_service)


@dataclass(frozen=True)
class PlanProblem:
    """Why one submitted adjustment (``index`` in the submitted list) is refused, and on which field.

    ``kind``: ``unknown_village``, ``repeated``, ``over_quota`` or ``reason_missing``; the service words it.
    """

    index: int
    field: str
    kind: str
    village_code: str
    planned: int = 0
    quota: int = 0
    in_service: int = 0


def check_adjustments(
    rows: Sequence[Mapping[str, Any]], adjustments: Sequence[Mapping[str, Any]]
) -> list[PlanProblem]:
    """What is wrong with the drafter's numbers: each must name a village of the plan once, keep
    planned + in service within the quota, and give a reason where it differs from the vacancies."""
    by_code = {str(row["village_code"]): row for row in rows}
    problems: list[PlanProblem] = []
    seen: set[str] = set()
    for index, item in enumerate(adjustments):
        code = str(item.get("village_code", ""))
        row = by_code.get(code)
        if row is None:
            problems.append(PlanProblem(index, "village_code", "unknown_village", code))
            continue
        if code in seen:
            problems.append(PlanProblem(index, "village_code", "repeated", code))
            continue
        seen.add(code)
        planned, quota, in_service = int(item["posts"]), int(row["quota"]), int(row["in_service"])
        if planned > vacancies(quota, in_service):  # planned + in service beyond the quota
            problems.append(PlanProblem(index, "posts", "over_quota", code, planned, quota, in_service))
        elif planned != int(row["vacancies"]) and not str(item.get("reason") or "").strip():
            problems.append(PlanProblem(index, "reason", "reason_missing", code, planned, quota, in_service))
    return problems


def apply_adjustments(
    rows: Sequence[Mapping[str, Any]], adjustments: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """The plan's rows with the drafter's numbers (checked by ``check_adjustments``): a village left out
    keeps its vacancies; a number equal to the vacancies is no adjustment and keeps no reason."""
    given = {str(item["village_code"]): item for item in adjustments}
    planned_rows = []
    for row in rows:
        item = given.get(str(row["village_code"]))
        planned = int(item["posts"]) if item is not None else int(row["vacancies"])
        adjusted = planned != int(row["vacancies"])
        reason = str(item.get("reason") or "").strip() if item is not None and adjusted else ""
        planned_rows.append({**row, "posts": planned, "adjusted": adjusted, "adjustment_reason": reason})
    return planned_rows


def plan_totals(rows: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """The plan's totals: the quota, the officers in service, the vacancies and the posts to recruit."""
    listed = list(rows)
    return {
        "total_quota": sum(int(row["quota"]) for row in listed),
        "total_in_service": sum(int(row["in_service"]) for row in listed),
        "total_vacancies": sum(int(row["vacancies"]) for row in listed),
        "total_posts": sum(int(row["posts"]) for row in listed),
    }
