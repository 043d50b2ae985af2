"""The incident page's read model on SQLite and PostgreSQL: each incident with its process's name (from its
version, else the process's latest version, else none) and people's display names; only designers and
admins read or resolve; a resolution needs a note of at most 2,000 characters."""

from __future__ import annotations

import pytest

from service.context import ServiceContext
from service.usecases import incident_board
from service.usecases.directory import authenticate
from service.usecases.errors import ForbiddenError, InvalidInputError
from service.usecases.incidents import open_incident
from tests.conftest import User, token_of
from tests.web_units.stalling_model import PROCESS_ID, PROCESS_NAME, deploy_and_stall


def test_incidents_carry_names_and_only_handlers_read_them(
    ctx: ServiceContext, users: dict[str, User]
) -> None:
    instance_id = deploy_and_stall(users)
    with ctx.database.transaction() as session:
        # A failed start recorded without its version, and one of a process never deployed, by the scheduler.
        for process_id, actor in ((PROCESS_ID, "bureau_head"), ("never_deployed", "system")):
            open_incident(
                session,
                ctx.clock.now(),
                instance_id=None,
                process_id=process_id,
                definition_id=None,
                kind="model_error",
                element=None,
                message="出错",
                message_en="failed",
                actor=actor,
            )
    designer, admin, bureau = (authenticate(ctx, token_of(name)) for name in ("designer", "admin", "bureau"))

    page = incident_board.incident_page(ctx, admin, True, None, 1, 50)
    assert page.total == 3
    unknown, without_version, stalled = page.items
    assert (stalled["instance_id"], stalled["process_name"], stalled["actor_name"]) == (
        instance_id,
        PROCESS_NAME,
        "公安分局 王警官",
    )
    assert (without_version["process_name"], without_version["actor_name"]) == (PROCESS_NAME, "公安分局 局长")
    assert (unknown["process_name"], unknown["actor_name"]) == (None, None)  # shown as the id and 系统
    assert [i["id"] for i in incident_board.incident_page(ctx, designer, True, instance_id, 1, 50).items] == [
        stalled["id"]
    ]
    assert incident_board.incident_page(ctx, designer, True, None, 2, 2).items == [stalled]
    assert incident_board.open_incidents_of(ctx, bureau, instance_id) == []
    assert [i["id"] for i in incident_board.open_incidents_of(ctx, designer, instance_id)] == [stalled["id"]]

    with pytest.raises(ForbiddenError):
        incident_board.incident_page(ctx, bureau, True, None, 1, 50)
    with pytest.raises(ForbiddenError):
        incident_board.resolve(ctx, bureau, stalled["id"], "不归我处理")
    for note in ("", "  \n ", "长" * 2001):
        with pytest.raises(InvalidInputError):
            incident_board.resolve(ctx, designer, stalled["id"], note)
    resolved = incident_board.resolve(ctx, designer, stalled["id"], "  已重新部署  ")
    assert resolved["resolution"] == "已重新部署" and resolved["resolved_by"] == "designer"
    listed = incident_board.incident_page(ctx, designer, False, instance_id, 1, 50).items
    assert [(i["resolved_by_name"], i["resolution"]) for i in listed] == [("流程设计 吴工", "已重新部署")]
    assert incident_board.open_incidents_of(ctx, designer, instance_id) == []
