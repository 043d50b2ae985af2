"""JSON read from a deployed bundle (forms, data labels), bounded in nesting.

The standard parser recurses once per level: a file of ten thousand ``[`` raised RecursionError, which
nothing expected (a 500), and a value nested some hundreds of levels deep passed the parser only to exhaust
the stack of the JSON Schema validator afterwards.
"""

from __future__ import annotations

import json
from typing import Any

MAX_FILE_DEPTH = 64


class TooDeepError(ValueError):
    """The JSON text nests deeper than allowed."""


def depth_of(value: Any, limit: int) -> int:
    """The nesting depth of ``value`` (a scalar is 0), counted without recursion up to ``limit + 1``."""
    deepest = 0
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            depth += 1
            deepest = max(deepest, depth)
            if depth > limit:
                return depth
            pending.extend((child, depth) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def loads_bounded(text: str | bytes, max_depth: int = MAX_FILE_DEPTH) -> Any:
    """``json.loads(text)``, refusing (TooDeepError) a value nested deeper than ``max_depth``."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise TooDeepError(f"nested deeper than {max_depth} levels") from None
    if depth_of(value, max_depth) > max_depth:
        raise TooDeepError(f"nested deeper than {max_depth} levels")
    return value
