"""The auxpolice Flask service: create_app builds it; nothing connects at import time."""

from __future__ import annotations

from typing import Any

from flask import Flask

from service.config import Settings
from service.context import ServiceContext
from service.persistence.db import Database
from workflows.ports import Clock, SystemClock


def create_app(config: dict[str, Any] | None = None, clock: Clock | None = None) -> Flask:
    """Build the app; ``config`` overrides Settings fields (e.g. DATABASE_URL) and Flask settings."""
    app = Flask(__name__)
    app.config.update(config or {})
    settings = Settings.from_mapping(config)
    ctx = ServiceContext(
        settings=settings, database=Database(settings.database_url), clock=clock or SystemClock()
    )
    app.extensions["auxpolice"] = ctx
    app.json.ensure_ascii = False  # type: ignore[attr-defined]

    # Operators register themselves on import; the API needs them before any definition is deployed.
    import service.usecases.appraisal  # noqa: F401
    import service.usecases.recruitment  # noqa: F401
    from service.api import init_api

    init_api(app)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
