"""A province-like register and what each officer's months come to (the year generator's input).

The register: ``towns = ceil(officers / VILLAGES_PER_TOWN)`` made-up towns (t0000 测0000镇, ...), each with
a police station, a town government, their clerk and head, and 50 villages with one officer each.

The outcomes, drawn with a fixed seed: each officer has a standing (15% strong, 75% steady, 10% weak) that
sets the odds of each month's grade; 1.5% of officer-months are vetoed by the town government (the grade
is then incompetent); 5% miss the station's scoring due date and 4% the town government's (each escalated
to the department's head). Overall about 19% excellent, 69% competent, 10% basically competent, 3%
incompetent (1.5 points of them vetoes) and 9% overdue. The consequence rules' inputs (the incompetent
months in the last twelve, the excellent streak) follow from the officer's own generated months.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass

from bench.year_rows import Officer
from bench.year_templates import Outcome
from service.usecases.demo import GIVEN_NAMES, SURNAMES

VILLAGES_PER_TOWN = 50
STANDINGS = (  # share, odds of excellent / competent / basically competent / incompetent
    (0.15, (0.70, 0.28, 0.02, 0.00)),
    (0.75, (0.12, 0.77, 0.10, 0.01)),
    (0.10, (0.00, 0.50, 0.38, 0.12)),
)
GRADES = ("excellent", "competent", "basically_competent", "incompetent")
VETO_RATE, LATE_STATION_RATE, LATE_TOWN_RATE = 0.015, 0.05, 0.04


@dataclass(frozen=True)
class Town:
    code: str
    name_zh: str


def towns(officers: int) -> list[Town]:
    return [Town(f"t{n:04d}", f"测{n:04d}镇") for n in range(math.ceil(officers / VILLAGES_PER_TOWN))]


def villages(town: Town) -> Iterator[tuple[str, str]]:
    for m in range(VILLAGES_PER_TOWN):
        yield f"{town.code}v{m:02d}", f"{town.name_zh}{m:02d}村"


def officer_name(n: int) -> str:
    given = GIVEN_NAMES[(n * 2) % len(GIVEN_NAMES) : (n * 2) % len(GIVEN_NAMES) + 2]
    return SURNAMES[n % len(SURNAMES)] + given + (f"{n // 1000:02d}" if n >= 1000 else "")


def officers(count: int) -> list[Officer]:
    """``count`` officers, one per village, town by town (ids are given by the database later: 0 here)."""
    found: list[Officer] = []
    for town in towns(count):
        for code, name_zh in villages(town):
            if len(found) == count:
                return found
            found.append(Officer(0, officer_name(len(found)), code, name_zh, town.code, town.name_zh))
    return found


def plan(officer_ids: list[int], months: int, seed: int = 16) -> list[list[Outcome]]:
    """Each officer's outcome for each month (oldest first): ``result[month][n]`` for ``officer_ids[n]``."""
    rng = random.Random(seed)
    odds = []
    for _ in officer_ids:
        roll, total = rng.random(), 0.0
        for share, grades in STANDINGS:
            total += share
            if roll < total:
                odds.append(grades)
                break
        else:
            odds.append(STANDINGS[-1][1])
    history: list[list[str]] = [[] for _ in officer_ids]  # newest last
    result: list[list[Outcome]] = []
    for _month in range(months):
        row = []
        for n, grades in enumerate(odds):
            veto = rng.random() < VETO_RATE
            grade = "incompetent" if veto else rng.choices(GRADES, grades)[0]
            roll = rng.random()
            late = (
                "station"
                if roll < LATE_STATION_RATE
                else "town"
                if roll < LATE_STATION_RATE + LATE_TOWN_RATE
                else ""
            )
            past = history[n]
            past.append(grade)
            streak = 0
            for earlier in reversed(past):
                if earlier != "excellent":
                    break
                streak += 1
            incompetent = sum(1 for g in past[-12:] if g == "incompetent")
            row.append(Outcome(grade, veto, late, incompetent, streak))
        result.append(row)
    return result
