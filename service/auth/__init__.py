"""Access rules: every API endpoint declares who may call it; an undeclared endpoint refuses everyone.

Rules are any-of strings:
- ``public``: no credentials needed;
- ``authenticated``: any valid bearer token;
- ``staff``: a member of at least one department (which department is checked by the use case);
- ``head``: the head of at least one department;
- ``designer``, ``auditor``, ``admin``: global roles;
- ``department:<code>``: a member of that department.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from service.usecases.directory import Caller

F = TypeVar("F", bound=Callable[..., Any])
ACCESS_ATTRIBUTE = "__auxpolice_access__"
GLOBAL_ROLES = ("designer", "auditor", "admin")


def allow(*rules: str) -> Callable[[F], F]:
    """Declare who may call an endpoint method."""
    for rule in rules:
        if rule not in ("public", "authenticated", "staff", "head", *GLOBAL_ROLES) and not rule.startswith(
            "department:"
        ):
            raise ValueError(f"unknown access rule {rule!r}")

    def mark(function: F) -> F:
        setattr(function, ACCESS_ATTRIBUTE, tuple(rules))
        return function

    return mark


def rules_of(function: Any) -> tuple[str, ...] | None:
    return getattr(function, ACCESS_ATTRIBUTE, None)


def satisfies(caller: Caller, rules: tuple[str, ...]) -> bool:
    """Tell whether an authenticated caller meets any of ``rules``."""
    for rule in rules:
        if rule == "authenticated":
            return True
        if rule == "staff" and caller.departments:
            return True
        if rule == "head" and caller.heads_of:
            return True
        if rule in GLOBAL_ROLES and caller.has_role(rule):
            return True
        if rule.startswith("department:") and caller.in_department(rule.split(":", 1)[1]):
            return True
    return False
