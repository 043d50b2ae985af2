"""Stress fixtures: the real PostgreSQL, the service behind a real HTTP server on loopback."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask

from tests.conftest import postgres_schema_url, served


@pytest.fixture
def database_url(postgres_problem: str | None) -> Iterator[str]:
    """Stress tests are about row locks and SKIP LOCKED: PostgreSQL only."""
    yield from postgres_schema_url(postgres_problem)


@dataclass
class Server:
    base: str

    def call(self, method: str, path: str, token: str, body: Any = None) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310 - the test server on loopback
            self.base + path,
            data=data,
            method=method,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback only
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")


@pytest.fixture
def server(app: Flask) -> Iterator[Server]:
    """The app on 127.0.0.1, a thread per request, stopped after the test."""
    with served(app) as base:
        yield Server(base)
