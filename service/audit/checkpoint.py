"""Signed checkpoints of the audit chain's head, kept by the auditor outside the system.

The head row (``audit_head``) catches events deleted from the end of the chain, but only within one
database: a database restored from an older backup carries an older head whose MAC is just as valid, so
``verify`` passes and nothing says that events are missing. A checkpoint is that head (sequence and hash)
written out with the time and signed with the audit key; the auditor keeps the file (or its printout)
where the system cannot change it, and ``compare`` later tells whether the chain still reaches it.

The signature is an HMAC under the audit key with its own prefix, so a head row's MAC can never pass for a
checkpoint's signature. Whoever holds the key can sign a checkpoint; what the signature rules out is a
checkpoint edited, or written, by someone without it.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.audit import GENESIS, ChainProblem, head_mac
from service.persistence.models import AuditEventModel, AuditHeadModel
from workflows.ports import CHINA

FORMAT = "auxpolice-audit-checkpoint"
VERSION = 1
_SIGNATURE_PREFIX = b"auxpolice audit checkpoint v1\n"
_SIGNED = ("format", "version", "seq", "hash", "taken_at", "event_at", "database", "key_id")


class CheckpointError(Exception):
    """A checkpoint that cannot be taken or read; the message is Chinese, then English."""


def key_id(key: str) -> str:
    """A short fingerprint of the audit key: names which key signed, without revealing it."""
    return hashlib.sha256(b"auxpolice audit key id\n" + key.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Checkpoint:
    """The chain's head at ``taken_at``: the event ``seq`` (written at ``event_at``) has hash ``hash``."""

    seq: int
    hash: str
    taken_at: str  # ISO 8601, UTC
    event_at: str | None  # when the head event was recorded (ISO 8601, UTC); None for an empty chain
    database: str  # where it was taken, for the reader (never a password)
    key_id: str
    signature: str = ""
    format: str = FORMAT
    version: int = VERSION

    def signed_bytes(self) -> bytes:
        values = asdict(self)
        return _SIGNATURE_PREFIX + orjson.dumps(
            {name: values[name] for name in _SIGNED}, option=orjson.OPT_SORT_KEYS
        )

    def to_json(self) -> str:
        return orjson.dumps(asdict(self), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode() + "\n"


def sign(checkpoint: Checkpoint, key: str) -> Checkpoint:
    signature = hmac.new(key.encode(), checkpoint.signed_bytes(), hashlib.sha256).hexdigest()
    return Checkpoint(**{**asdict(checkpoint), "signature": signature})


def signature_valid(checkpoint: Checkpoint, key: str) -> bool:
    expected = hmac.new(key.encode(), checkpoint.signed_bytes(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, checkpoint.signature)


def parse(text: str) -> Checkpoint:
    """Read a checkpoint file; refuse anything that is not one (the signature is checked separately)."""
    try:
        data: Any = orjson.loads(text)
    except orjson.JSONDecodeError as error:
        raise CheckpointError(
            f"不是审计检查点文件（JSON 无效）/ not an audit checkpoint (invalid JSON: {error})"
        ) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("version") != VERSION:
        raise CheckpointError(
            f"不是审计检查点文件 / not an audit checkpoint (expected format {FORMAT} v{VERSION})"
        )
    try:
        checkpoint = Checkpoint(
            seq=data["seq"],
            hash=data["hash"],
            taken_at=data["taken_at"],
            event_at=data.get("event_at"),
            database=data["database"],
            key_id=data["key_id"],
            signature=data["signature"],
        )
    except KeyError as error:
        raise CheckpointError(
            f"审计检查点缺少字段 {error} / the checkpoint lacks the field {error}"
        ) from None
    text_fields = (checkpoint.hash, checkpoint.taken_at, checkpoint.database, checkpoint.key_id)
    if (
        type(checkpoint.seq) is not int
        or checkpoint.seq < 0
        or not all(isinstance(value, str) for value in (*text_fields, checkpoint.signature))
    ):
        raise CheckpointError("审计检查点的字段类型不符 / the checkpoint's fields have the wrong types")
    return checkpoint


def take(session: Session, key: str, now: datetime, database: str) -> Checkpoint:
    """Sign the chain's current head; refuse when the head row does not authenticate."""
    head = session.get(AuditHeadModel, 1)
    if head is None:
        seq, hash_value, event_at = 0, GENESIS, None
    else:
        if not hmac.compare_digest(head.mac, head_mac(key, head.seq, head.hash)):
            raise CheckpointError(
                "链头记录的校验码与审计密钥不符，拒绝签发检查点（请先运行 audit verify）"
                " / the chain head does not authenticate under the audit key; no checkpoint signed"
                " (run audit verify first)"
            )
        seq, hash_value = head.seq, head.hash
        at = session.scalar(select(AuditEventModel.at).where(AuditEventModel.seq == seq))
        event_at = _iso(at) if at is not None else None
    unsigned = Checkpoint(
        seq=seq,
        hash=hash_value,
        taken_at=_iso(now),
        event_at=event_at,
        database=database,
        key_id=key_id(key),
    )
    return sign(unsigned, key)


def _iso(value: datetime) -> str:
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)  # SQLite returns UTC without the zone
    return aware.astimezone(UTC).isoformat(timespec="seconds")


def beijing(iso: str | None, english: bool = False) -> str:
    """An ISO time from a checkpoint in Beijing time, with the zone named."""
    if not iso:
        return "—"
    shown = datetime.fromisoformat(iso).astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")
    return f"{shown} Beijing time" if english else f"{shown}（北京时间）"


def check_signature(checkpoint: Checkpoint, key: str) -> ChainProblem | None:
    """A problem when the checkpoint was not signed with this service's audit key."""
    if checkpoint.key_id != key_id(key):
        return ChainProblem(
            "forged",
            checkpoint.seq,
            None,
            f"检查点由另一个审计密钥签发（密钥标识 {checkpoint.key_id}，本系统为 {key_id(key)}）："
            "可能恢复时未带上原审计密钥，或检查点是伪造的"
            f" / the checkpoint was signed with another audit key (id {checkpoint.key_id}, this service's"
            f" is {key_id(key)}): restored without its audit key, or a forged checkpoint",
        )
    if not signature_valid(checkpoint, key):
        return ChainProblem(
            "forged",
            checkpoint.seq,
            None,
            "检查点的签名无效：文件被修改或伪造"
            " / the checkpoint's signature is invalid: it was edited or forged",
        )
    return None


def compare(session: Session, checkpoint: Checkpoint) -> list[ChainProblem]:
    """Tell whether the stored chain still reaches the checkpointed head (check the signature first)."""
    if checkpoint.seq == 0:
        return []
    stored = session.scalar(select(AuditEventModel.hash).where(AuditEventModel.seq == checkpoint.seq))
    if stored is not None:
        if stored == checkpoint.hash:
            return []
        return [
            ChainProblem(
                "diverged",
                checkpoint.seq,
                None,
                f"第 {checkpoint.seq} 条事件的哈希与检查点不符：检查点之前的历史被改写或替换，"
                "或数据库从检查点之前的备份恢复后又写入了新事件"
                f" / event {checkpoint.seq} does not match the checkpoint's hash: the history up to the"
                " checkpoint was rewritten or replaced, or the database was restored from an older backup"
                " and has recorded new events since",
            )
        ]
    last = session.scalar(select(func.max(AuditEventModel.seq))) or 0
    head = session.get(AuditHeadModel, 1)
    newest = max(last, head.seq if head is not None else 0)
    if newest >= checkpoint.seq:  # the head claims the position but the event itself is gone
        return [
            ChainProblem(
                "missing",
                checkpoint.seq,
                None,
                f"检查点记录的第 {checkpoint.seq} 条事件不存在"
                f" / event {checkpoint.seq}, the checkpoint's head, does not exist",
            )
        ]
    first, count = newest + 1, checkpoint.seq - newest
    taken, taken_en = beijing(checkpoint.taken_at), beijing(checkpoint.taken_at, english=True)
    return [
        ChainProblem(
            "missing",
            first,
            None,
            f"缺少 {count} 条审计事件（第 {first}–{checkpoint.seq} 条），"
            f"它们在 {taken} 的检查点之前已经记录："
            f"数据库可能是从该检查点之前的备份恢复的，最后一条存留事件为第 {newest} 条"
            f" / {count} audit events are missing (seq {first} to {checkpoint.seq}), recorded before the"
            f" checkpoint of {taken_en}: the database was probably restored from a backup older than the"
            f" checkpoint; the newest event left is seq {newest}",
        )
    ]
