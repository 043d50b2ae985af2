"""What the campaign page's calendar shows: the registration window, the notice length, the pending timers
and open tasks of the campaign's instances with their due times, and the history of calendar changes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select

from service.context import ServiceContext
from service.persistence.models import (
    OPEN_STATES,
    AuditEventModel,
    CampaignModel,
    HumanTaskModel,
    InstanceModel,
    TimerModel,
)
from service.usecases.directory import Caller
from service.usecases.errors import ForbiddenError, NotFoundError
from service.usecases.key_prefix import keys_under
from service.usecases.recruitment.calendar import BUREAU, CALENDAR_ACTIONS, registration_open
from workflows.extensions import element_english_name, may_end_early


def campaign_calendar(ctx: ServiceContext, caller: Caller, campaign_id: int) -> dict[str, Any]:
    """The calendar of one campaign, for the bureau and auditors; ``can_change``: the caller heads the
    bureau (the calendar's actions are theirs); a task's ``can_extend``: the caller heads its department."""
    if not (caller.in_department(BUREAU) or caller.has_role("auditor")):
        raise ForbiddenError("只有公安分局人员和审计人员可以查看招聘日程")
    with ctx.database.reading() as session:
        campaign = session.get(CampaignModel, campaign_id)
        if campaign is None:
            raise NotFoundError("招聘批次 {campaign_id} 不存在", campaign_id=campaign_id)
        instances = {
            row.id: row
            for row in session.execute(
                select(
                    InstanceModel.id,
                    InstanceModel.definition_id,
                    InstanceModel.process_id,
                    InstanceModel.subject,
                ).where(
                    or_(
                        InstanceModel.id == campaign.instance_id,
                        keys_under(session, InstanceModel.business_key, f"{campaign.business_key}/"),
                    )
                )
            )
        }
        ids = sorted(instances)
        timers = session.execute(
            select(TimerModel.instance_id, TimerModel.task_id, TimerModel.spec_name, TimerModel.due_at)
            .where(TimerModel.instance_id.in_(ids), TimerModel.fired_at.is_(None))
            .order_by(TimerModel.due_at, TimerModel.id)
        ).all()
        tasks = session.scalars(
            select(HumanTaskModel)
            .where(HumanTaskModel.instance_id.in_(ids), HumanTaskModel.state.in_(OPEN_STATES))
            .order_by(HumanTaskModel.due_at, HumanTaskModel.created_at)
        ).all()
        history = session.scalars(
            select(AuditEventModel)
            .where(AuditEventModel.instance_id.in_(ids), AuditEventModel.action.in_(CALENDAR_ACTIONS))
            .order_by(AuditEventModel.at.desc(), AuditEventModel.id.desc())
        ).all()
        elements: dict[tuple[int, str, str], Any] = {}

        def element(instance_id: int, spec_name: str) -> Any:
            row = instances[instance_id]
            key = (row.definition_id, row.process_id, spec_name)
            if key not in elements:
                top, subs = ctx.specs_for_definition(session, row.definition_id).spec_for(row.process_id)
                found = [w.task_specs[spec_name] for w in (top, *subs.values()) if spec_name in w.task_specs]
                elements[key] = found[0] if found else None
            return elements[key]

        timer_rows = []
        for timer in timers:
            spec = element(timer.instance_id, timer.spec_name)
            name_zh = (spec.bpmn_name if spec is not None else None) or timer.spec_name
            timer_rows.append(
                {
                    "instance_id": timer.instance_id,
                    "task_id": timer.task_id,
                    "spec_name": timer.spec_name,
                    "name_zh": name_zh,
                    "name_en": (element_english_name(spec) if spec is not None else None) or name_zh,
                    "subject": instances[timer.instance_id].subject,
                    "kind": "registration" if timer.instance_id == campaign.instance_id else "notice",
                    "due_at": timer.due_at,
                    "may_end_early": spec is not None and may_end_early(spec),
                }
            )
        return {
            "campaign_id": campaign.id,
            "status": campaign.status,
            "registration_start": campaign.registration_start,
            "registration_end": campaign.registration_end,
            "closes_at": campaign.closes_at,
            "notice_days": campaign.notice_days,
            "registration_open": registration_open(campaign, ctx.clock.now()),
            "can_change": caller.heads(BUREAU),
            "timers": timer_rows,
            "tasks": [
                {
                    "id": task.id,
                    "instance_id": task.instance_id,
                    "name_zh": task.name_zh,
                    "name_en": task.name_en,
                    "subject": task.subject,
                    "department_code": task.department_code,
                    "due_at": task.due_at,
                    "can_extend": caller.heads(task.department_code),
                }
                for task in tasks
            ],
            "history": [
                {
                    "at": event.at,
                    "actor": event.actor,
                    "action": event.action,
                    "instance_id": event.instance_id,
                    "subject": instances[event.instance_id].subject if event.instance_id in instances else "",
                    "reason": (event.payload or {}).get("reason", ""),
                    "before": (event.payload or {}).get("before") or {},
                    "after": (event.payload or {}).get("after") or {},
                }
                for event in history
            ],
        }
