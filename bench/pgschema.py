"""Helpers shared by the benchmarks and the tests: fresh PostgreSQL schemas, logging control.

A fresh schema per database, named in the URL option ``?options=-csearch_path%3D<schema>`` and dropped
afterwards, for the benchmarks and the few tests that need a schema; and a fresh database per test
(``fresh_database``), empty or a copy of a migrated, seeded template (tests/conftest.py).

The service configures the root logger at INFO with a JSON handler on stderr (``service.logs``; the
``spiff`` loggers at WARNING). ``discard_service_logs`` keeps that work (records are still built and
formatted) but sends the lines to /dev/null instead of the terminal; ``library_logging`` gives the
raw-engine measurements the library's default, a root logger at WARNING.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

import psycopg

from service.logs import JsonFormatter

POSTGRES_URL = os.environ.get("AUXPOLICE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
_devnull: IO[str] | None = None


def postgres_problem() -> str | None:
    """Why the local PostgreSQL cannot be used, or None when it answers."""
    try:
        with psycopg.connect(POSTGRES_URL, connect_timeout=3):
            return None
    except psycopg.Error as error:
        return f"PostgreSQL at {POSTGRES_URL} is not reachable ({str(error).strip().splitlines()[0]})"


@contextmanager
def fresh_schema(prefix: str = "bench") -> Iterator[str]:
    """Yield the database URL of a new, empty schema; drop the schema (and everything in it) afterwards."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


def create_database(prefix: str, template_url: str | None = None, durable: bool = True) -> str:
    """Create a new database, empty or a copy of ``template_url``'s, and return its name.

    Nothing may be connected to the template while it is copied. PostgreSQL 15's default strategy, WAL_LOG,
    copies block by block without the checkpoint that FILE_COPY waits for: 0.1-0.2 s for a small database
    on this machine, where migrating and seeding one took several seconds. ``durable=False`` (the tests'
    throwaway copies) sets ``synchronous_commit = off`` on the database: a commit no longer waits for its
    WAL flush (5 ms under load here), which loses nothing unless the server itself crashes.
    """
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    template = f' TEMPLATE "{template_url.rsplit("/", 1)[1]}"' if template_url else ""
    with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"{template}')
        if not durable:
            connection.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    return name


def drop_databases(names: list[str]) -> None:
    with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
        for name in names:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def url_of_database(name: str) -> str:
    return f"{POSTGRES_URL.rsplit('/', 1)[0]}/{name}"


@contextmanager
def fresh_database(prefix: str, template_url: str | None = None) -> Iterator[str]:
    """Yield the URL of a new database, empty or a copy of ``template_url``'s; drop it afterwards."""
    name = create_database(prefix, template_url)
    try:
        yield url_of_database(name)
    finally:
        drop_databases([name])


def discard_service_logs() -> None:
    """Point the service's JSON log handlers at /dev/null (formatting cost kept, terminal kept clean)."""
    global _devnull
    if _devnull is None:
        _devnull = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - lives as long as the process
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler) and isinstance(handler.formatter, JsonFormatter):
            handler.setStream(_devnull)


@contextmanager
def library_logging() -> Iterator[None]:
    """Run the block with the root logger at WARNING, as a program that never configured logging has it."""
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.WARNING)
    try:
        yield
    finally:
        root.setLevel(level)


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f} (1/5/15 min)"
