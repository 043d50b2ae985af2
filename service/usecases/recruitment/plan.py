"""The staffing plan: the vacancies per village (the register's quota minus the officers in service), the
drafter's adjustments within the quota, and the approved plan's campaign.

The plan records what it was computed from (each village's quota, the officers then in service and the
vacancies), so a past campaign still shows the numbers it was planned with after the roster has moved on.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.persistence.models import CampaignModel, OfficerModel, VillageModel
from service.usecases.directory import register_villages
from service.usecases.errors import OperatorFailedError
from service.usecases.runner import InstanceRunner, operator
from workflows.rules.posts import (
    PlanProblem,
    allocate_posts,
    apply_adjustments,
    check_adjustments,
    plan_totals,
    vacancies,
)
from workflows.scripting import OperatorCall

# Only an officer in service fills a post (issue 13's shared contract); a contract ended, a dismissal or a
# resignation frees it for the next campaign.
IN_SERVICE = "in_service"
# The draft form's table of planned numbers (forms/staffing_plan_draft.json).
ADJUSTMENTS = "planned_posts"


def officers_in_service(session: Session) -> dict[str, list[int]]:
    """The ids of the officers in service, by village, in the order they were recorded."""
    serving: dict[str, list[int]] = defaultdict(list)
    for officer_id, village_code in session.execute(
        select(OfficerModel.id, OfficerModel.village_code)
        .where(OfficerModel.status == IN_SERVICE)
        .order_by(OfficerModel.id)
    ):
        serving[village_code].append(officer_id)
    return serving


@operator("compute_posts")
def compute_posts(runner: InstanceRunner, call: OperatorCall) -> dict[str, Any]:
    serving = officers_in_service(runner.session)
    rows = []
    for a in allocate_posts(register_villages(runner.session)):
        officer_ids = serving.get(a.village_code, [])
        free = vacancies(a.posts, len(officer_ids))
        rows.append(
            {
                "village_code": a.village_code,
                "village_name": a.village_name,
                "town": a.town,
                "quota": a.posts,
                "reasons": list(a.reasons),
                "in_service": len(officer_ids),
                "officer_ids": officer_ids,
                "vacancies": free,
                "posts": free,  # what the campaign recruits for, until the drafter adjusts it
                "adjusted": False,
                "adjustment_reason": "",
            }
        )
    totals = plan_totals(rows)
    if totals["total_vacancies"] == 0:
        # Nothing to recruit for: a campaign would wait at the exam scores for applicants none could make.
        raise OperatorFailedError(
            "编制 {quota} 个已全部有辅警在岗（在岗 {serving} 人），没有空缺岗位，无需启动招聘",
            quota=totals["total_quota"],
            serving=totals["total_in_service"],
        )
    return {"posts": rows, **totals, "counted_at": runner.ctx.clock.now().isoformat()}


@operator("adjust_plan")
def adjust_plan(runner: InstanceRunner, call: OperatorCall) -> dict[str, Any]:
    """The plan with the drafter's numbers (``planned_posts`` of the draft form), refused beside the
    village when a number leaves the quota or a change has no reason. Each pass of the draft starts from
    the computed vacancies again, so a redraft that leaves a village out restores its vacancies."""
    plan = dict(call.data.get("plan") or {})
    rows = list(plan.get("posts") or [])
    if any("quota" not in row for row in rows):
        return plan  # computed before quotas were recorded: nothing to adjust against
    adjustments = [item for item in call.data.get(ADJUSTMENTS) or [] if isinstance(item, dict)]
    problems = check_adjustments(rows, adjustments)
    if problems:
        names = _village_names(runner.session, [p.village_code for p in problems])
        # Located like the form's own errors (array index, field), so the page puts each beside its village.
        beside = {f"{ADJUSTMENTS}.{p.index}.{p.field}": _wording(p, names) for p in problems}
        raise OperatorFailedError("用人计划的调整有误，请按各村（社区）旁的提示修改后重新提交", errors=beside)
    planned = apply_adjustments(rows, adjustments)
    totals = plan_totals(planned)
    if totals["total_posts"] == 0:
        raise OperatorFailedError(
            "计划招聘总数为 0：至少要为一个空缺岗位招聘",
            errors={
                ADJUSTMENTS: [
                    "计划招聘总数为 0：至少要为一个空缺岗位招聘",
                    "Nothing to recruit: plan at least one vacant post",
                ]
            },
        )
    return {**plan, "posts": planned, **totals}


def _village_names(session: Session, codes: Sequence[str]) -> dict[str, tuple[str, str]]:
    found = session.execute(
        select(VillageModel.code, VillageModel.name_zh, VillageModel.name_en).where(
            VillageModel.code.in_(sorted(set(codes)))
        )
    )
    return {code: (zh, en) for code, zh, en in found}


def _wording(problem: PlanProblem, names: dict[str, tuple[str, str]]) -> list[str]:
    """The problem in Chinese and English, naming the village (its code only when it has no name)."""
    zh, en = names.get(problem.village_code, (problem.village_code, problem.village_code))
    planned, quota, serving = problem.planned, problem.quota, problem.in_service
    free = vacancies(quota, serving)
    if problem.kind == "over_quota":
        return [
            f"{zh}：计划招聘 {planned} 人超出编制（编制 {quota} 个，在岗 {serving} 人，最多可招 {free} 人）",
            f"{en}: {planned} to recruit exceeds the quota "
            f"({quota} posts, {serving} in service, at most {free})",
        ]
    if problem.kind == "reason_missing":
        return [
            f"{zh}：计划招聘 {planned} 人与空缺 {free} 个不同，请填写调整理由",
            f"{en}: {planned} to recruit differs from the {free} vacancies; give the reason for the change",
        ]
    if problem.kind == "repeated":
        return [f"{zh} 填写了不止一次，请只保留一行", f"{en} is listed more than once; keep one row"]
    return [f"{zh} 不是本计划中的村（社区）", f"{en} is not a village of this plan"]


@operator("approve_plan")
def approve_plan(runner: InstanceRunner, call: OperatorCall) -> dict[str, Any]:
    assert runner.instance is not None  # noqa: S101 - operators always run inside an instance
    campaign = CampaignModel(
        instance_id=runner.instance.id,
        business_key=runner.instance.business_key or "",
        title=str(call.data.get("plan_title", "")),
        status="approved",
        plan=dict(call.data.get("plan") or {}),
        created_at=runner.ctx.clock.now(),
    )
    runner.session.add(campaign)
    runner.session.flush()
    return {"campaign_id": campaign.id, "total_posts": campaign.plan.get("total_posts", 0)}
