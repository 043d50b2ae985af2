"""Seed an embedded database with departments, the village register, demo users and the definitions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.context import ServiceContext
from service.persistence.models import OfficerModel, UserModel
from service.usecases.definitions import deploy_bundled
from service.usecases.directory import create_user, issue_token, load_register, register_villages
from service.usecases.roster.status import leave_service
from workflows.ports import CHINA
from workflows.rules.posts import allocate_posts


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    departments: tuple[str, ...] = ()
    heads: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()


DEMO_PASSWORD = "Demo-2026-auxpolice"  # noqa: S105 - printed by `auxpolice demo`, demo data only
DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("bureau", "公安分局 王警官", ("police_bureau",)),
    DemoUser("bureau_head", "公安分局 局长", ("police_bureau",), ("police_bureau",)),
    DemoUser("party", "党群工作部 李科长", ("party_affairs",)),
    DemoUser("finance", "财政金融局 张科长", ("finance",)),
    DemoUser("company", "劳务派遣公司 赵经理", ("service_company",)),
    DemoUser("science_tech", "科技创新局 钱科长", ("science_tech",), ("science_tech",)),
    DemoUser("social_work", "社会工作部 冯科长", ("social_work",), ("social_work",)),
    DemoUser("gushan_station", "崮山派出所 刘警官", ("police_station:gushan",)),
    DemoUser(
        "gushan_station_head", "崮山派出所 所长", ("police_station:gushan",), ("police_station:gushan",)
    ),
    DemoUser("boyu_station", "泊于派出所 陈警官", ("police_station:boyu",)),
    DemoUser("boyu_station_head", "泊于派出所 所长", ("police_station:boyu",), ("police_station:boyu",)),
    DemoUser("gushan_gov", "崮山镇政府 孙科员", ("town_gov:gushan",)),
    DemoUser("gushan_gov_head", "崮山镇政府 镇长", ("town_gov:gushan",), ("town_gov:gushan",)),
    DemoUser("boyu_gov", "泊于镇政府 周科员", ("town_gov:boyu",)),
    DemoUser("boyu_gov_head", "泊于镇政府 镇长", ("town_gov:boyu",), ("town_gov:boyu",)),
    DemoUser("designer", "流程设计 吴工", roles=("designer",)),
    DemoUser("auditor", "审计 郑审计员", roles=("auditor",)),
    DemoUser("admin", "管委 系统管理员", roles=("admin",)),
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


# The demo's history before the service came: a few officers left, so a first campaign has posts to recruit
# for (a campaign recruits for vacancies only), each with the reason the roster shows.
DEMO_DEPARTURES = (
    ("WH-DEMO-004", "resigned", "本人申请辞职，已办理离职手续"),
    ("WH-DEMO-017", "resigned", "考入事业单位，申请辞职"),
    ("WH-DEMO-029", "contract_ended", "劳动合同期满，本人不再续签"),
    ("WH-DEMO-038", "dismissed", "连续两个月考核不称职，依规辞退"),
)
# Officers with their own account (the month's field report), one per town: the first in service there.
DEMO_OFFICER_ACCOUNTS = (("officer_gushan", "gushan"), ("officer_boyu", "boyu"))
# One contract ends within the renewal window, so the scheduler raises a renewal in the demo.
DEMO_CONTRACT_ENDING = "WH-DEMO-010"


def seed_demo_history(ctx: ServiceContext, session: Session) -> None:
    """Free four posts and bring one contract end near (only on the officers ``seed_officers`` just made)."""
    today = ctx.clock.now().astimezone(CHINA).date()
    officers = {o.contract_number: o for o in session.scalars(select(OfficerModel))}
    for number, status, reason in DEMO_DEPARTURES:
        leave_service(officers[number], status, today - timedelta(days=30), reason)
    officers[DEMO_CONTRACT_ENDING].contract_end = today + timedelta(days=45)


def seed_officer_accounts(ctx: ServiceContext, session: Session) -> dict[str, str]:
    """Link a demo account to an officer of each town (password DEMO_PASSWORD, no department): the officer
    signs in to send the month's field report. Idempotent; returns fresh tokens."""
    tokens: dict[str, str] = {}
    for username, town in DEMO_OFFICER_ACCOUNTS:
        user = session.scalars(select(UserModel).where(UserModel.username == username)).first()
        if user is not None:
            tokens[username] = issue_token(ctx, session, user, "demo")[0]
            continue
        officer = session.scalars(
            select(OfficerModel)
            .where(OfficerModel.town == town, OfficerModel.status == "in_service")
            .order_by(OfficerModel.id)
            .limit(1)
        ).first()
        if officer is None:
            continue
        user, tokens[username] = create_user(ctx, session, username, officer.name, [], password=DEMO_PASSWORD)
        user.officer_id = officer.id
    return tokens


def seed_demo(ctx: ServiceContext) -> dict[str, str]:
    """Load the register and users (idempotent), deploy bundled definitions; return fresh demo tokens."""
    tokens: dict[str, str] = {}
    with ctx.database.transaction() as session:
        load_register(session)
        if seed_officers(ctx, session):
            seed_demo_history(ctx, session)
        for demo in DEMO_USERS:
            user = session.scalars(select(UserModel).where(UserModel.username == demo.username)).first()
            if user is None:
                user, token = create_user(
                    ctx,
                    session,
                    demo.username,
                    demo.display_name,
                    list(demo.departments),
                    heads_of=demo.heads,
                    roles=demo.roles,
                    password=DEMO_PASSWORD,
                )
            else:
                # Tokens are stored hashed, so a re-run can only print them by issuing new ones.
                token, _row = issue_token(ctx, session, user, "demo")
            tokens[demo.username] = token
        tokens.update(seed_officer_accounts(ctx, session))
    deploy_bundled(ctx)
    return tokens
