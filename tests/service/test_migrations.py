"""The Alembic migrations build exactly the schema the models declare, and undo it."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from service.persistence.migrate import alembic_config, is_current, upgrade
from service.persistence.models import Base


def test_migrations_match_the_models_and_downgrade(database_url: str) -> None:
    upgrade(database_url)
    engine = create_engine(database_url)
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    assert is_current(engine)
    command.downgrade(alembic_config(database_url), "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    assert not is_current(engine)
    engine.dispose()


def test_migrations_downgrade_with_an_instance_and_its_task(database_url: str) -> None:
    # SQLite's batch mode copies and drops a table to drop a column: with rows referring to `instances`
    # that failed (FOREIGN KEY constraint failed), which an empty database never shows.
    upgrade(database_url)
    engine = create_engine(database_url)
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        connection.execute(
            text("INSERT INTO bundles (sha256, files, created_at) VALUES ('b', '{}', CURRENT_TIMESTAMP)")
        )
        connection.execute(
            text(
                "INSERT INTO definitions (id, process_id, version, name, bundle_sha256, deployed_by,"
                " deployed_at) VALUES (1, 'p', 1, 'p', 'b', 'u', CURRENT_TIMESTAMP)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO instances (id, definition_id, process_id, status, subject, state,"
                " serializer_version, lock_version, started_by, created_at, updated_at)"
                " VALUES (1, 1, 'p', 'completed', 's', :state, 'v', 1, 'u', CURRENT_TIMESTAMP,"
                " CURRENT_TIMESTAMP)"
            ),
            {"state": b"{}"},
        )
        connection.execute(
            text(
                "INSERT INTO human_tasks (id, instance_id, process_id, spec_name, name_zh, name_en,"
                " department_code, subject, state, created_at, head_only)"
                " VALUES ('t', 1, 'p', 's', 'n', 'n', 'd', 's', 'completed', CURRENT_TIMESTAMP, false)"
            )
        )
    command.downgrade(alembic_config(database_url), "0023_attachment_labels")
    with engine.connect() as connection:
        columns = {column["name"] for column in inspect(connection).get_columns("instances")}
        assert "archived_at" not in columns
        assert connection.execute(text("SELECT count(*) FROM human_tasks")).scalar() == 1
    engine.dispose()
