"""The embedded database's backup and restore, both through SQLite's online backup API.

Copying the file while the service writes can lose what is still in the WAL, or tear a page in half. The
backup API reads through an ordinary connection, so it sees the committed state including the WAL; done
in one step (``pages=-1``) it copies one snapshot under one read transaction, which under WAL never
blocks the writers. The copy is switched to a rollback journal so that it is a single self-contained
file, checked with ``integrity_check`` and only then moved into place.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from service.backup.errors import BackupError

# A writer holds the lock for at most an engine action's budget (service/persistence/db.py).
_LOCK_WAIT_SECONDS = 30.0


def database_path(url: str) -> Path:
    path = url.removeprefix("sqlite:///").split("?", 1)[0]
    if not url.startswith("sqlite:///") or path in ("", ":memory:"):
        raise BackupError(f"不是 SQLite 数据库文件 / not an SQLite database file: {url}")
    return Path(path)


def copy_online(source: Path, target: Path) -> None:
    """Copy the live database at ``source`` into the new file ``target`` (one consistent snapshot)."""
    if not source.exists():
        raise BackupError(f"数据库文件不存在 / the database file does not exist: {source}")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    live = sqlite3.connect(source, timeout=_LOCK_WAIT_SECONDS)
    try:
        copy = sqlite3.connect(partial)
        try:
            live.backup(copy, pages=-1)
            copy.execute("PRAGMA journal_mode=DELETE")
            _check_integrity(copy, partial)
        finally:
            copy.close()
    finally:
        live.close()
    _fsync(partial)
    partial.replace(target)
    _fsync(target.parent)


def restore(backup_file: Path, target: Path) -> None:
    """Write the backup into ``target`` through the backup API (safe even over an existing database)."""
    check_file(backup_file)
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
    try:
        live = sqlite3.connect(target, timeout=_LOCK_WAIT_SECONDS)
        try:
            source.backup(live, pages=-1)
            # The service runs the database in WAL mode; set it now, as its connections would.
            live.execute("PRAGMA journal_mode=WAL")
            _check_integrity(live, target)
        finally:
            live.close()
    finally:
        source.close()


def check_file(path: Path) -> None:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        _check_integrity(connection, path)
    except sqlite3.DatabaseError as error:
        raise BackupError(
            f"备份文件不是完好的 SQLite 数据库 / the backup is not a sound SQLite file: {error}"
        ) from error
    finally:
        connection.close()


def has_tables(path: Path) -> bool:
    """Tell whether ``path`` is a database holding any table (an empty or absent file holds none)."""
    if not path.exists() or path.stat().st_size == 0:
        return False
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        count = connection.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
    finally:
        connection.close()
    return bool(count)


def _check_integrity(connection: sqlite3.Connection, path: Path) -> None:
    result = connection.execute("PRAGMA integrity_check").fetchall()
    if result != [("ok",)]:
        raise BackupError(f"数据库完整性检查失败 / integrity check failed for {path}: {result[:5]}")


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
