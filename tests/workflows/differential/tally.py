"""What the differential harness ran in this session, for its summary line (tests/workflows/conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.workflows.differential.harness import Outcome


@dataclass
class Tally:
    """Models and runs by group, actions compared and divergences found."""

    models: dict[str, set[str]] = field(default_factory=dict)  # group -> model names
    runs: dict[str, int] = field(default_factory=dict)  # group -> runs (model x seed)
    actions: int = 0
    divergences: int = 0

    def record(self, group: str, outcome: Outcome) -> None:
        self.models.setdefault(group, set()).add(outcome.model)
        self.runs[group] = self.runs.get(group, 0) + 1
        self.actions += len(outcome.actions)
        self.divergences += outcome.divergence is not None or outcome.problem is not None

    def summary(self) -> str:
        groups = ", ".join(
            f"{group} {len(names)} models in {self.runs[group]} seeded runs"
            for group, names in sorted(self.models.items())
        )
        compared = f"{self.actions} actions compared, {self.divergences} divergences"
        return f"differential harness: {groups}; {compared}"


TALLY = Tally()
