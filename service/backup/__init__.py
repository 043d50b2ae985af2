"""``auxpolice backup`` and ``auxpolice restore``: a backup is a directory the operator keeps whole.

    <backup>/manifest.json   what was backed up, when, its checksum, schema revision and audit chain head
    <backup>/auxpolice.db    SQLite: a consistent online copy (service/backup/sqlite.py)
    <backup>/auxpolice.dump  PostgreSQL: pg_dump custom format (service/backup/postgres.py)
    <backup>/audit_key       the audit key (mode 0600), unless the backup was taken --without-key

The audit key is not in the database: it authenticates the chain's head (service/audit), so a database
restored under another key reads as "head altered" although nothing was changed. The key therefore
travels with the backup by default, and the backup is as secret as the key. The manifest is written last:
a directory without one is an interrupted backup and is refused by restore.
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy.engine import make_url

from service.audit.checkpoint import key_id
from service.backup import postgres, sqlite
from service.backup.errors import BackupError

FORMAT = "auxpolice-backup"
VERSION = 1
MANIFEST = "manifest.json"
KEY_FILE = "audit_key"
SQLITE_FILE = "auxpolice.db"
POSTGRES_FILE = "auxpolice.dump"

__all__ = ["BackupError", "Manifest", "create", "read_manifest", "restore", "stored_key"]


@dataclass(frozen=True)
class Manifest:
    created_at: str  # ISO 8601, UTC
    database: str  # sqlite | postgresql
    source: str  # the backed-up database's URL without its password
    file: str
    sha256: str
    size: int
    schema_revision: str | None
    audit_head_seq: int
    audit_head_hash: str | None
    audit_key_id: str
    audit_key_included: bool
    postgres_schema: str | None = None
    format: str = FORMAT
    version: int = VERSION


def describe(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def create(url: str, key: str, path: Path, now: datetime, include_key: bool = True) -> Manifest:
    """Back the database at ``url`` up into the new (or empty) directory ``path``."""
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise BackupError(f"备份目录已存在且不为空 / the backup directory exists and is not empty: {path}")
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        return _write(url, key, path, now, include_key)
    except BaseException:
        # Leave no half backup behind (restore would refuse it, but it would look like one).
        for name in (SQLITE_FILE, POSTGRES_FILE, KEY_FILE, MANIFEST):
            for leftover in (path / name, path / f"{name}.partial"):
                leftover.unlink(missing_ok=True)
        if not any(path.iterdir()):
            path.rmdir()
        raise


def _write(url: str, key: str, path: Path, now: datetime, include_key: bool) -> Manifest:
    schema = None
    if url.startswith("sqlite"):
        data = path / SQLITE_FILE
        sqlite.copy_online(sqlite.database_path(url), data)
        seq, head_hash, revision = _sqlite_facts(data)
    elif url.startswith("postgresql"):
        data = path / POSTGRES_FILE
        facts = postgres.dump(url, data)
        seq, head_hash, revision = facts.head_seq, facts.head_hash, facts.revision
        schema = postgres.target(url).schema
    else:
        raise BackupError(f"不支持的数据库 / unsupported database: {describe(url)}")
    if include_key:
        key_path = path / KEY_FILE
        key_path.touch(mode=0o600)
        key_path.write_text(key + "\n")
    manifest = Manifest(
        created_at=now.isoformat(timespec="seconds"),
        database="sqlite" if url.startswith("sqlite") else "postgresql",
        source=describe(url),
        file=data.name,
        sha256=_sha256(data),
        size=data.stat().st_size,
        schema_revision=revision,
        audit_head_seq=seq,
        audit_head_hash=head_hash,
        audit_key_id=key_id(key),
        audit_key_included=include_key,
        postgres_schema=schema,
    )
    (path / MANIFEST).write_bytes(orjson.dumps(asdict(manifest), option=orjson.OPT_INDENT_2) + b"\n")
    return manifest


def _sqlite_facts(copy: Path) -> tuple[int, str | None, str | None]:
    connection = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
    try:
        head = connection.execute("SELECT seq, hash FROM audit_head WHERE id = 1").fetchone()
        revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError as error:
        raise BackupError(f"这不是 auxpolice 的数据库 / not an auxpolice database: {error}") from error
    finally:
        connection.close()
    seq, head_hash = (int(head[0]), str(head[1])) if head else (0, None)
    return seq, head_hash, revision[0] if revision else None


def read_manifest(path: Path) -> Manifest:
    """The backup's manifest, with its data file's checksum verified."""
    try:
        data: Any = orjson.loads((path / MANIFEST).read_bytes())
    except FileNotFoundError:
        raise BackupError(
            f"{path} 中没有 {MANIFEST}：不是备份目录，或备份未完成 / no {MANIFEST} in {path}: not a backup,"
            " or an interrupted one"
        ) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("version") != VERSION:
        raise BackupError(f"不认识的备份格式 / unknown backup format in {path / MANIFEST}")
    try:
        manifest = Manifest(**data)
    except TypeError as error:
        raise BackupError(f"备份清单字段不符 / the manifest's fields do not match: {error}") from error
    file = path / manifest.file
    if Path(manifest.file).name != manifest.file or not file.is_file():
        raise BackupError(f"备份数据文件缺失 / the backup's data file is missing: {file}")
    if _sha256(file) != manifest.sha256:
        raise BackupError(
            f"备份数据文件校验和不符（已损坏或被修改）/ the data file's checksum does not match: {file}"
        )
    return manifest


def stored_key(path: Path, manifest: Manifest, key_file: Path | None) -> str:
    """The audit key the backup was taken under: from ``key_file`` or the backup; its id must match."""
    source = key_file or path / KEY_FILE
    if not source.is_file():
        raise BackupError(
            "备份中没有审计密钥（备份时用了 --without-key）：请用 --key-file 指定当时的密钥文件"
            f" / the backup holds no audit key (taken --without-key): give it with --key-file"
            f" (key id {manifest.audit_key_id})"
        )
    key = source.read_text().strip()
    if key_id(key) != manifest.audit_key_id:
        raise BackupError(
            f"{source} 不是备份时的审计密钥（标识 {key_id(key)}，应为 {manifest.audit_key_id}）"
            f" / {source} is not the audit key the backup was taken under"
            f" (id {key_id(key)}, expected {manifest.audit_key_id})"
        )
    return key


def restore(url: str, path: Path, manifest: Manifest, force: bool) -> None:
    """Write the backup into the database at ``url``; refuse a database holding tables unless ``force``."""
    file = path / manifest.file
    if manifest.database == "sqlite":
        if not url.startswith("sqlite"):
            raise BackupError(
                "这是 SQLite 备份，目标却不是 SQLite / an SQLite backup, but the target is not SQLite"
            )
        target = sqlite.database_path(url)
        if sqlite.has_tables(target) and not force:
            raise BackupError(
                f"目标数据库 {target} 不为空，拒绝覆盖（确需覆盖请加 --force，并先停止服务）"
                f" / the target database {target} is not empty; refusing to overwrite it"
                " (add --force to replace it, with the service stopped)"
            )
        sqlite.restore(file, target)
        return
    if not url.startswith("postgresql"):
        raise BackupError(
            "这是 PostgreSQL 备份，目标却不是 PostgreSQL"
            " / a PostgreSQL backup, but the target is not PostgreSQL"
        )
    postgres.restore(url, file, manifest.postgres_schema, force)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
