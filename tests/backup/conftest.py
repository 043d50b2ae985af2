"""Fixtures of the backup tests: the real ``auxpolice`` command, a writing process, fresh restore targets."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine, create_engine, inspect, select
from sqlalchemy.orm import Session

from bench.pgschema import POSTGRES_URL
from service.backup import postgres
from service.context import ServiceContext
from service.persistence.models import Base
from tests.conftest import REQUIRE_POSTGRES

ROOT = Path(__file__).resolve().parents[2]
AUXPOLICE = Path(sys.executable).parent / "auxpolice"
# The machine is shared and loaded: a command may take several seconds just to start.
COMMAND_TIMEOUT = 300


@dataclass
class Cli:
    """The ``auxpolice`` command run as its own process, on one database under one audit key."""

    url: str
    key: str

    def run(
        self, *args: str, url: str | None = None, key: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        env = dict(os.environ, DATABASE_URL=url or self.url, AUXPOLICE_AUDIT_KEY=key or self.key)
        env["PYTHONPATH"] = str(ROOT)
        return subprocess.run(  # noqa: S603 - our own command
            [str(AUXPOLICE), *args],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )

    def ok(self, *args: str, url: str | None = None, key: str | None = None) -> str:
        done = self.run(*args, url=url, key=key)
        assert done.returncode == 0, (args, done.returncode, done.stdout, done.stderr[-3000:])
        return done.stdout


@pytest.fixture
def cli(ctx: ServiceContext) -> Cli:
    # The key the test database was sealed under (the env's, or the project's instance/audit_key).
    return Cli(ctx.settings.database_url, ctx.settings.audit_key)


@dataclass
class Writer:
    """``tests/backup/writer.py`` running as a process: it completes tasks until it is killed."""

    process: subprocess.Popen[bytes]
    progress: Path

    def acknowledged(self) -> int:
        lines = self.progress.read_text().split() if self.progress.exists() else []
        return len([line for line in lines if line.isdigit()])

    def wait_for(self, completions: int, timeout: float = 240.0) -> int:
        """Wait until the service acknowledged at least ``completions`` writes; return how many it has."""
        deadline = time.monotonic() + timeout
        while (done := self.acknowledged()) < completions:
            if self.process.poll() is not None:
                raise AssertionError(f"the writer died (exit {self.process.returncode}) after {done}")
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"the writer made only {done} of {completions} completions in {timeout} s"
                )
            time.sleep(0.05)
        return done

    def kill(self) -> int:
        """SIGKILL the process (no clean shutdown, no checkpoint); return the acknowledged writes."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)
        return self.acknowledged()


@pytest.fixture
def start_writer(tmp_path: Path) -> Iterator[Callable[[Cli], Writer]]:
    writers: list[Writer] = []

    def start(cli: Cli) -> Writer:
        progress = tmp_path / f"writer-{len(writers)}.log"
        env = dict(os.environ, DATABASE_URL=cli.url, AUXPOLICE_AUDIT_KEY=cli.key, PYTHONPATH=str(ROOT))
        with (tmp_path / f"writer-{len(writers)}.err").open("wb") as errors:
            process = subprocess.Popen(  # noqa: S603 - our own helper
                [sys.executable, "-m", "tests.backup.writer", str(progress)],
                env=env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=errors,
            )
        writer = Writer(process, progress)
        writers.append(writer)
        return writer

    yield start
    for writer in writers:
        if writer.process.poll() is None:
            writer.kill()


@dataclass
class Targets:
    """Fresh, empty databases of the source's kind to restore into; PostgreSQL ones dropped afterwards."""

    source_url: str
    tmp_path: Path
    databases: list[str] = field(default_factory=list)

    def fresh(self) -> str:
        if self.source_url.startswith("sqlite"):
            directory = self.tmp_path / f"fresh-{uuid.uuid4().hex[:8]}"
            return f"sqlite:///{directory / 'auxpolice.db'}"
        name = f"restore_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        self.databases.append(name)
        base = POSTGRES_URL.rsplit("/", 1)[0]
        schema = postgres.target(self.source_url).schema
        # The dump holds the test's schema by name: the fresh database gets it under the same name.
        return f"{base}/{name}" + (f"?options=-csearch_path%3D{schema}" if schema else "")

    def drop(self) -> None:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
            for name in self.databases:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def targets(ctx: ServiceContext, tmp_path: Path) -> Iterator[Targets]:
    url = ctx.settings.database_url
    if url.startswith("postgresql") and not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        reason = "pg_dump/pg_restore are not installed (apt-get install postgresql-client)"
        if REQUIRE_POSTGRES:
            pytest.fail(reason)
        pytest.skip(f"PostgreSQL backup not tested: {reason}")
    made = Targets(url, tmp_path)
    yield made
    made.drop()


def engine_for(url: str) -> Engine:
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url)


def table_rows(url: str) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table of the service, in primary-key order: two databases compared whole."""
    engine = engine_for(url)
    try:
        with Session(engine) as session:
            rows: dict[str, list[tuple[object, ...]]] = {}
            present = set(inspect(engine).get_table_names())
            for table in Base.metadata.sorted_tables:
                if table.name not in present:
                    continue
                query = select(table).order_by(*table.primary_key.columns)
                rows[table.name] = [tuple(row) for row in session.execute(query)]
            return rows
    finally:
        engine.dispose()
