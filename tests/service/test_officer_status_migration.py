"""Migration 0010 on a database with officers: they are in service since their contract started."""

from __future__ import annotations

from datetime import date

from sqlalchemy import create_engine, text

from service.persistence.migrate import upgrade


def test_stored_officers_are_in_service_since_their_contract_start(database_url: str) -> None:
    upgrade(database_url, "0009_head_only_counts")
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO villages (code, name_zh, name_en, town, kind, households, many_small_venues)"
                " VALUES ('gs-v01', '崮山前村', 'Gushanqian Village', 'gushan', 'village', 300, false)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO officers (name, village_code, town, role, party_member, contract_number,"
                " contract_start, contract_end, status, hired_at) VALUES ('王建华', 'gs-v01', 'gushan',"
                " 'director_assistant', false, 'WH-001', '2026-01-01', '2028-12-31', 'in_service',"
                " '2026-01-01 00:00:00')"
            )
        )
    upgrade(database_url)
    with engine.connect() as connection:
        row = connection.execute(text("SELECT status_since, left_on, leave_reason FROM officers")).one()
    engine.dispose()
    since = row.status_since if isinstance(row.status_since, date) else date.fromisoformat(row.status_since)
    assert (since, row.left_on, row.leave_reason) == (date(2026, 1, 1), None, None)
