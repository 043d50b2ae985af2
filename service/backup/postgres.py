"""PostgreSQL backup and restore with the server's own tools, ``pg_dump`` and ``pg_restore``.

The dump is taken in the custom format (compressed, restorable selectively, checked by ``pg_restore
--list``) from a snapshot this module exports: the audit head and the schema revision written into the
manifest are read in the same snapshot the dump copies, so they describe exactly the dumped data. A
database URL that names a schema (``?options=-csearch_path%3D<schema>``, as the tests use) dumps that
schema only. The password never appears on a command line: it is passed in ``PGPASSWORD``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from service.backup.errors import BackupError

# The first schema of a search_path set in the URL's libpq options ("-csearch_path=<schema>").
_SEARCH_PATH = re.compile(r"-c\s*search_path\s*=\s*([^\s,]+)")


@dataclass(frozen=True)
class Target:
    """A PostgreSQL database as the client tools see it."""

    uri: str  # libpq URI without the password
    password: str | None
    schema: str | None  # the schema the URL selects with search_path, if any

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        if self.password:
            env["PGPASSWORD"] = self.password
        return env

    def connect(self, **options: object) -> psycopg.Connection:
        return psycopg.connect(self.uri, password=self.password, **options)  # type: ignore[arg-type]


def target(url: str) -> Target:
    parsed = make_url(url).set(drivername="postgresql")
    options = parsed.query.get("options", ())
    schema = None
    for value in [options] if isinstance(options, str) else options:
        found = _SEARCH_PATH.search(value)
        if found:
            schema = found.group(1).strip('"')
    uri = parsed._replace(password=None).render_as_string(hide_password=False)
    return Target(uri=uri, password=parsed.password, schema=schema)


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"找不到 {name}：请安装与服务器同版本的 PostgreSQL 客户端"
            "（Debian: apt-get install postgresql-client）"
            f" / {name} is not installed: install the PostgreSQL client of the server's version"
        )
    return path


@dataclass(frozen=True)
class DumpFacts:
    """What the dumped snapshot holds, read inside that snapshot."""

    head_seq: int
    head_hash: str | None
    revision: str | None


def dump(url: str, file: Path) -> DumpFacts:
    """``pg_dump --format=custom`` of the database (or the URL's schema) into ``file``, from one snapshot."""
    where = target(url)
    pg_dump = tool("pg_dump")
    partial = file.with_name(file.name + ".partial")
    with where.connect(autocommit=True) as connection:
        # The exported snapshot lives as long as this transaction: pg_dump runs inside it.
        connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = connection.execute("SELECT pg_export_snapshot()").fetchone()[0]  # type: ignore[index]
        facts = _facts(connection)
        command = [pg_dump, "--format=custom", f"--file={partial}", f"--snapshot={snapshot}"]
        if where.schema:
            command.append(f"--schema={where.schema}")
        command.append(f"--dbname={where.uri}")
        _run(command, where, "pg_dump")
        connection.execute("COMMIT")
    _run([tool("pg_restore"), "--list", str(partial)], where, "pg_restore --list")
    partial.replace(file)
    return facts


def _facts(connection: psycopg.Connection) -> DumpFacts:
    head = connection.execute("SELECT seq, hash FROM audit_head WHERE id = 1").fetchone()
    revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    return DumpFacts(
        head_seq=head[0] if head else 0,
        head_hash=head[1] if head else None,
        revision=revision[0] if revision else None,
    )


def table_count(url: str, schema: str | None) -> int:
    where = target(url)
    with where.connect() as connection:
        row = connection.execute(
            "SELECT count(*) FROM information_schema.tables"
            " WHERE table_schema = coalesce(%s, current_schema())",
            (schema,),
        ).fetchone()
    return int(row[0]) if row else 0


def restore(url: str, file: Path, dumped_schema: str | None, force: bool) -> None:
    """``pg_restore`` the dump into the database at ``url`` in one transaction (all or nothing)."""
    where = target(url)
    if dumped_schema and where.schema != dumped_schema:
        raise BackupError(
            f"备份只含模式 {dumped_schema}，请把 DATABASE_URL 的 search_path 设为它"
            f" / the dump holds the schema {dumped_schema} only: point DATABASE_URL's search_path at it"
            f" (?options=-csearch_path%3D{dumped_schema})"
        )
    existing = table_count(url, dumped_schema)
    if existing and not force:
        raise BackupError(
            f"目标数据库已有 {existing} 张表，拒绝覆盖（确需覆盖请加 --force，并先停止服务）"
            f" / the target database already holds {existing} tables; refusing to overwrite it"
            " (add --force to replace them, with the service stopped)"
        )
    if dumped_schema and not existing:
        # An empty schema of that name (made ready for the restore) would make CREATE SCHEMA fail;
        # DROP without CASCADE drops it only if it really holds nothing.
        with where.connect(autocommit=True) as connection:
            connection.execute(sql.SQL("DROP SCHEMA IF EXISTS {}").format(sql.Identifier(dumped_schema)))
    command = [tool("pg_restore"), "--exit-on-error", "--single-transaction", "--no-owner"]
    if existing:
        command += ["--clean", "--if-exists"]
    command += [f"--dbname={where.uri}", str(file)]
    _run(command, where, "pg_restore")


def _run(command: list[str], where: Target, what: str) -> None:
    done = subprocess.run(  # noqa: S603 - our own tool paths and arguments, no shell
        command, env=where.environment(), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BackupError(
            f"{what} 失败 / {what} failed (exit {done.returncode}): {done.stderr.strip()[-2000:]}"
        )
