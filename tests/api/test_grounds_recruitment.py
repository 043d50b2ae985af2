"""Issue 11, point 2: each recruitment task shows the grounds of its decision beside its form (SQLite and
PostgreSQL): the plan for the review and the funding, the return on a redraft, the candidate and the
candidates already rejected for the vetting, the hired person for the contract."""

from __future__ import annotations

from datetime import timedelta

from service.context import ServiceContext
from service.scheduler import run_once as fire_due_timers
from tests.api.clean_form_steps import PLAN, RETURN_REASON, first_candidate_failed, next_vetting
from tests.api.grounds_steps import panels, table, two_candidates_ranked, values
from tests.api.recruitment_steps import complete, start_recruitment, the_task
from tests.conftest import User
from workflows.ports import ManualClock


def test_plan_review_and_funding_show_the_plan_with_its_cost(users: dict[str, User]) -> None:
    bureau, party, finance = users["bureau"], users["party"], users["finance"]
    start_recruitment(bureau)
    complete(bureau, "police_bureau", "draft_plan", PLAN)
    review = the_task(party, "party_affairs", "review_plan")
    shown = panels(party, review["id"])
    assert list(shown) == ["plan_table"]
    plan = values(shown["plan_table"])
    assert plan["计划名称"] == "2026年农村辅警招聘计划"
    # Nobody in service yet: the whole quota is vacant and recruited for.
    assert plan["编制总数"] == "46" and plan["在岗总数"] == "0" and plan["空缺总数"] == "46"
    assert plan["崮山镇计划招聘"] == "24" and plan["泊于镇计划招聘"] == "22"
    assert plan["计划招聘总数"] == "46"
    assert plan["月薪标准（元）"] == "4,200 元"
    assert plan["新招人员每月工资合计"] == "193,200 元"  # 46 posts x 4,200
    assert plan["新招人员全年工资合计"] == "2,318,400 元"
    assert "调整了计划的村（社区）" not in plan
    rows = table(shown["plan_table"])
    assert rows[0] == ["村（社区）", "所属镇", "编制", "在岗", "在岗人员", "空缺", "计划招聘", "调整理由"]
    assert ["崮山后村", "崮山镇", "1", "0", "—", "1", "1", "—"] in rows
    english = values(shown["plan_table"], "en")
    assert english["Yearly wages of those recruited"] == "2,318,400 yuan"
    assert english["To recruit in Gushan Town"] == "24"
    assert ["Gushanhou Village", "Gushan Town", "1", "0", "—", "1", "1", "—"] in table(
        shown["plan_table"], "en"
    )
    complete(party, "party_affairs", "review_plan", {"decision": "approve"})
    funding = panels(finance, the_task(finance, "finance", "confirm_funding")["id"])
    assert values(funding["plan_table"]) == plan


def test_a_redraft_shows_who_returned_the_plan_when_and_why(
    users: dict[str, User], clock: ManualClock
) -> None:
    bureau, party = users["bureau"], users["party"]
    start_recruitment(bureau)
    assert panels(bureau, the_task(bureau, "police_bureau", "draft_plan")["id"]) == {}  # first pass: nothing
    complete(bureau, "police_bureau", "draft_plan", PLAN)
    clock.advance(timedelta(hours=2))
    returned_at = clock.now()
    complete(party, "party_affairs", "review_plan", {"decision": "return", "reason": RETURN_REASON})
    shown = panels(bureau, the_task(bureau, "police_bureau", "draft_plan")["id"])
    assert list(shown) == ["return_note"]
    note = values(shown["return_note"])
    assert note["退回人"] == "党群工作部 李科长"
    assert note["退回部门"] == "党群工作部"
    assert note["退回环节"] == "审核用人计划及薪酬"
    assert note["退回时间"] == f"{(returned_at + timedelta(hours=8)):%Y-%m-%d %H:%M} 北京时间"
    assert note["审核意见"] == "退回修改"
    assert note["理由"] == RETURN_REASON
    english = values(shown["return_note"], "en")
    assert english["Returned by department"] == "Party and Mass Work Dept."
    assert english["Decision"] == "Return for revision"
    assert english["Returned at"].endswith(" Beijing time")


def test_vetting_shows_the_application_and_the_candidates_already_rejected(
    users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    _campaign, failed, following = first_candidate_failed(users, ctx, clock)
    bureau = users["bureau"]
    shown = panels(bureau, next_vetting(bureau)["id"])
    assert list(shown) == ["application", "rejected_candidates"]
    candidate = values(shown["application"])
    assert candidate["姓名"] == "应聘人002"
    assert candidate["身份证号"] == "371002********0028"
    assert candidate["报考村（社区）"] == "涝台村（崮山镇）"
    assert candidate["考试成绩"] == "70"
    assert candidate["本村（社区）排名"] == "第2名"
    assert candidate["学历"] == "高中"
    assert candidate["身体健康"] == "是" and candidate["中共党员"] == "否"
    assert values(shown["application"], "en")["Education"] == "High school"
    rejected = table(shown["rejected_candidates"])
    assert rejected[1:] == [["应聘人001", "371002********001X", "95", "1", "有较为严重的个人不良信用记录"]]
    assert table(shown["rejected_candidates"], "en")[1][4] == "Serious personal bad credit record"
    assert failed != following


def test_the_contract_shows_the_hired_person_their_village_and_post(
    users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    first_candidate_failed(users, ctx, clock)
    bureau, company = users["bureau"], users["company"]
    complete(bureau, "police_bureau", "vet_candidate", {"findings": [], "notes": "未发现不得聘用情形"})
    clock.advance(timedelta(days=8))
    assert fire_due_timers(ctx) >= 1
    shown = panels(company, the_task(company, "service_company", "sign_contract")["id"])
    assert list(shown) == ["hired_person"]
    hired = values(shown["hired_person"])
    assert hired["姓名"] == "应聘人002"
    assert hired["身份证号"] == "371002********0028"
    assert hired["村（社区）"] == "涝台村" and hired["所属镇"] == "崮山镇"
    assert hired["岗位"] == "涝台村 第1岗"
    assert values(shown["hired_person"], "en")["Post"].endswith(", post 1")


def test_the_first_vetting_of_a_post_says_no_candidate_was_rejected_yet(
    users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    best, _following = two_candidates_ranked(users, ctx, clock)
    bureau = users["bureau"]
    detail = bureau.get(f"/api/v1/tasks/{the_task(bureau, 'police_bureau', 'vet_candidate')['id']}")
    assert detail["data"]["candidate"]["application_id"] == best
    shown = {p["name"]: p for p in detail["grounds"]}
    assert values(shown["application"])["姓名"] == "应聘人001"
    assert values(shown["application"])["本村（社区）排名"] == "第1名"
    rejected = shown["rejected_candidates"]
    assert rejected["kind"] == "text" and rejected["rows"] == []
    assert (rejected["text_zh"], rejected["text_en"]) == (
        "尚无被淘汰的候选人。",
        "No candidate has been rejected yet.",
    )
