"""Pooled PostgreSQL connections cut while idle (a database restart, a firewall) are replaced, not used."""

from __future__ import annotations

from contextlib import ExitStack

import psycopg
import pytest
from flask import Flask

from bench.pgschema import POSTGRES_URL
from service.context import ServiceContext
from service.persistence import db
from tests.conftest import User


def cut_pooled_connections(ctx: ServiceContext) -> int:
    """Terminate the backends of the connections the app's pool holds; return how many."""
    with ExitStack() as stack:
        connections = [stack.enter_context(ctx.database.engine.connect()) for _ in range(2)]
        pids = [c.exec_driver_sql("SELECT pg_backend_pid()").scalar_one() for c in connections]
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        for pid in pids:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    return len(pids)


def test_a_connection_cut_while_idle_is_replaced_before_use(
    app: Flask, ctx: ServiceContext, users: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    bureau = users["bureau"]
    bureau.get("/api/v1/queues")
    assert cut_pooled_connections(ctx) == 2
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)  # as if the pool had been idle a while
    assert bureau.get("/api/v1/queues")[0]["department"] == "police_bureau"


def test_without_the_idle_check_the_cut_connection_fails_the_request(
    app: Flask, ctx: ServiceContext, users: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The control for the test above: within the window nothing is checked, so the request meets the
    # dead connection (answered with the one error shape; the pool then drops it).
    bureau = users["bureau"]
    bureau.get("/api/v1/queues")
    cut_pooled_connections(ctx)
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 3600.0)
    assert bureau.get("/api/v1/queues", expect=500)["code"] == 500
    assert bureau.get("/api/v1/queues")[0]["department"] == "police_bureau"
