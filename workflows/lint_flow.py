"""Lints of a process's flow and code (issue 14, point 2); filled in by the next commit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from workflows.problems import Problem

if TYPE_CHECKING:
    from workflows.specs import ProcessSpecs


def lint_flow(specs: ProcessSpecs) -> list[Problem]:
    return []
