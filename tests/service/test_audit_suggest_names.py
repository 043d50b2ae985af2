"""The audit search's suggestions on both databases (issue 16): names containing the text, ignoring the
case of Latin letters, ``%`` and ``_`` taken literally, the exact name first, then the names starting with
it, the shorter first, then the register's order (never the database's collation); at most 20."""

from __future__ import annotations

import pytest

from service.context import ServiceContext
from service.usecases import audit_suggest
from service.usecases.directory import Caller
from service.usecases.errors import ForbiddenError
from tests.web_units.test_audit_suggest import a_bigger_register

AUDITOR = Caller("auditor", "审计 郑审计员", frozenset(), roles=frozenset({"auditor"}))


def test_names_are_found_in_order_and_bounded(ctx: ServiceContext) -> None:
    a_bigger_register(ctx, villages=30, people=3)
    with ctx.database.reading() as session:
        found = audit_suggest.matches(session, "village", "东山", "zh-CN")
        assert len(found.items) == audit_suggest.LIMIT and found.more
        values = [item.value for item in found.items]
        assert values[:3] == ["东山村", "东山新村0", "东山新村1"]  # shortest first, then by code
        assert values[3:11] == [f"东山新村{n}" for n in range(2, 10)]
        exact = audit_suggest.matches(session, "village", "东山新村1", "zh-CN")
        assert [item.value for item in exact.items][:3] == ["东山新村1", "东山新村10", "东山新村11"]
        assert [item.exact for item in exact.items][:2] == [True, False]
        english = audit_suggest.matches(session, "village", "gushanHOU", "en")
        assert [(item.value, item.label) for item in english.items] == [
            ("Gushanhou Village", "Gushanhou Village (Gushan Town)")
        ]
        assert audit_suggest.matches(session, "village", "%", "zh-CN").items == []
        assert audit_suggest.matches(session, "village", "_", "zh-CN").items == []
        people = audit_suggest.matches(session, "person", "网格员", "zh-CN")
        assert [item.value for item in people.items] == ["东山 网格员0", "东山 网格员1", "东山 网格员2"]
        assert [item.value for item in audit_suggest.matches(session, "person", "定时", "zh-CN").items] == [
            "定时任务"
        ]


def test_only_auditors_are_suggested_names(ctx: ServiceContext) -> None:
    clerk = Caller("bureau", "公安分局 王警官", frozenset({"police_bureau"}))
    with pytest.raises(ForbiddenError):
        audit_suggest.suggest(ctx, clerk, "person", "李", "zh-CN")
    found = audit_suggest.suggest(ctx, AUDITOR, "person", "李科", "zh-CN")
    assert [item.value for item in found.items] == ["党群工作部 李科长"]
