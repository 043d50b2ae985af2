"""Departments as an administrator keeps them: created with a checked code, kind and town; renamed.

A department's code is what BPMN lanes and memberships name, so it never changes once created; a police
station or town government is per town and its code is ``<kind>:<town>``, the form lanes resolve
(``police_station:{town}``).
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from service import audit
from service.context import ServiceContext
from service.persistence.models import DepartmentModel, TownModel
from service.usecases.admin.names import rename
from service.usecases.directory import Caller
from service.usecases.errors import ConflictError, InvalidInputError, NotFoundError

# The kinds the models and rules know (service/data/departments.json); the per-town ones need a town.
DEPARTMENT_KINDS = (
    "admin_committee",
    "party_affairs",
    "finance",
    "police_bureau",
    "social_work",
    "science_tech",
    "service_company",
    "police_station",
    "town_gov",
)
PER_TOWN_KINDS = ("police_station", "town_gov")


def department_rows(ctx: ServiceContext) -> list[DepartmentModel]:
    with ctx.database.reading() as session:
        return list(session.scalars(select(DepartmentModel).order_by(DepartmentModel.code)))


def create_department(ctx: ServiceContext, admin: Caller, body: dict[str, Any]) -> DepartmentModel:
    kind, town = body["kind"], body.get("town") or None
    if kind not in DEPARTMENT_KINDS:
        raise InvalidInputError(
            "部门类型不存在", errors={"kind": ["未知的部门类型", "Unknown kind of department"]}
        )
    code = f"{kind}:{town}" if kind in PER_TOWN_KINDS and town else body.get("code") or ""
    if kind in PER_TOWN_KINDS and not town:
        raise InvalidInputError(
            "派出所和镇政府须选择所在的镇",
            errors={"town": ["请选择所在的镇", "Choose the town"]},
        )
    if not re.fullmatch(r"[a-z_]+(:[a-z0-9_-]+)?", code) or len(code) > 64:
        raise InvalidInputError(
            "部门编码只能用小写字母和下划线",
            errors={
                "code": ["小写字母和下划线，如 police_bureau", "Lower-case letters and _, e.g. police_bureau"]
            },
        )
    with ctx.database.transaction() as session:
        if town is not None and session.get(TownModel, town) is None:
            raise InvalidInputError(
                "镇不存在", errors={"town": ["所选的镇不存在", "The chosen town does not exist"]}
            )
        if session.get(DepartmentModel, code) is not None:
            raise ConflictError("部门 {code} 已存在", code=code)
        _unique_name(session, body["name_zh"], None)
        values = {
            "code": code,
            "name_zh": body["name_zh"],
            "name_en": body["name_en"],
            "kind": kind,
            "town": town,
        }
        department = DepartmentModel(**values)
        session.add(department)
        audit.record(
            session,
            ctx.clock.now(),
            admin.username,
            "department_created",
            department=code,
            before=None,
            after=values,
        )
        return department


def rename_department(ctx: ServiceContext, admin: Caller, code: str, body: dict[str, Any]) -> DepartmentModel:
    with ctx.database.transaction() as session:
        department = session.get(DepartmentModel, code)
        if department is None:
            raise NotFoundError("部门 {code} 不存在", code=code)
        _unique_name(session, body["name_zh"], code)
        rename(ctx, session, admin, department, body, "department_renamed", department=code)
        return department


def _unique_name(session: Any, name_zh: str, code: str | None) -> None:
    taken = session.scalars(select(DepartmentModel.code).where(DepartmentModel.name_zh == name_zh)).first()
    if taken is not None and taken != code:
        raise ConflictError("已有名为 {name} 的部门", name=name_zh)
