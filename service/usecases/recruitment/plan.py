"""The staffing plan: posts computed from the village register, and the approved plan's campaign."""

from __future__ import annotations

from typing import Any

from service.persistence.models import CampaignModel
from service.usecases.directory import register_villages
from service.usecases.runner import InstanceRunner, operator
from workflows.rules.posts import allocate_posts, total_posts
from workflows.scripting import OperatorCall


@operator("compute_posts")
def compute_posts(runner: InstanceRunner, call: OperatorCall) -> dict[str, Any]:
    allocations = allocate_posts(register_villages(runner.session))
    return {
        "posts": [
            {
                "village_code": a.village_code,
                "village_name": a.village_name,
                "town": a.town,
                "posts": a.posts,
                "reasons": list(a.reasons),
            }
            for a in allocations
        ],
        "total_posts": total_posts(allocations),
    }


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
