"""Fixtures and hooks of the workflow tests."""

from __future__ import annotations

from typing import Any

from tests.workflows.differential.tally import TALLY


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say how many models and seeds the differential harness ran (tests/workflows/test_differential.py)."""
    if TALLY.runs:
        terminalreporter.write_line(TALLY.summary())
