"""The auxpolice Flask service: create_app builds it; nothing connects at import time."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app

from service import logs
from service.config import Settings
from service.context import ServiceContext
from service.persistence import migrate
from service.persistence.db import Database
from workflows.ports import Clock, SystemClock


def service_context(config: dict[str, Any] | None = None, clock: Clock | None = None) -> ServiceContext:
    """The settings, database and clock every use case runs with (``config`` overrides Settings fields)."""
    settings = Settings.from_mapping(config)
    return ServiceContext(
        settings=settings,
        database=Database(settings.database_url, settings.lock_wait_seconds),
        clock=clock or SystemClock(),
    )


def create_app(config: dict[str, Any] | None = None, clock: Clock | None = None) -> Flask:
    """Build the app; ``config`` overrides Settings fields (e.g. DATABASE_URL) and Flask settings."""
    app = Flask(__name__)
    app.config.update(config or {})
    app.extensions["auxpolice"] = service_context(config, clock)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]

    # Operators register themselves on import; the API needs them before any definition is deployed.
    import service.usecases.appraisal  # noqa: F401
    import service.usecases.recruitment  # noqa: F401
    import service.usecases.roster  # noqa: F401
    from service.api import init_api

    init_api(app)
    from service.web import csrf, init_web

    init_web(app)
    for blueprint in app.blueprints.values():
        if blueprint.name != "web":
            csrf.exempt(blueprint)  # the API authenticates with bearer tokens, never with cookies

    logs.configure(app.config.get("LOG_LEVEL", "INFO"))
    logs.init_request_logging(app)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    @app.get("/readyz")
    def readyz() -> tuple[dict[str, Any], int]:
        """The database answers and every migration is applied."""
        try:
            current = migrate.is_current(current_app.extensions["auxpolice"].database.engine)
        except Exception as error:  # noqa: BLE001 - any failure means "not ready", with the reason
            return {"status": "unavailable", "database": f"unreachable: {type(error).__name__}"}, 503
        if not current:
            return {
                "status": "unavailable",
                "database": "migrations pending: run `auxpolice db upgrade`",
            }, 503
        return {"status": "ready", "database": "ok"}, 200

    return app
