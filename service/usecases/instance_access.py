"""Which instances a member of staff reads: those their departments work on (a human task of theirs), and,
for the sub-bureau, every instance of its recruitment campaigns. The campaign's screening and hiring
instances are started by the bureau's own registrations and decisions but hold no task of its lanes (the
screening is a decision and a service task only), so without this the bureau could not read the screening
results it caused. Auditors and designers read every instance (service/usecases/instances.py)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, false, or_, select
from sqlalchemy.orm import Session

from service.persistence.models import HumanTaskModel, InstanceModel
from service.usecases.directory import Caller

# The processes of a recruitment campaign, all run by the sub-bureau: the campaign itself, each applicant's
# screening and each post's hiring.
CAMPAIGN_PROCESSES = ("recruitment", "applicant_screening", "post_hiring")
CAMPAIGN_DEPARTMENT = "police_bureau"


def readable_by_staff(caller: Caller) -> ColumnElement[bool]:
    """The condition on ``InstanceModel`` rows a member of staff (no auditor, no designer) may read."""
    worked_on = exists(
        select(HumanTaskModel.id).where(
            HumanTaskModel.instance_id == InstanceModel.id,
            HumanTaskModel.department_code.in_(sorted(caller.departments)),
        )
    )
    campaigns = (
        InstanceModel.process_id.in_(CAMPAIGN_PROCESSES)
        if caller.in_department(CAMPAIGN_DEPARTMENT)
        else false()
    )
    return or_(campaigns, worked_on) if caller.departments else false()


def staff_may_read(session: Session, caller: Caller, instance_id: int) -> bool:
    found = session.scalars(
        select(InstanceModel.id).where(and_(InstanceModel.id == instance_id, readable_by_staff(caller)))
    ).first()
    return found is not None
