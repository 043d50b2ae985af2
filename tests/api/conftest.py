"""Fixtures of the API tests beyond the shared ones (tests/conftest.py)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from flask import Flask

from service import create_app
from service.persistence import migrate
from tests.conftest import seed
from workflows.ports import ManualClock


@pytest.fixture
def tuned(
    database_url: str, request: pytest.FixtureRequest, password_hashes: dict[str, str]
) -> Iterator[Flask]:
    """The service with a short action budget and lock wait, so the tests do not wait long."""
    if database_url.startswith("sqlite:///"):
        shutil.copyfile(request.getfixturevalue("sqlite_template"), database_url.removeprefix("sqlite:///"))
    migrate.upgrade(database_url)
    config = {
        "DATABASE_URL": database_url,
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        # A write waits longer for a lock than an action may take, as in production (10 s and 30 s).
        "ACTION_MAX_SECONDS": 1.5,
        "LOCK_WAIT_SECONDS": 4.0,
    }
    app = create_app(config, clock=ManualClock())
    if not database_url.startswith("sqlite:///"):
        seed(app, password_hashes)
    yield app
    app.extensions["auxpolice"].database.dispose()
