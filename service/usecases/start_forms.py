"""Starting a process in person from a page: may this person start it, and with which start form.

Who may start a process is its model's to say (``startedBy`` on its start event, read in
workflows/extensions.py and checked in service/usecases/starting.py); the pages ask here for their links
and forms, the recruitment campaign, a dismissal referral, training, the payroll and an undertaking alike.
"""

from __future__ import annotations

from typing import Any

from service.context import ServiceContext
from service.usecases import names
from service.usecases.directory import Caller
from service.usecases.errors import ForbiddenError, NotFoundError
from service.usecases.runner import InstanceRunner
from service.usecases.starting import check_starter, may_start


def may_start_process(ctx: ServiceContext, caller: Caller, process_id: str) -> bool:
    """Whether the deployed model of ``process_id`` lets ``caller`` start it (for links and buttons)."""
    if not caller.departments:
        return False
    with ctx.database.reading() as session:
        runner = InstanceRunner(ctx, session, caller.username)
        try:
            specs = runner.specs_for(runner.latest_definition(process_id).id)
        except NotFoundError:  # no such model deployed: nobody starts one
            return False
        return may_start(specs.start_rules.get(process_id), caller)


def start_form(ctx: ServiceContext, caller: Caller, process_id: str) -> dict[str, Any]:
    """The start form's JSON Schema for a person the model lets start ``process_id`` (else 403 by names)."""
    with ctx.database.reading() as session:
        runner = InstanceRunner(ctx, session, caller.username)
        specs = runner.specs_for(runner.latest_definition(process_id).id)
        rule = specs.start_rules.get(process_id)
        if rule is None or not rule.departments or rule.form is None:
            raise ForbiddenError(
                "“{process}”的模型未开放在网页上启动",
                english="The model of “{process}” is not open to start from a page",
                process=specs.process_names.get(process_id, process_id),
            )
        check_starter(specs, process_id, rule, caller, names.department_names(session))
        return specs.forms[rule.form]
