"""Test the framework-free domain rules: post allocation, screening inputs and ranking."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from workflows.rules.eligibility import (
    DISQUALIFIER_CODES,
    DISQUALIFIERS,
    EDUCATION_CODES,
    PRIORITY_GROUP_CODES,
    age_on,
    age_relaxed,
    screening_inputs,
)
from workflows.rules.posts import (
    REASON_BASE,
    REASON_LARGE,
    REASON_PROVISIONAL,
    Village,
    allocate_posts,
    parse_register,
    total_posts,
)
from workflows.rules.ranking import Candidate, priority_key, rank

DATA = Path(__file__).resolve().parents[2] / "service" / "data"


def load_json(name: str) -> dict[str, Any]:
    """Read one of the service's data files."""
    result: dict[str, Any] = json.loads((DATA / name).read_text(encoding="utf-8"))
    return result


# --- posts ---------------------------------------------------------------------------------------


def test_register_counts_match_policy() -> None:
    villages = parse_register(load_json("villages.json"))
    kinds = [v.kind for v in villages]
    assert len(villages) == 43
    assert kinds.count("village") == 30
    assert kinds.count("community") == 12
    assert kinds.count("provisional_community") == 1
    assert {v.town for v in villages} == {"gushan", "boyu"}


def test_register_gives_46_posts() -> None:
    allocations = allocate_posts(parse_register(load_json("villages.json")))
    assert total_posts(allocations) == 46
    by_name = {a.village_name: a for a in allocations}
    for big in ("皂埠社区", "龙山湖社区", "逍遥社区"):
        assert by_name[big].posts == 2
        assert by_name[big].reasons == (REASON_BASE, REASON_LARGE)
    assert by_name["海林社区"].posts == 1
    assert by_name["海林社区"].town == "boyu"
    assert by_name["海林社区"].reasons == (REASON_PROVISIONAL,)
    # 42 ordinary posts + 3 extra + 1 provisional: only the three big communities get more than one.
    assert sorted(a.village_name for a in allocations if a.posts == 2) == sorted(
        ["皂埠社区", "龙山湖社区", "逍遥社区"]
    )
    assert all(a.posts >= 1 for a in allocations)


def make_village(kind: str, households: int, venues: bool = False) -> Village:
    return Village("x-01", "测试", "Test", "boyu", kind, households, venues)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("households", "venues", "posts"),
    [(499, True, 0), (500, True, 1), (530, False, 0), (2000, False, 0), (530, True, 1)],
)
def test_provisional_community_needs_500_households_and_venues(
    households: int, venues: bool, posts: int
) -> None:
    [allocation] = allocate_posts([make_village("provisional_community", households, venues)])
    assert allocation.posts == posts
    assert len(allocation.reasons) == 1
    if posts == 0:
        assert "不设辅警" in allocation.reasons[0]


@pytest.mark.parametrize(("households", "posts"), [(1000, 1), (1001, 2), (600, 1)])
def test_community_extra_post_strictly_above_1000(households: int, posts: int) -> None:
    [allocation] = allocate_posts([make_village("community", households)])
    assert allocation.posts == posts


def test_village_gets_one_post_whatever_its_size() -> None:
    [allocation] = allocate_posts([make_village("village", 5000, True)])
    assert allocation.posts == 1
    assert allocation.reasons == (REASON_BASE,)


def test_register_errors_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown village kind"):
        make_village("hamlet", 100)
    with pytest.raises(ValueError, match="duplicate"):
        allocate_posts([make_village("village", 100), make_village("village", 200)])


def test_departments_file() -> None:
    departments = load_json("departments.json")["departments"]
    codes = {d["code"] for d in departments}
    assert codes == set(
        "admin_committee party_affairs finance social_work science_tech police_bureau service_company"
        " police_station:gushan police_station:boyu town_gov:gushan town_gov:boyu".split()
    )
    for d in departments:
        assert d["name_zh"] and d["name_en"] and d["kind"]
        if ":" in d["code"]:
            assert d["code"] == f"{d['kind']}:{d['town']}"


# --- eligibility inputs --------------------------------------------------------------------------


def test_age_on_birthday_boundaries() -> None:
    born = date(1996, 6, 15)
    assert age_on(born, date(2026, 6, 14)) == 29
    assert age_on(born, date(2026, 6, 15)) == 30
    assert age_on(born, date(2026, 6, 16)) == 30
    assert age_on(born, date(1996, 6, 15)) == 0


def test_age_on_leap_day_birthday() -> None:
    born = date(2000, 2, 29)
    assert age_on(born, date(2018, 2, 28)) == 17
    assert age_on(born, date(2018, 3, 1)) == 18
    assert age_on(born, date(2020, 2, 28)) == 19
    assert age_on(born, date(2020, 2, 29)) == 20


def test_age_on_rejects_day_before_birth() -> None:
    with pytest.raises(ValueError):
        age_on(date(2000, 1, 2), date(2000, 1, 1))


@pytest.mark.parametrize(
    ("applicant", "expected"),
    [
        ({}, False),
        (
            {
                "related_experience": False,
                "special_skills": False,
                "professional_skills": False,
                "military_service": False,
            },
            False,
        ),
        ({"related_experience": True}, True),
        ({"special_skills": True}, True),
        ({"professional_skills": "电工证"}, True),
        ({"military_service": True, "related_experience": False}, True),
    ],
)
def test_age_relaxed(applicant: dict[str, Any], expected: bool) -> None:
    assert age_relaxed(applicant) is expected


def applicant(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "birth_date": "1990-03-10",
        "nationality": "cn",
        "weihai_residence": True,
        "education": "associate",
        "healthy": True,
        "good_conduct": True,
        "related_experience": False,
        "special_skills": False,
        "professional_skills": False,
        "military_service": True,
        "disqualifiers": ["bad_credit", "criminal_record", "bad_credit"],
    }
    base.update(overrides)
    return base


def test_screening_inputs_builds_dmn_input() -> None:
    inputs = screening_inputs(applicant(), date(2026, 3, 9))
    assert inputs == {
        "age": 35,
        "age_relaxed": True,
        "nationality": "CN",
        "weihai_residence": True,
        "education": "associate",
        "healthy": True,
        "good_conduct": True,
        "meets_post_requirements": True,
        "disqualifiers": ["criminal_record", "bad_credit"],
    }
    assert screening_inputs(applicant(), date(2026, 3, 10))["age"] == 36


def test_screening_inputs_defaults_and_overrides() -> None:
    raw = applicant(military_service=False, meets_post_requirements=False)
    del raw["disqualifiers"], raw["healthy"]
    inputs = screening_inputs(raw, date(2026, 1, 1))
    assert inputs["age_relaxed"] is False
    assert inputs["meets_post_requirements"] is False
    assert inputs["healthy"] is False
    assert inputs["disqualifiers"] == []


@pytest.mark.parametrize(
    "overrides",
    [
        {"education": "kindergarten"},
        {"disqualifiers": ["speeding"]},
        {"disqualifiers": "bad_credit"},
        {"healthy": "false"},
        {"nationality": ""},
        {"birth_date": "10/03/1990"},
    ],
)
def test_screening_inputs_rejects_bad_values(overrides: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        screening_inputs(applicant(**overrides), date(2026, 1, 1))


def test_code_lists_follow_design() -> None:
    assert DISQUALIFIER_CODES == tuple(
        "illegal_organisation family_criminal criminal_record harmful_speech drugs_prostitution_gambling"
        " detention licence_revoked dismissed left_contract_early bad_credit abroad_six_months"
        " other_legal_bar".split()
    )
    assert all(zh and en for _code, zh, en in DISQUALIFIERS)
    assert EDUCATION_CODES == tuple(
        "below_high_school high_school vocational associate bachelor master doctorate".split()
    )
    assert PRIORITY_GROUP_CODES == ("retired_soldier", "honoured", "police_or_law_graduate", "local_resident")


# --- ranking -------------------------------------------------------------------------------------

T0 = datetime(2026, 5, 1, 9, 0)


def cand(app_id: int, score: float, *groups: str, village: str = "gs-v01", minutes: int = 0) -> Candidate:
    return Candidate(app_id, village, score, frozenset(groups), T0 + timedelta(minutes=minutes))


def ids(candidates: list[Candidate]) -> list[int]:
    return [c.application_id for c in candidates]


def test_rank_orders_by_score_per_village() -> None:
    ranking = rank(
        [
            cand(1, 70.0, "retired_soldier"),
            cand(2, 88.5),
            cand(3, 79.0, village="by-c01"),
            cand(4, 91.0, village="by-c01"),
            cand(5, 80.0),
        ]
    )
    assert set(ranking) == {"gs-v01", "by-c01"}
    assert ids(ranking["gs-v01"]) == [2, 5, 1]
    assert ids(ranking["by-c01"]) == [4, 3]


def test_tie_decided_by_retired_soldier() -> None:
    # The retired soldier applied later and holds fewer groups, yet the first policy group decides.
    ranking = rank(
        [
            cand(1, 85.0, "honoured", "police_or_law_graduate", "local_resident"),
            cand(2, 85.0, "retired_soldier", minutes=60),
        ]
    )
    assert ids(ranking["gs-v01"]) == [2, 1]


def test_tie_decided_by_later_group() -> None:
    ranking = rank(
        [
            cand(1, 85.0, "retired_soldier"),
            cand(2, 85.0, "retired_soldier", "local_resident", minutes=30),
            cand(3, 85.0, "retired_soldier", "police_or_law_graduate", minutes=60),
        ]
    )
    assert ids(ranking["gs-v01"]) == [3, 2, 1]


def test_full_tie_decided_by_application_time_then_id() -> None:
    ranking = rank(
        [
            cand(7, 85.0, "honoured", minutes=10),
            cand(3, 85.0, "honoured", minutes=20),
            cand(9, 85.0, "honoured", minutes=10),
        ]
    )
    assert ids(ranking["gs-v01"]) == [7, 9, 3]


def test_priority_key_and_unknown_group() -> None:
    assert priority_key(cand(1, 1.0, "retired_soldier", "local_resident")) == (0, 1, 1, 0, -2)
    assert priority_key(cand(1, 1.0)) == (1, 1, 1, 1, 0)
    with pytest.raises(ValueError, match="unknown priority groups"):
        cand(1, 1.0, "veteran")
