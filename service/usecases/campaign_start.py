"""Start a recruitment campaign in person (the web page; the API goes through ``instances.start_instance``).

Who may start one is the recruitment model's to say (``startedBy`` on its start event: ``heads:`` or
``departments:``, service/usecases/starting.py); what a start needs is its start form (the campaign's
name). The business key is the service's (``2026-recruitment``, then ``2026-recruitment-2``), so people
name a campaign and never type a code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from service.context import ServiceContext
from service.persistence.models import OPEN_STATES, HumanTaskModel
from service.usecases import instances, names
from service.usecases.directory import Caller
from service.usecases.start_forms import may_start_process, start_form

RECRUITMENT = "recruitment"


@dataclass
class StartedCampaign:
    """A campaign just started, and where its work went: the tasks it opened."""

    instance_id: int
    business_key: str
    name: str
    next_tasks: list[dict[str, Any]] = field(default_factory=list)


def may_start_campaign(ctx: ServiceContext, caller: Caller) -> bool:
    """Whether the deployed recruitment model lets ``caller`` start a campaign (for links to the page)."""
    return may_start_process(ctx, caller, RECRUITMENT)


def campaign_start_form(ctx: ServiceContext, caller: Caller) -> dict[str, Any]:
    """The start form's JSON Schema, for a person the model lets start a campaign (else 403 by names)."""
    return start_form(ctx, caller, RECRUITMENT)


def start_campaign(ctx: ServiceContext, caller: Caller, data: dict[str, Any]) -> StartedCampaign:
    """Start a campaign named in ``data`` with a generated business key (audited as every start is:
    ``instance_started`` with the actor, the key and the start data), and say which tasks it opened."""
    instance = instances.start_instance(ctx, caller, RECRUITMENT, None, data)
    with ctx.database.reading() as session:
        tasks = session.scalars(
            select(HumanTaskModel)
            .where(HumanTaskModel.instance_id == instance.id, HumanTaskModel.state.in_(OPEN_STATES))
            .order_by(HumanTaskModel.created_at, HumanTaskModel.id)
        ).all()
        department_names = names.department_names(session)
        next_tasks = [
            {
                "id": task.id,
                "name_zh": task.name_zh,
                "name_en": task.name_en,
                "department_code": task.department_code,
                "department": department_names.get(task.department_code),
                "for_caller": caller.in_department(task.department_code)
                and (not task.head_only or caller.heads(task.department_code)),
            }
            for task in tasks
        ]
    return StartedCampaign(instance.id, instance.business_key or "", instance.subject, next_tasks)
