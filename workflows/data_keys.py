"""Refuse data keys that would shadow the script sandbox's own names.

Scripts and expressions see an instance's top-level data keys as names, in the same namespace as the
restricted environment's guards (``_getattr_``, ``_write_``, ``__builtins__``, ...) and its builtins
(workflows/scripting.py). Start data, form submissions and operator results with such a key are refused
before they reach an instance, and designers learn it at deploy (a form field or result variable so named).
Only the top level is checked: a nested key is reached by subscript (``plan["_x"]``), never as a name.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from typing import Any

from workflows.forms import FieldError

# Every name Python's builtins module offers (the sandbox offers an allow-list of them, and a data key
# named like one of the others would change what a later version of that list means), plus the names
# `site` adds to interactive interpreters, so the set does not depend on how Python was started.
BUILTIN_NAMES = frozenset(
    {name for name in dir(builtins) if not name.startswith("_")}
    | {"copyright", "credits", "exit", "help", "license", "quit"}
)


def is_reserved_key(key: str) -> bool:
    """Tell whether a data key would shadow a name of the sandbox (leading underscore, or a builtin)."""
    return key.startswith("_") or key in BUILTIN_NAMES


def reserved_key_errors(data: Mapping[str, Any]) -> list[FieldError]:
    """One field error per top-level key of ``data`` that would shadow a sandbox name; empty when none."""
    return [
        FieldError(
            field=key,
            message=f"数据项名称“{key}”与脚本环境的保留名称冲突（不得以下划线开头或使用 Python 内置名称）",
            message_en=(
                f"data key '{key}' would shadow a name of the script environment "
                "(no leading underscore, no Python builtin name)"
            ),
        )
        for key in data
        if isinstance(key, str) and is_reserved_key(key)
    ]
