"""Seed an embedded database with departments, the village register, demo users and the definitions."""

from __future__ import annotations

import secrets

from sqlalchemy import select

from service.context import ServiceContext
from service.persistence.models import UserModel
from service.usecases.definitions import deploy_bundled
from service.usecases.directory import create_user, hash_token, load_register

DEMO_USERS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("bureau", "公安分局 王警官", ("police_bureau",)),
    ("party", "党群工作部 李科长", ("party_affairs",)),
    ("finance", "财政金融局 张科长", ("finance",)),
    ("company", "劳务派遣公司 赵经理", ("service_company",)),
    ("gushan_station", "崮山派出所 刘所长", ("police_station:gushan",)),
    ("boyu_station", "泊于派出所 陈所长", ("police_station:boyu",)),
    ("gushan_gov", "崮山镇政府 孙主任", ("town_gov:gushan",)),
    ("boyu_gov", "泊于镇政府 周主任", ("town_gov:boyu",)),
    ("admin", "管委 系统管理员", ("admin_committee",)),
)


def seed_demo(ctx: ServiceContext) -> dict[str, str]:
    """Load the register and users (idempotent), deploy bundled definitions; return fresh demo tokens."""
    tokens: dict[str, str] = {}
    with ctx.database.transaction() as session:
        load_register(session)
        for username, display_name, departments in DEMO_USERS:
            token = secrets.token_urlsafe(24)
            user = session.scalars(select(UserModel).where(UserModel.username == username)).first()
            if user is None:
                create_user(ctx, session, username, display_name, list(departments), token)
            else:
                # Tokens are stored hashed, so a re-run can only print them by issuing new ones.
                user.token_hash = hash_token(token)
            tokens[username] = token
    deploy_bundled(ctx)
    return tokens
