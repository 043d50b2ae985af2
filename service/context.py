"""What every use case needs: the database, the clock, the settings and the parsed definitions."""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from service import audit
from service.config import PROJECT_ROOT, Settings
from service.persistence.db import Database
from service.persistence.models import BundleModel, DefinitionModel
from workflows.budget import ActionLimits
from workflows.ports import Clock
from workflows.specs import ProcessSpecs, parse_bundle

_PARSED_BUNDLES: dict[str, ProcessSpecs] = {}
# Where the web interface registers its error page renderer (app.extensions): a refused page is answered
# with a page in the person's language, never the API's JSON; the API finds it there without importing web.
ERROR_PAGE = "auxpolice.error_page"


def _instance_secret(name: str) -> str:
    """A random secret kept in the instance folder (the embedded set-up); production sets it by env."""
    path = PROJECT_ROOT / "instance" / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


@dataclass
class ServiceContext:
    settings: Settings
    database: Database
    clock: Clock
    # Parsed bundles are immutable and keyed by content hash, so every context of the process shares them.
    _specs: dict[str, ProcessSpecs] = field(default_factory=lambda: _PARSED_BUNDLES)
    # definition id -> bundle sha256: immutable once deployed, so safe to remember for the process' life.
    _definition_bundles: dict[int, str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def action_limits(self) -> ActionLimits:
        return ActionLimits(
            max_steps=self.settings.action_max_steps, max_seconds=self.settings.action_max_seconds
        )

    def __post_init__(self) -> None:
        if not self.settings.audit_key:
            self.settings.audit_key = _instance_secret("audit_key")
        audit.install(self.database.sessions, self.settings.audit_key)

    def specs_for_definition(self, session: Session, definition_id: int) -> ProcessSpecs:
        """The parsed bundle of a definition, reading the database only the first time."""
        sha = self._definition_bundles.get(definition_id)
        if sha is None:
            sha = session.scalar(
                select(DefinitionModel.bundle_sha256).where(DefinitionModel.id == definition_id)
            )
            if sha is None:
                raise LookupError(f"definition {definition_id} does not exist")
            self._definition_bundles[definition_id] = sha
        cached = self._specs.get(sha)
        if cached is not None:
            return cached
        files = session.scalar(select(BundleModel.files).where(BundleModel.sha256 == sha))
        if files is None:
            raise LookupError(f"bundle {sha} does not exist")
        return self.specs(sha, files)

    def specs(self, sha256: str, files: dict[str, str]) -> ProcessSpecs:
        """Return the parsed bundle, parsing it once per process (bundles are immutable)."""
        cached = self._specs.get(sha256)
        if cached is None:
            parsed = parse_bundle(files, stored=True)
            with self._lock:
                cached = self._specs.setdefault(sha256, parsed)
        return cached
