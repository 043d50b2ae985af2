"""The campaign calendar (issue 13, point 2): the bureau head closes or extends registration, extends or
ends a public notice early; a department head extends a task's due date. Each with a reason, audited
with before and after.

A timer's due time is held twice: in the engine state (the waiting timer's ``event_value``, worked out
from its timeDate expression over task data such as ``registration["closes_at"]``) and in its row of
``timers``, which the scheduler reads. A change here moves the data the expression reads, lets the engine
work the due time out again from it (``WorkflowEngine.move_timer``), and the runner's save writes the
row, all in one transaction with the campaign's own columns and the audit event; the scheduler then fires
the timer at its new time. Nothing fires here: ending early makes the timer due now.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from sqlalchemy import select, update

from service import audit
from service.context import ServiceContext
from service.persistence.models import CampaignModel, HumanTaskModel, InstanceModel
from service.usecases.directory import Caller
from service.usecases.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from service.usecases.incidents import incidents_recorded
from service.usecases.runner import InstanceRunner
from workflows.engine import PendingTimer, WorkflowEngine
from workflows.ports import CHINA
from workflows.timers import TimerValueError, parse_due

BUREAU = "police_bureau"
REASON_MAX = 1000
# The audit actions of the calendar; the campaign page lists them as the calendar's history.
CALENDAR_ACTIONS = (
    "registration_closed_early",
    "registration_extended",
    "notice_extended",
    "notice_ended_early",
    "task_due_extended",
)


def end_of_day(day: date) -> datetime:
    """The end of a Beijing day (00:00 of the next day), as every deadline of the service, in UTC."""
    return datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=CHINA).astimezone(UTC)


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise InvalidInputError(
            "请填写调整理由", errors={"reason": ["请填写调整理由", "Give the reason for the change"]}
        )
    if len(text) > REASON_MAX:
        raise InvalidInputError(
            "调整理由不能超过 {limit} 个字",
            errors={"reason": [f"不能超过 {REASON_MAX} 个字", f"At most {REASON_MAX} characters"]},
            limit=REASON_MAX,
        )
    return text


def _require_bureau_head(caller: Caller) -> None:
    if not caller.heads(BUREAU):
        raise ForbiddenError("只有公安分局负责人可以调整招聘日程")


def _day_not_past(day: date, now: datetime, field: str) -> None:
    if day < now.astimezone(CHINA).date():
        raise InvalidInputError(
            "新的日期不能早于今天（北京时间）", errors={field: ["不能早于今天", "Cannot be before today"]}
        )


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def _held_due(held: Any, field: str) -> datetime | None:
    if not isinstance(held, dict) or not held.get(field):
        return None
    try:
        return parse_due(held[field])
    except TimerValueError:
        return None


def _move_timer(
    runner: InstanceRunner,
    instance: InstanceModel,
    key: str,
    field: str,
    due: datetime,
    *,
    ending_early: bool,
    also: dict[str, Any] | None = None,
) -> tuple[PendingTimer, PendingTimer]:
    """Move the instance's waiting timer whose due time comes from ``data[key][field]`` to ``due``;
    return the timer before and after. ``ending_early``: the model must allow it (``mayEndEarly``)."""

    def action(engine: WorkflowEngine, workflow: BpmnWorkflow) -> tuple[PendingTimer, PendingTimer]:
        for timer in engine.pending_timers(workflow):
            held = engine.timer_data(workflow, timer.task_id).get(key)
            if not isinstance(held, dict) or _held_due(held, field) != timer.due_at:
                continue
            if ending_early and not engine.timer_may_end_early(workflow, timer.task_id):
                raise ConflictError("流程模型不允许提前结束这一等待，只能延长")
            values = {key: {**held, field: due.isoformat()}, **(also or {})}
            return timer, engine.move_timer(workflow, timer.task_id, values)
        raise ConflictError("该流程已不在等待这一时间（定时事件已触发或尚未开始），请刷新后查看")

    moved: tuple[PendingTimer, PendingTimer] = runner.act(instance, action)
    return moved


def _campaign(runner: InstanceRunner, campaign_id: int) -> tuple[CampaignModel, InstanceModel]:
    campaign = runner.session.get(CampaignModel, campaign_id)
    if campaign is None:
        raise NotFoundError("招聘批次 {campaign_id} 不存在", campaign_id=campaign_id)
    instance = runner.lock(campaign.instance_id)  # the instance's lock serialises the campaign's changes
    runner.session.refresh(campaign)
    return campaign, instance


def registration_open(campaign: CampaignModel, now: datetime) -> bool:
    """Taking applications: what the head may close or extend (closed early, it waits for the
    scheduler's round while applications are refused already)."""
    return campaign.status == "open" and campaign.closes_at is not None and now < campaign.closes_at


def _require_open(campaign: CampaignModel, now: datetime) -> None:
    if not registration_open(campaign, now):
        raise ConflictError("该批次的报名不在进行中（尚未开始或已截止），不能调整报名日程")


def _registration_of(campaign: CampaignModel) -> dict[str, Any]:
    return {
        "registration_end": campaign.registration_end.isoformat() if campaign.registration_end else None,
        "closes_at": _iso(campaign.closes_at),
    }


def close_registration_now(
    ctx: ServiceContext, caller: Caller, campaign_id: int, reason: str
) -> dict[str, Any]:
    """The bureau head closes registration now: applications are refused at once, and the registration
    timer is due now, so the scheduler's next round closes it (as at midnight after the end date)."""
    return _change_registration(ctx, caller, campaign_id, reason, None)


def extend_registration(
    ctx: ServiceContext, caller: Caller, campaign_id: int, registration_end: date, reason: str
) -> dict[str, Any]:
    """The bureau head gives registration a later end date; it closes at the end of that day."""
    return _change_registration(ctx, caller, campaign_id, reason, registration_end)


def _change_registration(
    ctx: ServiceContext, caller: Caller, campaign_id: int, reason: str, registration_end: date | None
) -> dict[str, Any]:
    _require_bureau_head(caller)
    text = _reason(reason)
    with incidents_recorded(ctx), ctx.database.transaction() as session:
        runner = InstanceRunner(ctx, session, caller.username)
        campaign, instance = _campaign(runner, campaign_id)
        now = ctx.clock.now()
        _require_open(campaign, now)
        before = _registration_of(campaign)
        if registration_end is None:
            _move_timer(runner, instance, "registration", "closes_at", now, ending_early=True)
            campaign.closes_at = now
        else:
            if campaign.registration_end is not None and registration_end <= campaign.registration_end:
                raise InvalidInputError(
                    "新的报名截止日期必须晚于现在的截止日期 {current}",
                    errors={
                        "registration_end": ["必须晚于现在的截止日期", "Must be after the current end date"]
                    },
                    current=campaign.registration_end.isoformat(),
                )
            closes_at = end_of_day(registration_end)
            # The announcement's end date is in the instance data too: it moves with the timer.
            also = {"registration_end": registration_end.isoformat()}
            _move_timer(
                runner, instance, "registration", "closes_at", closes_at, ending_early=False, also=also
            )
            campaign.registration_end, campaign.closes_at = registration_end, closes_at
        after = _registration_of(campaign)
        audit.record(
            session,
            now,
            caller.username,
            "registration_extended" if registration_end is not None else "registration_closed_early",
            instance_id=instance.id,
            campaign_id=campaign.id,
            reason=text,
            before=before,
            after=after,
        )
        return {"campaign_id": campaign.id, **after}


def _notice_instance(runner: InstanceRunner, campaign_id: int, instance_id: int) -> InstanceModel:
    campaign = runner.session.get(CampaignModel, campaign_id)
    if campaign is None:
        raise NotFoundError("招聘批次 {campaign_id} 不存在", campaign_id=campaign_id)
    instance = runner.lock(instance_id)
    if not (instance.business_key or "").startswith(f"{campaign.business_key}/"):
        raise NotFoundError(
            "流程实例 {instance_id} 不属于招聘批次 {campaign_id}",
            instance_id=instance_id,
            campaign_id=campaign_id,
        )
    return instance


def _change_notice(
    ctx: ServiceContext,
    caller: Caller,
    campaign_id: int,
    instance_id: int,
    reason: str,
    ends_on: date | None,
) -> dict[str, Any]:
    _require_bureau_head(caller)
    text = _reason(reason)
    with incidents_recorded(ctx), ctx.database.transaction() as session:
        runner = InstanceRunner(ctx, session, caller.username)
        instance = _notice_instance(runner, campaign_id, instance_id)
        now = ctx.clock.now()
        if ends_on is not None:
            _day_not_past(ends_on, now, "ends_on")
        due = end_of_day(ends_on) if ends_on is not None else now
        before, after = _move_timer(runner, instance, "notice", "ends_at", due, ending_early=ends_on is None)
        if ends_on is not None and after.due_at <= before.due_at:
            raise InvalidInputError(
                "新的公示结束日期必须晚于现在的结束时间",
                errors={"ends_on": ["必须晚于现在的结束时间", "Must be after the current end"]},
            )
        action = "notice_extended" if ends_on is not None else "notice_ended_early"
        audit.record(
            session,
            now,
            caller.username,
            action,
            instance_id=instance.id,
            task_id=after.task_id,
            campaign_id=campaign_id,
            reason=text,
            before={"ends_at": _iso(before.due_at)},
            after={"ends_at": _iso(after.due_at)},
        )
        return {"campaign_id": campaign_id, "instance_id": instance.id, "ends_at": _iso(after.due_at)}


def extend_notice(
    ctx: ServiceContext, caller: Caller, campaign_id: int, instance_id: int, ends_on: date, reason: str
) -> dict[str, Any]:
    """The bureau head extends one post's public notice to the end of ``ends_on``."""
    return _change_notice(ctx, caller, campaign_id, instance_id, reason, ends_on)


def end_notice_now(
    ctx: ServiceContext, caller: Caller, campaign_id: int, instance_id: int, reason: str
) -> dict[str, Any]:
    """The bureau head ends one post's public notice now, where the model allows it (``mayEndEarly``)."""
    return _change_notice(ctx, caller, campaign_id, instance_id, reason, None)


def extend_task_due(
    ctx: ServiceContext, caller: Caller, task_id: str, due_on: date, reason: str
) -> dict[str, Any]:
    """A head of the task's department gives an open task a later due date (the end of ``due_on``): the
    queue row's due time and the data the model reads it from (``dueAtVariable``) move together."""
    text = _reason(reason)
    with incidents_recorded(ctx), ctx.database.transaction() as session:
        runner = InstanceRunner(ctx, session, caller.username)
        instance = runner.lock_for_task(task_id, caller.heads_of)
        if instance is None:
            department = session.scalar(
                select(HumanTaskModel.department_code).where(HumanTaskModel.id == task_id)
            )
            if department is None:
                raise NotFoundError("任务 {task_id} 不存在", task_id=task_id)
            raise ForbiddenError("只有该任务所属部门的负责人可以延长任务期限")
        task = session.get(HumanTaskModel, task_id, populate_existing=True)
        assert task is not None  # noqa: S101 - the lock above found it
        if task.state not in ("open", "claimed"):
            raise ConflictError("该任务已办结或已取消，不能调整期限")
        now = ctx.clock.now()
        _day_not_past(due_on, now, "due_on")
        due = end_of_day(due_on)
        if task.due_at is not None and due <= task.due_at:
            raise InvalidInputError(
                "新的完成期限必须晚于现在的期限",
                errors={"due_on": ["必须晚于现在的期限", "Must be after the current due date"]},
            )

        def action(engine: WorkflowEngine, workflow: BpmnWorkflow) -> None:
            ready = {item.task_id: item for item in engine.ready_user_tasks(workflow)}
            if task_id not in ready:
                raise ConflictError("该任务已不在待办状态，不能调整期限")
            variable = ready[task_id].info.due_at_variable
            if variable:
                engine.set_ready_task_data(workflow, task_id, {variable: due.isoformat()})

        runner.act(instance, action)
        before = _iso(task.due_at)
        session.execute(update(HumanTaskModel).where(HumanTaskModel.id == task_id).values(due_at=due))
        audit.record(
            session,
            now,
            caller.username,
            "task_due_extended",
            instance_id=instance.id,
            task_id=task_id,
            department_code=task.department_code,
            element=task.spec_name,
            reason=text,
            before={"due_at": before},
            after={"due_at": _iso(due)},
        )
        return {"task_id": task_id, "due_at": _iso(due)}
