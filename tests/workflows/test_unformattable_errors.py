"""Errors that cannot be shown as they are still say what went wrong (issue 12)."""

from __future__ import annotations

import pytest
from SpiffWorkflow.exceptions import SpiffWorkflowException

from workflows.engine_errors import text_of
from workflows.json_bounds import TooDeepError, depth_of, loads_bounded


def test_a_spiffworkflow_error_with_a_missing_note_is_still_described() -> None:
    # SpiffWorkflow adds a None note when it finds no name to suggest; its __str__ then raised TypeError
    # while the engine formatted the refusal, and the start answered 500.
    error = SpiffWorkflowException("__build_class__ not found")
    error.add_note(None)  # type: ignore[arg-type]
    error.add_note("Did you mean 'x'")
    with pytest.raises(TypeError):
        str(error)
    assert text_of(error) == "__build_class__ not found. Did you mean 'x'"


def test_json_from_a_bundle_is_bounded_in_depth() -> None:
    assert depth_of({"a": [1, {"b": []}]}, 64) == 4
    assert loads_bounded('{"a": [[1]]}') == {"a": [[1]]}
    for text in ["[" * 10_000, "[" * 65 + "]" * 65]:
        with pytest.raises(TooDeepError):
            loads_bounded(text)
