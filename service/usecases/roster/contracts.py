"""An officer's labour contracts: the history shown on the officer's page and API, the renewal's term rule,
and the months of a contract the renewal decision is taken on (issue 17, point 3).

The current contract is on the officer's row; each contract a renewal replaced is in ``officer_contracts``,
written by ``record_renewal`` in the renewal's transaction.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.context import ServiceContext
from service.persistence.models import OfficerContractModel, OfficerModel
from service.usecases.officer_labels import IN_SERVICE
from workflows.calendar_months import add_months

# The renewal's grounds cover the contract's term, and never less than the last twelve months.
GROUNDS_MIN_MONTHS = 12
# Outcome of a contract on the officer's page: how it ended, or that it runs.
OUTCOMES = {
    "current": ("履行中", "In force"),
    "renewed": ("期满续签", "Renewed"),
    "contract_ended": ("期满终止", "Ended, not renewed"),
    "dismissed": ("辞退", "Dismissed"),
    "resigned": ("辞职", "Resigned"),
    # A death ends the contract on the day of death (service/usecases/welfare/).
    "died_on_duty": ("因公牺牲终止", "Ended: died on duty"),
    "deceased": ("因死亡终止", "Ended: deceased"),
    # Grades 1-4 of a work injury: the labour relation is kept, the officer leaves the post
    # (工伤保险条例 第三十五条).
    "left_post_injury": ("保留劳动关系，退出工作岗位", "Labour relation kept; left the post"),
}


def term_bounds(start: date, min_months: int, max_months: int) -> tuple[date, date]:
    """The earliest and latest end of a contract starting on ``start`` with a term of ``min_months`` to
    ``max_months`` months (a term of 24 months from 2027-01-01 ends on 2028-12-31)."""
    day = timedelta(days=1)
    return add_months(start, min_months) - day, add_months(start, max_months) - day


def _outcome(key: str) -> dict[str, str]:
    zh, en = OUTCOMES[key]
    return {"outcome": key, "outcome_label": zh, "outcome_label_en": en}


def contract_history(session: Session, officer: dict[str, Any]) -> list[dict[str, Any]]:
    """The officer's contracts, newest first: the current one (in force, or how it ended), then each one a
    renewal replaced, with the renewal's instance, when and by whom the next was signed."""
    current_outcome = "current" if officer["status"] == IN_SERVICE else officer["status"]
    current = {
        "contract_number": officer["contract_number"],
        "contract_start": officer["contract_start"],
        "contract_end": officer["contract_end"],
        "ended_on": officer.get("left_on"),
        "renewal_instance_id": None,
        "renewed_at": None,
        "renewed_by": None,
        # A status without an outcome of its own still ends the contract: only an officer in service has one
        # in force.
        **_outcome(current_outcome if current_outcome in OUTCOMES else "contract_ended"),
    }
    earlier = session.scalars(
        select(OfficerContractModel)
        .where(OfficerContractModel.officer_id == officer["id"])
        .order_by(OfficerContractModel.contract_end.desc(), OfficerContractModel.id.desc())
    )
    return [current] + [
        {
            "contract_number": row.contract_number,
            "contract_start": row.contract_start,
            "contract_end": row.contract_end,
            "ended_on": row.contract_end,
            "renewal_instance_id": row.renewal_instance_id,
            "renewed_at": row.renewed_at,
            "renewed_by": row.renewed_by,
            **_outcome("renewed"),
        }
        for row in earlier
    ]


def keep_replaced_contract(
    session: Session, officer: OfficerModel, instance_id: int, at: Any, signed_by: str
) -> None:
    """Copy the contract a renewal replaces into the history before the officer's row takes the new one."""
    session.add(
        OfficerContractModel(
            officer_id=officer.id,
            contract_number=officer.contract_number,
            contract_start=officer.contract_start,
            contract_end=officer.contract_end,
            renewal_instance_id=instance_id,
            renewed_at=at,
            renewed_by=signed_by,
        )
    )


def grounds_from_month(contract_start: date, today: date) -> str:
    """The first month (``YYYY-MM``) the renewal's grounds cover: the contract's start, or twelve months
    back when the contract is younger than that."""
    twelve_back = add_months(today.replace(day=1), -(GROUNDS_MIN_MONTHS - 1))
    first = min(contract_start.replace(day=1), twelve_back)
    return f"{first:%Y-%m}"


def officer_contracts(ctx: ServiceContext, officer: dict[str, Any]) -> list[dict[str, Any]]:
    """The contract history of an officer ``roster.officer_detail`` has already read for its caller (who
    may therefore read it too)."""
    with ctx.database.reading() as session:
        return contract_history(session, officer)
