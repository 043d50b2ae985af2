"""Refer a dismissal in person, from the officer's page (the API goes through ``instances.start_instance``).

Who may refer one is the dismissal model's to say (``startedBy`` on its start event: the sub-bureau and the
towns' police stations, bpmn/dismissal/); the officer is the page's, so people pick the grounds (a
disqualifier from the policy's twelve, or a serious breach) and write the facts, never an officer number.
"""

from __future__ import annotations

from typing import Any

from service.context import ServiceContext
from service.persistence.models import InstanceModel
from service.usecases import instances
from service.usecases.directory import Caller
from service.usecases.start_forms import may_start_process, start_form

DISMISSAL = "dismissal"
# The start form's field the page fills in itself.
OFFICER_FIELD = "officer_id"


def may_refer(ctx: ServiceContext, caller: Caller) -> bool:
    """Whether the deployed dismissal model lets ``caller`` refer a dismissal (the officer page links it)."""
    return may_start_process(ctx, caller, DISMISSAL)


def referral_form(ctx: ServiceContext, caller: Caller) -> dict[str, Any]:
    """The start form's JSON Schema without the officer (the page's), for a person the model lets refer."""
    schema = start_form(ctx, caller, DISMISSAL)
    properties = {k: v for k, v in schema.get("properties", {}).items() if k != OFFICER_FIELD}
    required = [k for k in schema.get("required", []) if k != OFFICER_FIELD]
    return {**schema, "properties": properties, "required": required}


def refer_dismissal(
    ctx: ServiceContext, caller: Caller, officer_id: int, data: dict[str, Any]
) -> InstanceModel:
    """Start a dismissal case about ``officer_id`` (validated by the start form, audited as every start)."""
    return instances.start_instance(ctx, caller, DISMISSAL, None, {**data, OFFICER_FIELD: officer_id})
