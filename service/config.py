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


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if not value else value.strip().lower() not in ("0", "false", "no", "off")


def _default_cookie_secure() -> bool:
    # Session cookies are Secure (sent over HTTPS only) unless said otherwise. The one exception is the
    # embedded demo (no DATABASE_URL: the SQLite file under instance/), which `auxpolice serve` runs over
    # plain HTTP on the demonstrator's own machine; a real deployment sets DATABASE_URL and sits behind TLS.
    return _env_bool("AUXPOLICE_COOKIE_SECURE", "DATABASE_URL" in os.environ)


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
    appraisal_start_day: int = field(default_factory=lambda: _env_int("AUXPOLICE_APPRAISAL_START_DAY", 25))
    appraisal_due_day: int = field(default_factory=lambda: _env_int("AUXPOLICE_APPRAISAL_DUE_DAY", 5))
    # How many days before a labour contract ends its renewal is raised (service/usecases/roster/renewal.py).
    contract_renewal_days: int = field(
        default_factory=lambda: _env_int("AUXPOLICE_CONTRACT_RENEWAL_DAYS", 60)
    )
    # How many days the bell keeps a notification (of a task no longer open); the scheduler purges older ones
    # daily and `auxpolice notifications purge` on demand. 0: keep them all.
    notification_retention_days: int = field(
        default_factory=lambda: _env_int("AUXPOLICE_NOTIFICATION_RETENTION_DAYS", 180)
    )
    # Retention (issue 16): a finished instance's engine state is dropped this many days after it ended by
    # `auxpolice retention archive`; its history stays. Two years: see docs/design.md, "Retention".
    retention_days: int = field(default_factory=lambda: _env_int("AUXPOLICE_RETENTION_DAYS", 730))
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
    # Accounts and sessions (issue 12): how long credentials live.
    login_token_hours: int = field(default_factory=lambda: _env_int("AUXPOLICE_LOGIN_TOKEN_HOURS", 12))
    token_days: int = field(default_factory=lambda: _env_int("AUXPOLICE_TOKEN_DAYS", 30))
    token_max_days: int = field(default_factory=lambda: _env_int("AUXPOLICE_TOKEN_MAX_DAYS", 90))
    session_idle_minutes: int = field(default_factory=lambda: _env_int("AUXPOLICE_SESSION_IDLE_MINUTES", 30))
    session_max_hours: int = field(default_factory=lambda: _env_int("AUXPOLICE_SESSION_MAX_HOURS", 12))
    cookie_secure: bool = field(default_factory=_default_cookie_secure)
    # Login slowdown: after this many failures of one username from one source (four times as many from
    # one source, or for one username from anywhere) each further try waits twice as long, up to the cap.
    login_free_failures: int = field(default_factory=lambda: _env_int("AUXPOLICE_LOGIN_FREE_FAILURES", 5))
    login_backoff_max_seconds: int = field(
        default_factory=lambda: _env_int("AUXPOLICE_LOGIN_BACKOFF_MAX_SECONDS", 900)
    )
    login_failure_window_minutes: int = field(
        default_factory=lambda: _env_int("AUXPOLICE_LOGIN_FAILURE_WINDOW_MINUTES", 60)
    )
    # Reverse proxies in front of the service whose X-Forwarded-For/-Proto are trusted: behind one, the
    # socket's address is the proxy's, and the login slowdown by source would treat everyone as one source.
    trusted_proxies: int = field(default_factory=lambda: _env_int("AUXPOLICE_TRUSTED_PROXIES", 0))
    # Input limits (issue 12): a larger request body is refused with 413 before it is read; JSON nested
    # deeper, instance data larger when saved and a definition bundle larger in total are refused with 422.
    max_request_bytes: int = field(
        default_factory=lambda: _env_int("AUXPOLICE_MAX_REQUEST_BYTES", 16 * 1024 * 1024)
    )
    max_json_depth: int = field(default_factory=lambda: _env_int("AUXPOLICE_MAX_JSON_DEPTH", 32))
    max_instance_data_bytes: int = field(
        default_factory=lambda: _env_int("AUXPOLICE_MAX_INSTANCE_DATA_BYTES", 8 * 1024 * 1024)
    )
    max_bundle_bytes: int = field(
        default_factory=lambda: _env_int("AUXPOLICE_MAX_BUNDLE_BYTES", 8 * 1024 * 1024)
    )
    # An attachment's largest size (a scanned contract or vetting file, issue 15): larger is refused (413).
    max_attachment_bytes: int = field(
        default_factory=lambda: _env_int("AUXPOLICE_MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024)
    )

    # The inbox counts its tasks, tabs and badges up to this many and shows more as "1,000+" (issue 15:
    # an exact count reads every open task of a department on every page; docs/benchmarks.md).
    inbox_count_bound: int = field(default_factory=lambda: _env_int("AUXPOLICE_INBOX_COUNT_BOUND", 1000))

    @classmethod
    def from_mapping(cls, overrides: dict[str, Any] | None) -> Settings:
        settings = cls()
        names = {f.name for f in fields(cls)}
        for key, value in (overrides or {}).items():
            if key.lower() in names:
                setattr(settings, key.lower(), value)
        return settings
