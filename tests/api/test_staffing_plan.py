"""Issue 13, point 3: the staffing plan recruits for vacancies (SQLite and PostgreSQL, over HTTP).

The register's posts are a quota (编制); an officer in service fills one, any other status frees it. The
computed plan offers each village its vacancies; the drafter may change a number within the quota, with a
reason; the review shows the plan against the quota and the roster; only the planned posts are recruited.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from service.context import ServiceContext
from service.persistence.models import CampaignModel, InstanceModel, OfficerModel
from service.scheduler import run_once as fire_due_timers
from service.usecases.demo import seed_officers
from tests.api.clean_form_steps import PLAN
from tests.api.grounds_steps import panels, table, values
from tests.api.recruitment_steps import (
    applicant,
    birth_for_age,
    complete,
    publish,
    start_recruitment,
    the_task,
)
from tests.conftest import User
from workflows.ports import ManualClock

# The roster before the campaign: (name, village, status). 涝台村 (quota 1) is filled; 皂埠社区 (quota 2)
# has one of its two; 北海村's officer resigned, which frees the post; 长会口村 (quota 1) has two in service,
# as the second campaign of the issue left some villages.
ROSTER = [
    ("王一", "gs-v04", "in_service"),
    ("王二", "gs-c01", "in_service"),
    ("王三", "gs-v05", "resigned"),
    ("王四", "gs-v06", "in_service"),
    ("王五", "gs-v06", "in_service"),
]
VACANCIES = 46 - 1 - 1 - 1  # 涝台村, one of 皂埠社区's two, 长会口村


def add_officers(ctx: ServiceContext, roster: list[tuple[str, str, str]]) -> None:
    with ctx.database.transaction() as session:
        for number, (name, village, status) in enumerate(roster, start=1):
            town = "gushan" if village.startswith("gs-") else "boyu"
            session.add(
                OfficerModel(
                    name=name,
                    village_code=village,
                    town=town,
                    role="director_assistant",
                    party_member=False,
                    contract_number=f"HT-2025-{number:03d}-{name}",
                    contract_start=date(2025, 1, 1),
                    contract_end=date(2027, 12, 31),
                    status=status,
                    hired_at=ctx.clock.now(),
                )
            )


def draft_plan(bureau: User) -> dict[str, Any]:
    return dict(bureau.get(f"/api/v1/tasks/{the_task(bureau, 'police_bureau', 'draft_plan')['id']}")["data"])


def by_village(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["village_code"]: row for row in plan["posts"]}


def test_the_computed_plan_offers_the_quota_minus_the_officers_in_service(
    users: dict[str, User], ctx: ServiceContext
) -> None:
    add_officers(ctx, ROSTER)
    bureau = users["bureau"]
    start_recruitment(bureau)
    plan = draft_plan(bureau)["plan"]
    assert (plan["total_quota"], plan["total_in_service"]) == (46, 4)
    assert plan["total_vacancies"] == plan["total_posts"] == VACANCIES
    rows = by_village(plan)
    expected = {  # quota, in service, vacancies
        "gs-v04": (1, 1, 0),
        "gs-c01": (2, 1, 1),
        "gs-v05": (1, 0, 1),  # resigned: the post is free again
        "gs-v06": (1, 2, 0),  # over the quota: no vacancy, never a negative one
        "gs-v01": (1, 0, 1),
    }
    for code, (quota, serving, free) in expected.items():
        row = rows[code]
        assert (row["quota"], row["in_service"], row["vacancies"], row["posts"]) == (
            quota,
            serving,
            free,
            free,
        )
        assert len(row["officer_ids"]) == serving and row["adjusted"] is False


def test_a_number_beyond_the_quota_is_refused_beside_its_village(
    users: dict[str, User], ctx: ServiceContext
) -> None:
    add_officers(ctx, ROSTER)
    bureau = users["bureau"]
    start_recruitment(bureau)
    beyond = [
        {"village_code": "gs-v01", "posts": 1},  # its vacancy: no change, no reason needed
        {"village_code": "gs-v04", "posts": 1, "reason": "补充警力"},
        {"village_code": "gs-c01", "posts": 2, "reason": "社区人口增长"},
    ]
    refused = complete(bureau, "police_bureau", "draft_plan", {**PLAN, "planned_posts": beyond}, expect=422)
    assert refused["message"] == "用人计划的调整有误，请按各村（社区）旁的提示修改后重新提交"
    assert refused["message_en"].startswith("The staffing plan's changes are wrong")
    assert set(refused["errors"]) == {"planned_posts.1.posts", "planned_posts.2.posts"}
    assert refused["errors"]["planned_posts.1.posts"] == [
        "涝台村：计划招聘 1 人超出编制（编制 1 个，在岗 1 人，最多可招 0 人）",
        "Laotai Village: 1 to recruit exceeds the quota (1 posts, 1 in service, at most 0)",
    ]
    assert refused["errors"]["planned_posts.2.posts"][0].startswith("皂埠社区：计划招聘 2 人超出编制")
    # Nothing moved on: the draft is still open, the review has nothing.
    the_task(bureau, "police_bureau", "draft_plan")
    assert draft_plan(bureau)["plan"]["total_posts"] == VACANCIES
    negative = [{"village_code": "gs-v01", "posts": -1, "reason": "不招"}]
    refused = complete(bureau, "police_bureau", "draft_plan", {**PLAN, "planned_posts": negative}, expect=422)
    assert list(refused["errors"]) == ["planned_posts.0.posts"]
    unknown = [{"village_code": "nowhere", "posts": 0, "reason": "不招"}]
    refused = complete(bureau, "police_bureau", "draft_plan", {**PLAN, "planned_posts": unknown}, expect=422)
    assert refused["errors"]["planned_posts.0.village_code"][0] == "nowhere 不是本计划中的村（社区）"


def test_a_change_needs_a_reason_and_the_review_shows_it_against_quota_and_roster(
    users: dict[str, User], ctx: ServiceContext
) -> None:
    add_officers(ctx, ROSTER)
    bureau, party, finance = users["bureau"], users["party"], users["finance"]
    start_recruitment(bureau)
    fewer = [{"village_code": "gs-c01", "posts": 0, "reason": "  "}]
    refused = complete(bureau, "police_bureau", "draft_plan", {**PLAN, "planned_posts": fewer}, expect=422)
    assert refused["errors"] == {
        "planned_posts.0.reason": [
            "皂埠社区：计划招聘 0 人与空缺 1 个不同，请填写调整理由",
            "Zaobu Community: 0 to recruit differs from the 1 vacancies; give the reason for the change",
        ]
    }
    fewer[0]["reason"] = "社区警务室已覆盖，暂不增补"
    complete(bureau, "police_bureau", "draft_plan", {**PLAN, "planned_posts": fewer})

    shown = panels(party, the_task(party, "party_affairs", "review_plan")["id"])
    plan = values(shown["plan_table"])
    assert (plan["编制总数"], plan["在岗总数"], plan["空缺总数"]) == ("46", "4", str(VACANCIES))
    assert plan["计划招聘总数"] == str(VACANCIES - 1)
    assert plan["崮山镇计划招聘"] == str(24 - 4)  # 涝台村, 长会口村 and both of 皂埠社区's vacancies gone
    assert plan["调整了计划的村（社区）"] == "1"
    assert plan["新招人员每月工资合计"] == f"{(VACANCIES - 1) * 4200:,} 元"
    assert plan["在岗人数统计时间"].endswith("北京时间")
    rows = table(shown["plan_table"])
    assert ["皂埠社区", "崮山镇", "2", "1", "王二", "1", "0", "社区警务室已覆盖，暂不增补"] in rows
    assert ["长会口村", "崮山镇", "1", "2", "王四、王五", "0", "0", "—"] in rows
    assert ["北海村", "崮山镇", "1", "0", "—", "1", "1", "—"] in rows  # the resigned officer is not counted
    english = table(shown["plan_table"], "en")
    assert english[0][2:] == [
        "Quota",
        "In service",
        "Officers in service",
        "Vacancies",
        "To recruit",
        "Reason for the change",
    ]
    assert ["Changhuikou Village", "Gushan Town", "1", "2", "王四, 王五", "0", "0", "—"] in english

    # Returned and redrafted without a change: every village is back to its vacancies.
    complete(party, "party_affairs", "review_plan", {"decision": "return", "reason": "皂埠社区应按空缺招聘"})
    assert (
        by_village(draft_plan(bureau)["plan"])["gs-c01"]["adjustment_reason"] == "社区警务室已覆盖，暂不增补"
    )
    complete(bureau, "police_bureau", "draft_plan", PLAN)
    complete(party, "party_affairs", "review_plan", {"decision": "approve"})
    funding = values(panels(finance, the_task(finance, "finance", "confirm_funding")["id"])["plan_table"])
    assert funding["计划招聘总数"] == str(VACANCIES) and "调整了计划的村（社区）" not in funding


def test_only_the_planned_posts_are_recruited_and_the_campaign_keeps_its_numbers(
    users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    add_officers(ctx, ROSTER)
    bureau, party, finance = users["bureau"], users["party"], users["finance"]
    today = clock.now().date()
    recruitment = start_recruitment(bureau)
    fewer = [{"village_code": "gs-v01", "posts": 0, "reason": "本年度由邻村辅警兼顾"}]
    complete(bureau, "police_bureau", "draft_plan", {**PLAN, "planned_posts": fewer})
    complete(party, "party_affairs", "review_plan", {"decision": "approve"})
    complete(finance, "finance", "confirm_funding", {"decision": "approve"})
    publish(bureau, today)
    campaign_id = int(bureau.get(f"/api/v1/instances/{recruitment['id']}")["data"]["campaign"]["campaign_id"])
    apply_url = f"/api/v1/campaigns/{campaign_id}/applications"

    # A filled village and a village planned at 0 take no application.
    for serial, village in enumerate(("gs-v04", "gs-v01"), start=1):
        refused = bureau.post(apply_url, applicant(serial, village, birth_for_age(today, 25)), expect=422)
        assert "village_code" in refused["errors"]
    freed = bureau.post(apply_url, applicant(3, "gs-v05", birth_for_age(today, 25)), expect=201)
    clock.advance(timedelta(days=11))
    assert fire_due_timers(ctx) == 1
    complete(
        bureau,
        "police_bureau",
        "enter_exam_scores",
        {"scores": [{"application_id": freed["id"], "score": 80}]},
    )

    with ctx.database.reading() as session:
        hiring = session.scalars(
            select(InstanceModel.business_key).where(InstanceModel.process_id == "post_hiring")
        )
        keys = sorted(hiring)
    assert len(keys) == VACANCIES - 1
    villages = {key.split("/")[1] for key in keys}
    assert {"gs-v04", "gs-v06", "gs-v01"}.isdisjoint(villages)
    assert "2026-recruitment/gs-c01/1" in keys and "2026-recruitment/gs-c01/2" not in keys
    assert "2026-recruitment/gs-v05/1" in keys

    # The roster moves on (北海村 gets an officer); the next campaign counts it, this one keeps its numbers.
    add_officers(ctx, [("赵六", "gs-v05", "in_service")])
    start_recruitment(bureau, key="2027-recruitment")
    assert by_village(draft_plan(bureau)["plan"])["gs-v05"]["vacancies"] == 0
    with ctx.database.reading() as session:
        campaign = session.get(CampaignModel, campaign_id)
        assert campaign is not None
        kept = by_village(campaign.plan)
        assert (kept["gs-v05"]["in_service"], kept["gs-v05"]["vacancies"]) == (0, 1)
        assert kept["gs-v01"]["posts"] == 0 and kept["gs-v01"]["adjustment_reason"] == "本年度由邻村辅警兼顾"
        assert campaign.plan["total_posts"] == VACANCIES - 1
        in_service = session.scalar(
            select(func.count()).select_from(OfficerModel).where(OfficerModel.status == "in_service")
        )
    assert in_service == 5


def test_a_register_without_vacancies_starts_no_campaign_and_a_plan_recruits_someone(
    users: dict[str, User], ctx: ServiceContext
) -> None:
    bureau = users["bureau"]
    start_recruitment(bureau)
    nobody = [
        {"village_code": row["village_code"], "posts": 0, "reason": "暂缓"}
        for row in draft_plan(bureau)["plan"]["posts"]
    ]
    refused = complete(bureau, "police_bureau", "draft_plan", {**PLAN, "planned_posts": nobody}, expect=422)
    assert refused["errors"] == {
        "planned_posts": [
            "计划招聘总数为 0：至少要为一个空缺岗位招聘",
            "Nothing to recruit: plan at least one vacant post",
        ]
    }

    # Every post filled (the demo's roster, one officer per post): the start is refused, nothing started.
    with ctx.database.transaction() as session:
        assert seed_officers(ctx, session) == 46
    head = User(bureau.client, "bureau_head")
    body = {
        "process_id": "recruitment",
        "business_key": "2027-recruitment",
        "data": {"subject": "2027年农村辅警招聘"},
    }
    response = head.client.post("/api/v1/instances", json=body, headers=head._headers())
    assert response.status_code == 422, response.get_json()
    answer = response.get_json()
    assert answer["message"] == "编制 46 个已全部有辅警在岗（在岗 46 人），没有空缺岗位，无需启动招聘"
    assert answer["message_en"].startswith("All 46 posts of the quota are filled (46 officers in service)")
    with ctx.database.reading() as session:
        keys = set(
            session.scalars(
                select(InstanceModel.business_key).where(InstanceModel.process_id == "recruitment")
            )
        )
    assert keys == {"2026-recruitment"}
