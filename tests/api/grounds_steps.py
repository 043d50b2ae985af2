"""Reading the grounds panels of a task through the API (issue 11, point 2)."""

from __future__ import annotations

from typing import Any

from tests.conftest import User


def panels(user: User, task_id: str) -> dict[str, dict[str, Any]]:
    """The task's grounds by panel name, in the order its model declares them (checked unique)."""
    shown = user.get(f"/api/v1/tasks/{task_id}")["grounds"]
    by_name = {p["name"]: p for p in shown}
    assert len(by_name) == len(shown), shown
    return by_name


def values(panel: dict[str, Any], lang: str = "zh") -> dict[str, str]:
    """A panel's fields as label -> value, in one language."""
    return {f[f"label_{lang}"]: f[f"value_{lang}"] for f in panel["fields"]}


def table(panel: dict[str, Any], lang: str = "zh") -> list[list[str]]:
    """A panel's table rows, headed by its column labels, in one language."""
    head = [c[f"label_{lang}"] for c in panel["columns"]]
    return [head, *([c[f"value_{lang}"] for c in row] for row in panel["rows"])]
