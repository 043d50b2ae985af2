"""The administration pages (issue 13, point 6): only admins reach them; users, departments and the
village register are shown by name in both languages; the forms create, change and refuse with the
message on the page; a deactivated user's browser session ends; a village's history is kept."""

from __future__ import annotations

import html
import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from service.context import ServiceContext
from service.persistence.models import UserModel
from tests.web_units.browser_session import csrf, web_login


def get(client: FlaskClient, url: str, expect: int = 200) -> str:
    with client.get(url) as response:
        assert response.status_code == expect, (url, response.status_code)
        return html.unescape(response.get_data(as_text=True))


def post(client: FlaskClient, url: str, data: dict[str, object], form_page: str, expect: int = 302) -> str:
    response = client.post(url, data={**data, "csrf_token": csrf(client, form_page)})
    assert response.status_code == expect, (
        url,
        response.status_code,
        response.get_data(as_text=True)[-2000:],
    )
    location = response.headers.get("Location")
    return (
        get(client, location)
        if expect == 302 and location
        else html.unescape(response.get_data(as_text=True))
    )


def user_id(ctx: ServiceContext, username: str) -> int:
    with ctx.database.reading() as session:
        return int(session.scalars(select(UserModel.id).where(UserModel.username == username)).one())


def english(client: FlaskClient) -> None:
    client.post("/language", data={"lang": "en", "csrf_token": csrf(client, "/"), "next": "/"})


def test_only_admins_see_the_link_and_the_pages(app: Flask) -> None:
    admin = web_login(app, "admin")
    assert 'id="nav-admin"' in get(admin, "/")
    home = get(admin, "/admin")
    assert "系统管理" in home and "按政策共设辅警 46 名" in home
    for username in ("bureau", "auditor", "designer"):
        client = web_login(app, username)
        assert 'id="nav-admin"' not in get(client, "/")
        for url in ("/admin", "/admin/users", "/admin/departments", "/admin/register"):
            assert "只有系统管理员" in get(client, url, expect=403)
    english(admin)
    # The link to the department list is plural; the column header "部门" elsewhere is "Department".
    assert 'id="admin-departments-link">Departments<' in get(admin, "/admin")
    assert "<h1>Departments</h1>" in get(admin, "/admin/departments")


def test_the_user_list_names_departments_heads_and_roles(app: Flask) -> None:
    admin = web_login(app, "admin")
    page = get(admin, "/admin/users")
    assert "公安分局 局长" in page and "公安分局（负责人）" in page and "系统管理" in page
    assert "police_bureau" not in re.sub(r"<[^>]+>", "", page)
    english(admin)
    page = get(admin, "/admin/users")
    assert "(head)" in page and "Administrator" in page


def test_an_admin_creates_a_user_refused_first_by_the_password_policy(
    app: Flask, ctx: ServiceContext
) -> None:
    admin = web_login(app, "admin")
    form = {
        "username": "zhou",
        "display_name": "财政金融局 周会计",
        "password": "short",
        "departments": ["finance"],
        "heads_of": ["finance"],
    }
    refused = post(admin, "/admin/users/new", form, "/admin/users/new", expect=422)
    assert "至少 10 个字符" in refused and 'value="财政金融局 周会计"' in refused
    assert re.search(r'value="finance" aria-label="成员" checked', refused)
    created = post(admin, "/admin/users/new", {**form, "password": "Kuai-Ji-Mi-Ma-2026"}, "/admin/users/new")
    assert "已创建用户 财政金融局 周会计" in created

    zhou = web_login_as(app, "zhou", "Kuai-Ji-Mi-Ma-2026")
    assert get(zhou, "/").count("财政金融局") >= 1
    uid = user_id(ctx, "zhou")
    deactivated = post(admin, f"/admin/users/{uid}/active", {"active": "0"}, f"/admin/users/{uid}")
    assert "已停用" in deactivated
    # The browser session of the deactivated user ends at once.
    assert zhou.get("/").status_code == 302
    assert "不能停用自己的账号" in post(
        admin, f"/admin/users/{user_id(ctx, 'admin')}/active", {"active": "0"}, "/admin/users"
    )
    reset = post(admin, f"/admin/users/{uid}/password", {"password": ""}, f"/admin/users/{uid}")
    assert "新密码（只显示这一次）" in reset


def web_login_as(app: Flask, username: str, password: str) -> FlaskClient:
    client = app.test_client()
    response = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": csrf(client, "/login")}
    )
    assert response.status_code == 302
    return client


def test_a_department_is_created_for_a_town_and_renamed(app: Flask) -> None:
    admin = web_login(app, "admin")
    page = get(admin, "/admin/departments")
    assert "崮山派出所" in page and "崮山镇" in page
    taken = post(
        admin,
        "/admin/departments",
        {"name_zh": "崮山派出所二", "name_en": "x", "kind": "police_station", "town": "gushan"},
        "/admin/departments",
        expect=409,
    )
    assert "已存在" in taken
    post(
        admin,
        "/admin/towns",
        {"code": "qiaotou", "name_zh": "桥头镇", "name_en": "Qiaotou"},
        "/admin/register",
    )
    created = post(
        admin,
        "/admin/departments",
        {"name_zh": "桥头镇政府", "name_en": "Qiaotou Government", "kind": "town_gov", "town": "qiaotou"},
        "/admin/departments",
    )
    assert "已创建部门 桥头镇政府" in created and "桥头镇" in created
    renamed = post(
        admin,
        "/admin/departments/town_gov:qiaotou/rename",
        {"name_zh": "桥头镇人民政府", "name_en": "Qiaotou People's Government"},
        "/admin/departments",
    )
    assert "桥头镇人民政府" in renamed


def test_a_village_is_entered_changed_from_a_date_and_its_history_shown(app: Flask) -> None:
    admin = web_login(app, "admin")
    form = {
        "name_zh": "新港社区",
        "name_en": "Xingang Community",
        "town": "gushan",
        "kind": "community",
        "households": "1200",
        "effective_from": "2026-11-01",
        "reason": "新设社区",
    }
    bad = post(admin, "/admin/register/villages/new", {**form, "households": "many"}, "/admin/register", 422)
    assert "户数应为" in bad
    future = post(
        admin,
        "/admin/register/villages/new",
        {**form, "effective_from": "2027-01-01"},
        "/admin/register",
        422,
    )
    assert "生效日期不能晚于今天" in future
    created = post(admin, "/admin/register/villages/new", form, "/admin/register")
    assert "已登记 新港社区：按政策设辅警 2 名" in created
    code = re.search(r'action="/admin/register/villages/([a-z0-9-]+)"', created)
    assert code is not None
    changed = post(
        admin,
        f"/admin/register/villages/{code.group(1)}",
        {**form, "households": "800", "effective_from": "2026-11-20", "reason": "户数核减"},
        f"/admin/register/villages/{code.group(1)}",
    )
    assert "自 2026-11-20 起生效：按政策设辅警 1 名" in changed
    assert "2026-11-01 – 2026-11-20" in changed and "2026-11-20 – 至今" in changed and "户数核减" in changed
    assert "管委 系统管理员" in changed  # who recorded it, by name

    now = get(admin, "/admin/register")
    assert "共设辅警 47 名" in now and "新港社区" in now and "崮山镇" in now
    then = get(admin, "/admin/register?on=2026-11-10")
    assert "2026-11-10 的登记册" in then and "共设辅警 48 名" in then
    before = get(admin, "/admin/register?on=2026-10-01")
    assert "新港社区" not in before and "共设辅警 46 名" in before
    english(admin)
    page = get(admin, f"/admin/register/villages/{code.group(1)}")
    assert "Xingang Community" in page and "Community" in page and "As first registered" not in page
    assert "As first registered" in get(admin, "/admin/register")


def test_the_audit_log_names_the_administration_actions(app: Flask) -> None:
    from service.web.display import action_label

    with app.test_request_context():
        labels = [action_label(code) for code in ("user_deactivated", "password_reset", "village_changed")]
    assert labels == ["停用用户", "重置密码", "变更村（社区）登记"]


def test_a_password_reset_signs_the_user_out_of_the_browser(app: Flask, ctx: ServiceContext) -> None:
    admin = web_login(app, "admin")
    party = web_login(app, "party")
    assert party.get("/").status_code == 200
    uid = user_id(ctx, "party")
    page = f"/admin/users/{uid}"
    done = post(admin, f"{page}/password", {"password": "Dang-Qun-Mi-Ma-77"}, page)
    assert "密码已重置，该用户已退出所有登录" in done
    assert party.get("/").status_code == 302
    assert web_login_as(app, "party", "Dang-Qun-Mi-Ma-77").get("/").status_code == 200
