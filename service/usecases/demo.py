"""Seed an embedded database with departments, the village register, demo users and the definitions."""

from __future__ import annotations

import secrets
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.context import ServiceContext
from service.persistence.models import OfficerModel, UserModel
from service.usecases.definitions import deploy_bundled
from service.usecases.directory import create_user, hash_token, load_register, register_villages
from workflows.rules.posts import allocate_posts

DEMO_USERS: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    # username, display name, departments, departments the user heads
    ("bureau", "公安分局 王警官", ("police_bureau",), ()),
    ("bureau_head", "公安分局 局长", ("police_bureau",), ("police_bureau",)),
    ("party", "党群工作部 李科长", ("party_affairs",), ()),
    ("finance", "财政金融局 张科长", ("finance",), ()),
    ("company", "劳务派遣公司 赵经理", ("service_company",), ()),
    ("gushan_station", "崮山派出所 刘警官", ("police_station:gushan",), ()),
    ("gushan_station_head", "崮山派出所 所长", ("police_station:gushan",), ("police_station:gushan",)),
    ("boyu_station", "泊于派出所 陈警官", ("police_station:boyu",), ()),
    ("boyu_station_head", "泊于派出所 所长", ("police_station:boyu",), ("police_station:boyu",)),
    ("gushan_gov", "崮山镇政府 孙科员", ("town_gov:gushan",), ()),
    ("gushan_gov_head", "崮山镇政府 镇长", ("town_gov:gushan",), ("town_gov:gushan",)),
    ("boyu_gov", "泊于镇政府 周科员", ("town_gov:boyu",), ()),
    ("boyu_gov_head", "泊于镇政府 镇长", ("town_gov:boyu",), ("town_gov:boyu",)),
    ("admin", "管委 系统管理员", ("admin_committee",), ()),
)


SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏"
GIVEN_NAMES = "建华志强海涛晓明丽娜文博子涵振宇国庆春燕永刚秀英立新鹏飞"


def seed_officers(ctx: ServiceContext, session: Session) -> int:
    """Put one officer in service on every post of the register (demo and tests), unless there are some."""
    if session.scalar(select(func.count()).select_from(OfficerModel)):
        return 0
    allocations = allocate_posts(register_villages(session))
    now = ctx.clock.now()
    count = 0
    for allocation in allocations:
        for _slot in range(allocation.posts):
            party_member = count % 3 == 0
            given = GIVEN_NAMES[(count * 2) % len(GIVEN_NAMES) : (count * 2) % len(GIVEN_NAMES) + 2]
            session.add(
                OfficerModel(
                    application_id=None,
                    name=SURNAMES[count % len(SURNAMES)] + given,
                    village_code=allocation.village_code,
                    town=allocation.town,
                    role="party_secretary_assistant" if party_member else "director_assistant",
                    party_member=party_member,
                    contract_number=f"WH-DEMO-{count + 1:03d}",
                    contract_start=date(2026, 1, 1),
                    contract_end=date(2028, 12, 31),
                    status="in_service",
                    hiring_instance_id=None,
                    hired_at=now,
                )
            )
            count += 1
    session.flush()
    return count


def seed_demo(ctx: ServiceContext) -> dict[str, str]:
    """Load the register and users (idempotent), deploy bundled definitions; return fresh demo tokens."""
    tokens: dict[str, str] = {}
    with ctx.database.transaction() as session:
        load_register(session)
        seed_officers(ctx, session)
        for username, display_name, departments, heads in DEMO_USERS:
            token = secrets.token_urlsafe(24)
            user = session.scalars(select(UserModel).where(UserModel.username == username)).first()
            if user is None:
                create_user(ctx, session, username, display_name, list(departments), token, heads)
            else:
                # Tokens are stored hashed, so a re-run can only print them by issuing new ones.
                user.token_hash = hash_token(token)
            tokens[username] = token
    deploy_bundled(ctx)
    return tokens
