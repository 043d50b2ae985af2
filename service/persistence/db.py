"""Database engine and transactions: one use case, one transaction."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker


def _dumps(value: Any) -> str:
    # orjson is several times faster than json for the state documents every save writes.
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS, default=str).decode()


# How long a transaction waits for a lock another one holds before it gives up and the service answers
# 503 "busy, retry" (SQLite's busy_timeout, PostgreSQL's lock_timeout). A holder never keeps its locks much
# longer than an engine action's budget (workflows/budget.py), so a wait this long means the database is
# busy.
LOCK_WAIT_SECONDS = 30.0

# The key, in the ``info`` of a ``shared_reading`` session, of what the block's use cases remember of what
# they read there (service/usecases/names.py keeps the names it looked up).
SHARED_MEMO = "shared_reading_memo"

# SQLite's durability: FULL syncs the WAL on every commit, so an acknowledged transaction survives a power
# loss; NORMAL (syncing only at checkpoints) can lose the last ones. Measured in docs/benchmarks.md
# ("synchronous=FULL"); the benchmark compares the two by setting this module constant.
SQLITE_SYNCHRONOUS = "FULL"


def make_engine(
    url: str, *, for_writes: bool = True, lock_wait: float = LOCK_WAIT_SECONDS, **options: Any
) -> Engine:
    """Create the SQLAlchemy engine for ``url`` with the settings each backend needs."""
    options.setdefault("json_serializer", _dumps)
    options.setdefault("json_deserializer", orjson.loads)
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": lock_wait}, **options
        )
        _configure_sqlite(engine, immediate=for_writes, lock_wait=lock_wait)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    engine = create_engine(url, **options)
    _ping_idle_connections(engine)
    _bound_lock_waits(engine, lock_wait)
    return engine


def _bound_lock_waits(engine: Engine, lock_wait: float) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET lock_timeout = {int(lock_wait * 1000)}")
        dbapi_connection.commit()


# A pooled connection unused for longer than this is checked before it is handed out (HikariCP's
# "alive bypass window"): it may have been cut by a database restart or a firewall. Checking every
# checkout (pool_pre_ping) cost a round trip per transaction, two per API request.
PING_AFTER_IDLE_SECONDS = 5.0


def _ping_idle_connections(engine: Engine) -> None:
    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except Exception as error:  # noqa: BLE001 - any failure means the connection is unusable
            raise DisconnectionError("pooled connection is gone") from error
        if not alive:
            raise DisconnectionError("pooled connection is gone")  # the pool retries with a new one


def _configure_sqlite(engine: Engine, immediate: bool, lock_wait: float) -> None:
    # pysqlite's own transaction handling defers BEGIN and upgrades read locks late, which deadlocks two
    # writers; BEGIN IMMEDIATE takes the write lock up front, so writers queue instead (SQLAlchemy docs,
    # "Serializable isolation / Savepoints / Transactional DDL").
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(lock_wait * 1000)}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA synchronous={SQLITE_SYNCHRONOUS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Readers use a plain BEGIN: under WAL they never wait for the writer.
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class Database:
    """A session factory with a transaction helper."""

    def __init__(self, url: str, lock_wait: float = LOCK_WAIT_SECONDS) -> None:
        self.url = url
        self.engine = make_engine(url, lock_wait=lock_wait)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.is_sqlite = url.startswith("sqlite")
        self.read_engine = (
            make_engine(url, for_writes=False, lock_wait=lock_wait) if self.is_sqlite else self.engine
        )
        self.read_sessions = sessionmaker(self.read_engine, expire_on_commit=False)
        self._shared: ContextVar[Session | None] = ContextVar(f"shared_reading_{id(self)}", default=None)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """Yield a session inside one transaction: committed on success, rolled back on any error."""
        with self.sessions() as session, session.begin():
            yield session

    @contextmanager
    def single_read(self) -> Iterator[Connection]:
        """Yield a connection for one SELECT, outside a transaction where that saves round trips.

        PostgreSQL runs it in autocommit (no BEGIN and ROLLBACK); SQLite's read BEGIN is local anyway.
        For several reads that must agree with each other, use ``reading``.
        """
        with self.read_engine.connect() as connection:
            if not self.is_sqlite:
                connection.execution_options(isolation_level="AUTOCOMMIT")
            yield connection

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """Yield a session for reads only (inside ``shared_reading``, that block's session)."""
        shared = self._shared.get()
        if shared is not None:
            yield shared
            return
        # Closing (not rolling back) ends the transaction without expiring what was loaded.
        with self.read_sessions() as session:
            yield session

    @contextmanager
    def shared_reading(self) -> Iterator[Session]:
        """Make every ``reading`` in the block (this thread or task) the same session: a page drawn from
        many use cases reads in one transaction, one BEGIN and one connection, and an object loaded once
        (the instance each use case checks access to) is not selected again (issue 16: the instance page
        read in 20 sessions). Only for blocks that do not write: a write's own transaction would not be
        seen by objects this session already holds."""
        shared = self._shared.get()
        if shared is not None:
            yield shared
            return
        with self.read_sessions() as session:
            session.info[SHARED_MEMO] = {}
            # The identity map holds objects weakly: one a use case checked and let go (the instance,
            # each use case's access check) would be selected again by the next one. Held for the block.
            held: list[Any] = []
            event.listen(session, "loaded_as_persistent", lambda _session, loaded: held.append(loaded))
            token = self._shared.set(session)
            try:
                yield session
            finally:
                self._shared.reset(token)

    def dispose(self) -> None:
        self.engine.dispose()
        self.read_engine.dispose()
