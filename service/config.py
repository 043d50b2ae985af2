"""Settings, read from the environment (documented in README.md) or passed to create_app."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


@dataclass
class Settings:
    """Service settings; every field has an AUXPOLICE_* or DATABASE_URL environment variable."""

    database_url: str = field(
        default_factory=lambda: os.environ.get(
            "DATABASE_URL", f"sqlite:///{PROJECT_ROOT / 'instance' / 'auxpolice.db'}"
        )
    )
    bpmn_dir: Path = field(
        default_factory=lambda: Path(os.environ.get("AUXPOLICE_BPMN_DIR", PROJECT_ROOT / "bpmn"))
    )
    forms_dir: Path = field(
        default_factory=lambda: Path(os.environ.get("AUXPOLICE_FORMS_DIR", PROJECT_ROOT / "forms"))
    )
    notice_period_days: int = field(default_factory=lambda: _env_int("AUXPOLICE_NOTICE_PERIOD_DAYS", 7))
    appraisal_start_day: int = field(default_factory=lambda: _env_int("AUXPOLICE_APPRAISAL_START_DAY", 25))
    appraisal_due_day: int = field(default_factory=lambda: _env_int("AUXPOLICE_APPRAISAL_DUE_DAY", 5))
    batch_workers: int = field(
        default_factory=lambda: _env_int("AUXPOLICE_BATCH_WORKERS", min(4, os.cpu_count() or 1))
    )
    # One engine action's budget (workflows/budget.py): past it the action is undone and an incident
    # recorded. The wall time bounds how long a runaway model can hold the database's write lock.
    action_max_seconds: float = field(
        default_factory=lambda: float(os.environ.get("AUXPOLICE_ACTION_MAX_SECONDS") or 10.0)
    )
    action_max_steps: int = field(default_factory=lambda: _env_int("AUXPOLICE_ACTION_MAX_STEPS", 900))
    # How long a write waits for another's lock before answering 503 with Retry-After.
    lock_wait_seconds: float = field(
        default_factory=lambda: float(os.environ.get("AUXPOLICE_LOCK_WAIT_SECONDS") or 30.0)
    )
    # Authenticates the audit chain's head; keep it out of the database (env or the instance folder).
    audit_key: str = field(default_factory=lambda: os.environ.get("AUXPOLICE_AUDIT_KEY", ""))

    @classmethod
    def from_mapping(cls, overrides: dict[str, Any] | None) -> Settings:
        settings = cls()
        names = {f.name for f in fields(cls)}
        for key, value in (overrides or {}).items():
            if key.lower() in names:
                setattr(settings, key.lower(), value)
        return settings
