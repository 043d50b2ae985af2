"""One time rule (issue 11, part 5): every datetime is stored as UTC and read back as the same instant.

SQLite keeps no zone, so a China-time deadline (+08:00) was stored as its wall time and read back as if it
were UTC: the appraisal deadline, due at the end of the 5th in China time, showed eight hours late.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert, select, update

from service.persistence.db import Database
from service.persistence.migrate import upgrade
from service.persistence.models import IncidentModel, LoginFailureModel
from service.persistence.rows import table_of
from workflows.ports import CHINA

DEADLINE = datetime(2026, 12, 5, 23, 59, 59, tzinfo=CHINA)  # 15:59:59 UTC


def test_a_china_time_value_reads_back_as_the_same_instant(database_url: str) -> None:
    upgrade(database_url)
    database = Database(database_url)
    try:
        with database.transaction() as session:  # through the ORM
            incident = IncidentModel(
                instance_id=None,
                process_id="p",
                definition_id=None,
                kind="stalled",
                element=None,
                message="m",
                message_en="m",
                actor="a",
                created_at=DEADLINE,
            )
            session.add(incident)
        failures = table_of(LoginFailureModel)
        with database.transaction() as session:  # through Core, as the hot path writes its rows
            session.execute(insert(failures).values(username="u", remote_addr="r", at=DEADLINE))
        with database.reading() as session:
            created = session.scalars(select(IncidentModel.created_at)).one()
            at = session.scalars(select(LoginFailureModel.at)).one()
            # Compared in the database with a bound China-time value: the same instant matches.
            same = session.scalars(select(LoginFailureModel.id).where(LoginFailureModel.at == DEADLINE)).all()
        assert created == at == DEADLINE
        assert created.utcoffset() == at.utcoffset() == UTC.utcoffset(None)
        assert created.hour == 15 and len(same) == 1
        with database.transaction() as session:
            session.execute(update(failures).values(at=datetime(2026, 12, 6, 8, 0, tzinfo=CHINA)))
        with database.reading() as session:
            assert session.scalars(select(LoginFailureModel.at)).one() == datetime(
                2026, 12, 6, 0, 0, tzinfo=UTC
            )
    finally:
        database.dispose()
