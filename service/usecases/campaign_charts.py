"""The numbers behind a campaign dashboard's charts (issue 15, point 6): applicants by village and status,
the funnel from registration to contract, and the posts of each village (filled, in progress, vacant, not
started). Counted in the database (a campaign has a few thousand applications, its plan a few hundred
posts); the page turns them into charts and tables whose every number links to its list."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from service.context import ServiceContext
from service.persistence.models import ApplicationModel, CampaignModel, InstanceModel, OfficerModel
from service.usecases.directory import Caller
from service.usecases.errors import NotFoundError
from service.usecases.key_prefix import keys_under
from service.usecases.names import village_names
from service.usecases.recruitment.application_list import STAGES, STATUSES, require_campaign_reader
from service.usecases.recruitment.tally import reasons_tally


def campaign_charts(ctx: ServiceContext, caller: Caller, campaign_id: int) -> dict[str, Any]:
    """The campaign and its numbers by village (the dashboard's report is summed from them)."""
    require_campaign_reader(caller)
    with ctx.database.reading() as session:
        campaign = session.get(CampaignModel, campaign_id)
        if campaign is None:
            raise NotFoundError("招聘批次 {campaign_id} 不存在", campaign_id=campaign_id)
        planned = {
            p["village_code"]: int(p.get("posts", 0))
            for p in (campaign.plan or {}).get("posts", [])
            if p.get("posts", 0) > 0
        }
        counts = session.execute(
            select(ApplicationModel.village_code, ApplicationModel.status, func.count())
            .where(ApplicationModel.campaign_id == campaign_id)
            .group_by(ApplicationModel.village_code, ApplicationModel.status)
        ).all()
        prefix = f"{campaign.business_key}/"
        hiring = session.execute(
            select(InstanceModel.id, InstanceModel.business_key, InstanceModel.status).where(
                InstanceModel.process_id == "post_hiring",
                keys_under(session, InstanceModel.business_key, prefix),
            )
        ).all()
        # The campaign's officers, their village and the post they were hired for: one pass for both figures.
        officers = session.execute(
            select(OfficerModel.village_code, OfficerModel.hiring_instance_id)
            .join(ApplicationModel, ApplicationModel.id == OfficerModel.application_id)
            .where(ApplicationModel.campaign_id == campaign_id)
        ).all()
        hired_by = {hiring_instance for _village, hiring_instance in officers}
        filled_by_village: dict[str, int] = {}
        for village, _hiring_instance in officers:
            filled_by_village[village] = filled_by_village.get(village, 0) + 1
        seen = {code for code, _status, _count in counts} | set(planned)
        names = village_names(session, seen)
        reasons = reasons_tally(session, campaign_id)
    order = list(planned) + sorted(seen - set(planned))
    by_village: dict[str, dict[str, int]] = {code: {} for code in order}
    for village, status, count in counts:
        by_village[village][status] = by_village[village].get(status, 0) + count
    posts: dict[str, dict[str, Any]] = {
        code: {"planned": planned.get(code, 0), "filled": 0, "in_progress": 0, "vacant": 0, "items": []}
        for code in order
    }
    for instance_id, key, status in hiring:
        village = str(key)[len(prefix) :].split("/", 1)[0]
        entry = posts.setdefault(
            village, {"planned": 0, "filled": 0, "in_progress": 0, "vacant": 0, "items": []}
        )
        state = (
            "in_progress" if status == "running" else "vacant" if instance_id not in hired_by else "filled"
        )
        if state != "filled":
            entry[state] += 1
        entry["items"].append({"instance_id": instance_id, "business_key": key, "state": state})
    for village, count in filled_by_village.items():
        posts.setdefault(village, {"planned": 0, "filled": 0, "in_progress": 0, "vacant": 0, "items": []})
        posts[village]["filled"] = count
    for entry in posts.values():
        started = entry["filled"] + entry["in_progress"] + entry["vacant"]
        entry["not_started"] = max(entry["planned"] - started, 0)
    totals: dict[str, int] = {}
    for statuses in by_village.values():
        for status, count in statuses.items():
            totals[status] = totals.get(status, 0) + count
    funnel = [
        {"stage": code, "zh": zh, "en": en, "count": sum(totals.get(s, 0) for s in statuses)}
        for code, zh, en, statuses in STAGES
    ]
    villages = [
        {
            "code": code,
            "name_zh": names[code].zh if code in names else code,
            "name_en": names[code].en if code in names else code,
        }
        for code in order
    ]
    return {
        "campaign": campaign,
        "totals": totals,
        "reasons": reasons,
        "villages": villages,
        "statuses": [{"code": c, "zh": zh, "en": en} for c, zh, en in STATUSES],
        "applicants": by_village,
        "funnel": funnel,
        "posts": posts,
    }
