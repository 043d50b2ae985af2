"""Summarise timing samples and print the result table of a benchmark run."""

from __future__ import annotations

import statistics
from dataclasses import dataclass


def percentile(values: list[float], q: float) -> float:
    """Return the ``q``-th percentile (0..100) of ``values`` by linear interpolation."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def window_median(runs: list[list[float]], center: int, half: int = 2) -> tuple[float, int, int]:
    """Return the median of completions ``center-half .. center+half`` (1-based), pooled over runs.

    When the shortest run stopped before ``center + half``, the window slides back to its last
    ``2*half+1`` samples; the returned first/last completion numbers say which window was used.
    """
    shortest = min((len(samples) for samples in runs), default=0)
    if shortest == 0:
        return float("nan"), 0, 0
    last = min(center + half, shortest)
    first = max(1, last - 2 * half)
    return statistics.median(x for samples in runs for x in samples[first - 1 : last]), first, last


def band_medians(runs: list[list[float]], bands: int) -> list[tuple[int, int, float]]:
    """Split the completions into ``bands`` equal bands; return (first, last, median) of each, pooled."""
    shortest = min((len(samples) for samples in runs), default=0)
    size = max(1, shortest // bands)
    result = []
    for start in range(0, size * bands, size):
        pooled = [x for samples in runs for x in samples[start : start + size]]
        if pooled:
            result.append((start + 1, start + size, statistics.median(pooled)))
    return result


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


@dataclass(frozen=True)
class Row:
    """One line of the result table."""

    figure: str
    value: str
    target: str = ""
    verdict: str = ""


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def format_table(rows: list[Row]) -> str:
    """Render rows as a Markdown table (readable on a terminal and pasteable into docs)."""
    header = Row("figure", "value", "target", "result")
    widths = [
        max(len(getattr(r, name)) for r in [header, *rows])
        for name in ("figure", "value", "target", "verdict")
    ]

    def line(row: Row) -> str:
        cells = (row.figure, row.value, row.target, row.verdict)
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    rule = "| " + " | ".join("-" * w for w in widths) + " |"
    return "\n".join([line(header), rule, *(line(r) for r in rows)])
