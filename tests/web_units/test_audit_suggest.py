"""The audit search's type-ahead (issue 16): the form carries no list of names, so its size does not grow
with the register; ``/audit/suggestions`` answers at most 20 people or villages (auditors only, the one
JSON error shape); without JavaScript the page says what a typed name stands for when it is none or
several."""

from __future__ import annotations

import html
from datetime import UTC, datetime

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import insert

from service.context import ServiceContext
from service.persistence.models import UserModel, VillageModel
from service.usecases.audit_suggest import LIMIT
from tests.web_units.browser_session import csrf, web_login

MAX_FORM_BYTES = 48 * 1024  # the empty form; it was 403 KiB with 7,150 villages and 562 users


def page(client: FlaskClient, url: str, expect: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == expect, response.get_data(as_text=True)[:500]
    return html.unescape(response.get_data(as_text=True))


def a_bigger_register(ctx: ServiceContext, villages: int = 300, people: int = 100) -> None:
    """More villages (东山新村1 …) and users (东山 网格员1 …) than the demo's, all matching 东山."""
    now = datetime(2026, 11, 1, tzinfo=UTC)
    with ctx.database.transaction() as session:
        session.execute(
            insert(VillageModel),
            [
                {
                    "code": f"x-v{n}",
                    "name_zh": f"东山新村{n}",
                    "name_en": f"Dongshan New Village {n}",
                    "town": "gushan",
                    "kind": "village",
                    "households": 100,
                    "many_small_venues": False,
                }
                for n in range(villages)
            ],
        )
        if not people:
            return
        session.execute(
            insert(UserModel),
            [
                {"username": f"grid{n}", "display_name": f"东山 网格员{n}", "roles": [], "created_at": now}
                for n in range(people)
            ],
        )


def test_the_form_stays_small_whatever_the_register(app: Flask, ctx: ServiceContext) -> None:
    auditor = web_login(app, "auditor")
    before = len(auditor.get("/audit").get_data())
    a_bigger_register(ctx)
    form = auditor.get("/audit").get_data(as_text=True)
    assert len(form.encode()) == before <= MAX_FORM_BYTES
    assert "东山新村" not in form and "网格员" not in form and 'list="audit-villages"' not in form
    assert 'data-suggest="village"' in form and 'data-suggest="person"' in form
    assert 'src="/static/audit_suggest.js"' in form or "audit_suggest.js" in form


def test_suggestions_are_few_and_the_exact_name_first(app: Flask, ctx: ServiceContext) -> None:
    a_bigger_register(ctx)
    auditor = web_login(app, "auditor")
    body = auditor.get("/audit/suggestions?field=village&q=东山").get_json()
    assert len(body["items"]) == LIMIT and body["more"] is True
    # 东山村 (the demo's) before 东山新村0 …: the shorter name first; each with its town.
    assert body["items"][0] == {"value": "东山村", "label": "东山村（崮山镇）"}
    exact = auditor.get("/audit/suggestions?field=village&q=东山新村12").get_json()
    assert exact["items"][0]["value"] == "东山新村12" and exact["more"] is False
    assert [item["value"] for item in exact["items"]] == [f"东山新村12{n}" for n in ("", *range(10))]
    people = auditor.get("/audit/suggestions?field=person&q=李科").get_json()
    assert people == {"items": [{"value": "党群工作部 李科长", "label": "党群工作部 李科长"}], "more": False}
    # The service's own actors are people of the trail too.
    system = auditor.get("/audit/suggestions?field=person&q=系统").get_json()["items"]
    assert {"value": "系统", "label": "系统"} in system
    # Literal % and _: no wildcard.
    assert auditor.get("/audit/suggestions?field=village&q=%25").get_json()["items"] == []


def test_suggestions_refuse_in_the_one_error_shape(app: Flask) -> None:
    anonymous = app.test_client()
    refused = anonymous.get("/audit/suggestions?field=village&q=东山")
    assert refused.status_code == 401
    assert refused.get_json() == {
        "code": 401,
        "status": "Unauthorized",
        "message": "请先登录",
        "message_en": "Please log in first",
    }
    bureau = web_login(app, "bureau")
    forbidden = bureau.get("/audit/suggestions?field=village&q=东山")
    assert forbidden.status_code == 403 and forbidden.get_json()["message"] == "只有审计人员可以查看审计页面"
    auditor = web_login(app, "auditor")
    bad = auditor.get("/audit/suggestions?field=officer&q=" + "x" * 101)
    assert bad.status_code == 422
    body = bad.get_json()
    assert set(body) == {"code", "status", "message", "message_en", "errors"}
    assert set(body["errors"]) == {"field", "q"} and body["errors"]["q"][0] == "长度不能超过 100 个字符"
    missing = auditor.get("/audit/suggestions").get_json()
    assert set(missing["errors"]) == {"field", "q"}


def test_without_javascript_the_page_says_what_a_name_stands_for(app: Flask, ctx: ServiceContext) -> None:
    auditor = web_login(app, "auditor")
    # One village by its whole name: searched, nothing to say.
    one = page(auditor, "/audit?village=东山村")
    assert 'id="audit-total"' in one and 'id="f-village-note"' not in one
    # No such village: said next to the field, and the search finds nothing.
    none = page(auditor, "/audit?village=王家村")
    assert "没有名称包含“王家村”的村（社区）" in none and "共 0 条" in none
    assert 'aria-describedby="f-village-help f-village-note"' in none
    # Part of several names: which ones the results include.
    several = page(auditor, "/audit?village=崮山")
    listed = "崮山社区（崮山镇）、崮山后村（崮山镇）、崮山前村（崮山镇）"
    assert f"“崮山”对应 3 个村（社区），结果包含全部：{listed}" in several
    people = page(auditor, "/audit?person=科长")
    assert "“科长”对应 4 人，结果包含全部：" in people and "党群工作部 李科长" in people
    assert "没有姓名包含“无此人”的人员" in page(auditor, "/audit?person=无此人")
    # A whole name that is also part of longer ones: the longer ones are named.
    a_bigger_register(ctx, villages=12, people=0)
    assert "除“东山新村1”外，结果也包含名称中含有它的：东山新村10（崮山镇）、东山新村11（崮山镇）" in page(
        auditor, "/audit?village=东山新村1"
    )
    # In English: English names and towns.
    auditor.post("/language", data={"lang": "en", "csrf_token": csrf(auditor, "/")})
    english = page(auditor, "/audit?village=Gushan")
    assert "Note: “Gushan” matches 3 villages (communities); the results include them all: " in english
    assert "Gushanhou Village (Gushan Town), Gushanqian Village (Gushan Town)" in english
