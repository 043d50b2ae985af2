"""Fixtures: each test gets a fresh app over its own migrated database and a controllable clock."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service import create_app
from service.context import ServiceContext
from service.persistence import migrate
from service.usecases.definitions import deploy_bundled
from service.usecases.demo import DEMO_USERS
from service.usecases.directory import create_user, load_register
from workflows.ports import ManualClock


@pytest.fixture
def clock() -> ManualClock:
    # Anchored at the real time so that SpiffWorkflow's own wall-clock checks never fire a timer early.
    return ManualClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'auxpolice.db'}"


def token_of(username: str) -> str:
    return f"test-token-{username}"


def build_app(database_url: str, clock: ManualClock) -> Flask:
    migrate.upgrade(database_url)
    app = create_app({"DATABASE_URL": database_url, "TESTING": True}, clock=clock)
    return app


@pytest.fixture
def app(database_url: str, clock: ManualClock) -> Iterator[Flask]:
    app = build_app(database_url, clock)
    ctx: ServiceContext = app.extensions["auxpolice"]
    with ctx.database.transaction() as session:
        load_register(session)
        for demo in DEMO_USERS:
            create_user(
                ctx,
                session,
                demo.username,
                demo.display_name,
                list(demo.departments),
                token_of(demo.username),
                demo.heads,
                demo.roles,
                password=f"pw-{demo.username}",
            )
    deploy_bundled(ctx)
    yield app
    ctx.database.dispose()


@pytest.fixture
def ctx(app: Flask) -> ServiceContext:
    return app.extensions["auxpolice"]  # type: ignore[no-any-return]


@dataclass
class User:
    """A client acting as one demo user; every call checks the status it expects."""

    client: FlaskClient
    username: str

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {token_of(self.username)}"}

    def get(self, url: str, expect: int = 200, **kwargs: Any) -> Any:
        response = self.client.get(url, headers=self._headers(), **kwargs)
        assert response.status_code == expect, (url, response.status_code, response.get_json(silent=True))
        return response.get_json(silent=True)

    def post(self, url: str, json: Any = None, expect: int = 200) -> Any:
        response = self.client.post(url, json=json, headers=self._headers())
        assert response.status_code == expect, (url, response.status_code, response.get_json(silent=True))
        return response.get_json(silent=True)


@pytest.fixture
def users(app: Flask) -> dict[str, User]:
    client = app.test_client()
    return {demo.username: User(client, demo.username) for demo in DEMO_USERS}
