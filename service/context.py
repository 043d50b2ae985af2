"""What every use case needs: the database, the clock, the settings and the parsed definitions."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from service import audit
from service.config import Settings
from service.persistence.db import Database
from workflows.ports import Clock
from workflows.specs import ProcessSpecs, parse_bundle


@dataclass
class ServiceContext:
    settings: Settings
    database: Database
    clock: Clock
    _specs: dict[str, ProcessSpecs] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        audit.install(self.database.sessions)

    def specs(self, sha256: str, files: dict[str, str]) -> ProcessSpecs:
        """Return the parsed bundle, parsing it once per process (bundles are immutable)."""
        cached = self._specs.get(sha256)
        if cached is None:
            parsed = parse_bundle(files)
            with self._lock:
                cached = self._specs.setdefault(sha256, parsed)
        return cached
