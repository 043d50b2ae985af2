"""Fixtures: each test gets a fresh app over its own migrated database and a controllable clock."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from bench.pgschema import create_database, fresh_schema, url_of_database
from bench.pgschema import postgres_problem as local_postgres_problem
from service import create_app, service_context
from service.context import ServiceContext
from service.persistence import migrate
from service.usecases.definitions import deploy_bundled
from service.usecases.demo import DEMO_USERS
from service.usecases.directory import create_user, load_register
from service.usecases.passwords import hash_password
from tests.throwaway_databases import DeferredDrops
from workflows.ports import ManualClock

# A fixed moment: timers run on the service clock alone (workflows/timers.py), so the tests' dates (the
# 2026-11 appraisal month, due on 5 December) hold whatever day the suite runs on.
TEST_START = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)


# The longest tests (a minute or more each in CI: the API fuzzing, every page at two widths, real backup
# processes, the walks through the web) start first: with ``--dist worksteal`` (./dev) the other worker
# takes the short ones meanwhile, instead of one long test running alone at the end of the run.
LONGEST_FIRST = (
    "tests/api/test_schemathesis.py",
    "tests/e2e/test_phone_width.py",
    "tests/backup/",
    "tests/e2e/test_walk_",
    "tests/stress/",
    "tests/service/test_year_generator.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: not item.nodeid.startswith(LONGEST_FIRST))


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(TEST_START)


# CI sets this so that a missing PostgreSQL server fails the run instead of skipping its half.
REQUIRE_POSTGRES = os.environ.get("AUXPOLICE_REQUIRE_POSTGRES") == "1"


@pytest.fixture(scope="session")
def postgres_problem() -> str | None:
    return local_postgres_problem()


def postgres_schema_url(postgres_problem: str | None) -> Iterator[str]:
    """A fresh, empty schema of the local PostgreSQL as a database URL; dropped afterwards."""
    if postgres_problem:
        if REQUIRE_POSTGRES:
            pytest.fail(postgres_problem)
        pytest.skip(f"skipped on PostgreSQL: {postgres_problem}; start it to run these tests")
    with fresh_schema("t") as url:
        yield url


@pytest.fixture(scope="session")
def deferred_drops() -> Iterator[DeferredDrops]:
    drops = DeferredDrops()
    yield drops
    drops.close()


def postgres_database_url(
    postgres_problem: str | None, drops: DeferredDrops, template_url: str | None = None
) -> Iterator[str]:
    """A fresh database of the local PostgreSQL (empty, or a copy of the template) as a URL, not durable
    (``create_database``), dropped in a later batch (tests/throwaway_databases.py)."""
    if postgres_problem:
        if REQUIRE_POSTGRES:
            pytest.fail(postgres_problem)
        pytest.skip(f"skipped on PostgreSQL: {postgres_problem}; start it to run these tests")
    name = create_database("t", template_url, durable=False)
    try:
        yield url_of_database(name)
    finally:
        drops.add(name)


# The PostgreSQL databases made as copies of the seeded template; a fixture of its own (a stress test's
# schema, say) yields an empty one, which the app fixture migrates and seeds as before.
SEEDED_COPIES: set[str] = set()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_problem: str | None
) -> Iterator[str]:
    """Every database test runs twice: on an SQLite file and on a fresh database of the local PostgreSQL.

    The database starts empty, unless the test uses the app: then it is a copy of the migrated, seeded
    template (copied here, on PostgreSQL, rather than created empty and replaced).
    """
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'auxpolice.db'}"
        return
    template = request.getfixturevalue("postgres_template") if "app" in request.fixturenames else None
    drops = request.getfixturevalue("deferred_drops")
    for url in postgres_database_url(postgres_problem, drops, template_url=template):
        if template:
            SEEDED_COPIES.add(url)
        yield url
        SEEDED_COPIES.discard(url)


def token_of(username: str) -> str:
    return f"test-token-{username}"


TEST_CONFIG = {"TESTING": True, "SECRET_KEY": "test-secret", "COOKIE_SECURE": False}


def build_app(database_url: str, clock: ManualClock) -> Flask:
    migrate.upgrade(database_url)
    return create_app({"DATABASE_URL": database_url, **TEST_CONFIG}, clock=clock)


@pytest.fixture(scope="session", autouse=True)
def compiled_translations() -> None:
    """Compile the message catalogues, as ./dev does, so a bare pytest run sees translations too."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in (Path(__file__).resolve().parents[1] / "service" / "translations").glob("*/LC_MESSAGES/*.po"):
        # Written aside and renamed: parallel workers (pytest -n) never read a half-written catalogue.
        partial = po.with_suffix(f".mo.{os.getpid()}")
        with po.open("rb") as source, partial.open("wb") as target:
            write_mo(target, read_po(source))
        partial.replace(po.with_suffix(".mo"))


def seed(app: Flask, password_hashes: dict[str, str]) -> None:
    """The register, the demo users (fixed tokens, password ``pw-<username>``) and the definitions."""
    ctx: ServiceContext = app.extensions["auxpolice"]
    with ctx.database.transaction() as session:
        load_register(session)
        for demo in DEMO_USERS:
            user, _token = create_user(
                ctx,
                session,
                demo.username,
                demo.display_name,
                list(demo.departments),
                token_of(demo.username),
                demo.heads,
                demo.roles,
            )
            user.password_hash = password_hashes[demo.username]
    deploy_bundled(ctx)


@pytest.fixture(scope="session")
def password_hashes() -> dict[str, str]:
    # argon2 is slow on purpose; hash each demo password once per run, not once per test.
    return {demo.username: hash_password(f"pw-{demo.username}") for demo in DEMO_USERS}


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory, password_hashes: dict[str, str]) -> Path:
    """A migrated, seeded SQLite file; each SQLite test starts from a copy of it."""
    path = tmp_path_factory.mktemp("template") / "auxpolice.db"
    app = build_app(f"sqlite:///{path}", ManualClock(datetime.now(UTC).replace(microsecond=0)))
    seed(app, password_hashes)
    app.extensions["auxpolice"].database.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_template(
    postgres_problem: str | None, password_hashes: dict[str, str], deferred_drops: DeferredDrops
) -> Iterator[str]:
    """A migrated, seeded PostgreSQL database (one per worker); each test's database is a copy of it."""
    for url in postgres_database_url(postgres_problem, deferred_drops):
        app = build_app(url, ManualClock(datetime.now(UTC).replace(microsecond=0)))
        seed(app, password_hashes)
        app.extensions["auxpolice"].database.dispose()
        yield url


@pytest.fixture(scope="session")
def app_shell(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """One app per worker, given each test's database and clock in turn.

    Building an app compiles its 200-odd URL rules and the OpenAPI document: about half a second, paid
    once per worker instead of once per test. Each test gets a service context of its own, and the app's
    config and extensions are put back as they were after it.
    """
    placeholder = tmp_path_factory.mktemp("shell") / "unused.db"
    return create_app({"DATABASE_URL": f"sqlite:///{placeholder}", **TEST_CONFIG})


@pytest.fixture
def app(database_url: str, clock: ManualClock, request: pytest.FixtureRequest) -> Iterator[Flask]:
    """The service over the test's database: a copy of the migrated, seeded template, or else seeded here.

    ``@pytest.mark.own_app``: a test that changes the app itself (adds a route) gets an app of its own.
    """
    if database_url.startswith("sqlite:///"):
        shutil.copyfile(request.getfixturevalue("sqlite_template"), database_url.removeprefix("sqlite:///"))
    elif database_url not in SEEDED_COPIES:
        seeding = build_app(database_url, clock)
        seed(seeding, request.getfixturevalue("password_hashes"))
        seeding.extensions["auxpolice"].database.dispose()
    if request.node.get_closest_marker("own_app"):
        app = build_app(database_url, clock)
        yield app
        app.extensions["auxpolice"].database.dispose()
        return
    app = request.getfixturevalue("app_shell")
    config, extensions = dict(app.config), dict(app.extensions)
    app.config["DATABASE_URL"] = database_url
    app.extensions["auxpolice"] = service_context({"DATABASE_URL": database_url, **TEST_CONFIG}, clock)
    yield app
    app.extensions["auxpolice"].database.dispose()
    app.config.clear()
    app.config.update(config)
    app.extensions.clear()
    app.extensions.update(extensions)


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


@contextmanager
def served(app: Flask) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1 (a thread per request); yield its base URL, stop it afterwards."""
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{http.server_port}"
    finally:
        http.shutdown()
        thread.join(timeout=10)
