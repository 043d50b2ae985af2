"""Refer a dismissal in person, from the officer's page (the API goes through ``instances.start_instance``).

Who may refer one is the dismissal model's to say (``startedBy`` on its start event: the sub-bureau and the
towns' police stations, bpmn/dismissal/); the officer is the page's, so people pick the grounds (a
disqualifier from the policy's twelve, or a serious breach) and write the facts, never an officer number.
"""

from __future__ import annotations

from typing import Any

from service.context import ServiceContext
from service.persistence.models import InstanceModel
from service.usecases import instances, names
from service.usecases.directory import Caller
from service.usecases.errors import ForbiddenError, NotFoundError
from service.usecases.runner import InstanceRunner
from service.usecases.starting import check_starter, may_start

DISMISSAL = "dismissal"
# The start form's field the page fills in itself.
OFFICER_FIELD = "officer_id"


def may_refer(ctx: ServiceContext, caller: Caller) -> bool:
    """Whether the deployed dismissal model lets ``caller`` refer a dismissal (the officer page links it)."""
    if not caller.departments:
        return False
    with ctx.database.reading() as session:
        runner = InstanceRunner(ctx, session, caller.username)
        try:
            specs = runner.specs_for(runner.latest_definition(DISMISSAL).id)
        except NotFoundError:  # no deployed dismissal model: nobody refers one
            return False
        return may_start(specs.start_rules.get(DISMISSAL), caller)


def referral_form(ctx: ServiceContext, caller: Caller) -> dict[str, Any]:
    """The start form's JSON Schema without the officer (the page's), for a person the model lets refer."""
    with ctx.database.reading() as session:
        runner = InstanceRunner(ctx, session, caller.username)
        specs = runner.specs_for(runner.latest_definition(DISMISSAL).id)
        rule = specs.start_rules.get(DISMISSAL)
        if rule is None or not rule.departments or rule.form is None:
            raise ForbiddenError("清退流程的模型未开放在网页上提请")
        check_starter(specs, DISMISSAL, rule, caller, names.department_names(session))
        schema = specs.forms[rule.form]
    properties = {k: v for k, v in schema.get("properties", {}).items() if k != OFFICER_FIELD}
    required = [k for k in schema.get("required", []) if k != OFFICER_FIELD]
    return {**schema, "properties": properties, "required": required}


def refer_dismissal(
    ctx: ServiceContext, caller: Caller, officer_id: int, data: dict[str, Any]
) -> InstanceModel:
    """Start a dismissal case about ``officer_id`` (validated by the start form, audited as every start)."""
    return instances.start_instance(ctx, caller, DISMISSAL, None, {**data, OFFICER_FIELD: officer_id})
