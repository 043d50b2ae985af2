"""Page tests run on SQLite only: they are about pages; the API and service suites cover PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'auxpolice.db'}"
