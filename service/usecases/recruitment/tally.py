"""The refusals by reason of a campaign, tallied by the database (the campaign dashboard's and the campaign
report's: service/usecases/campaign_charts.py, recruitment/report.py)."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from service.persistence.models.recruitment import REASONS_GIVEN_POSTGRESQL, REASONS_GIVEN_SQLITE

# The refusals by reason, counted by the database from the applications that have reasons (the partial
# index ix_applications_campaign_reasons, migration 0027): reading every application's reasons into Python
# grew with the applications (20,000 rows, most of them an empty list, 0.3-0.6 s at the bench's volume).
# The JSON functions differ by backend; each statement keeps the index's condition literally, so that the
# planner can use it, and unnests only arrays (as the Python tally did: anything else has no reasons).
_REASONS_BY_DIALECT = {
    "sqlite": f"""
        SELECT reason.value, count(*) FROM applications, json_each(applications.reasons) AS reason
        WHERE applications.campaign_id = :campaign_id AND {REASONS_GIVEN_SQLITE}
          AND json_type(applications.reasons) = 'array'
        GROUP BY reason.value""",  # noqa: S608 (the model's constant, no input)
    "postgresql": f"""
        SELECT reason.value, count(*)
        FROM applications, json_array_elements_text(applications.reasons) AS reason(value)
        WHERE applications.campaign_id = :campaign_id AND {REASONS_GIVEN_POSTGRESQL}
          AND json_typeof(applications.reasons) = 'array'
        GROUP BY reason.value""",  # noqa: S608 (the model's constant, no input)
}


def reasons_tally(session: Session, campaign_id: int) -> dict[str, int]:
    """How many times the campaign's applications give each reason (as many as the reasons' lists hold)."""
    statement = text(_REASONS_BY_DIALECT[session.get_bind().dialect.name])
    tally: dict[str, int] = {}
    for reason, count in session.execute(statement, {"campaign_id": campaign_id}):
        if reason is not None:
            tally[str(reason)] = tally.get(str(reason), 0) + int(count)
    return tally
