"""Who may read the roster and change an officer's status.

Readers are the ones of the appraisal dashboard (service/usecases/dashboards.py): the sub-bureau and the
auditors see every town, a town's police station and town government their own town; admins, who run
the register and the accounts, see every town too. Only the sub-bureau's head changes a status.
"""

from __future__ import annotations

from service.usecases.dashboards import appraisal_towns
from service.usecases.directory import Caller
from service.usecases.errors import ForbiddenError


def roster_towns(caller: Caller) -> set[str] | None:
    """The towns whose officers ``caller`` may read: None for every town; refused when none."""
    if caller.has_role("admin"):
        return None
    towns = appraisal_towns(caller)
    if towns is not None and not towns:
        raise ForbiddenError(
            "只有公安分局、审计人员、管理员和本镇派出所、镇政府可以查看辅警名册",
            english="Only the sub-bureau, auditors, admins and a town's police station and town government"
            " may read the officer roster",
        )
    return towns


def can_read_roster(caller: Caller) -> bool:
    try:
        roster_towns(caller)
    except ForbiddenError:
        return False
    return True


def require_bureau_head(caller: Caller) -> None:
    if not caller.heads("police_bureau"):
        raise ForbiddenError(
            "只有公安分局负责人可以变更辅警状态",
            english="Only the head of the sub-bureau may change an officer's status",
        )
