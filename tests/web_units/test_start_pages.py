"""Start from the web (issue 13, point 1): a campaign named by the bureau's head, a month started or re-run
by an admin or that head, and a home page with the tools each person's roles open."""

from __future__ import annotations

from html import unescape
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from service.context import ServiceContext
from tests.api.appraisal_steps import seed
from tests.web_units.browser_session import csrf, web_login


def text_of(response: Any) -> str:
    return unescape(response.get_data(as_text=True))


def post_form(client: FlaskClient, path: str, **fields: str) -> Any:
    return client.post(path, data={"csrf_token": csrf(client, path), **fields}, follow_redirects=True)


def test_the_bureau_head_starts_a_named_campaign_and_lands_on_its_first_task(app: Flask) -> None:
    head = web_login(app, "bureau_head")
    page = text_of(head.get("/campaigns/start"))
    assert (
        "启动招聘" in page and "招聘批次名称" in page and "业务编号（如 2026-recruitment）由系统生成" in page
    )

    refused = head.post(
        "/campaigns/start", data={"csrf_token": csrf(head, "/campaigns/start"), "subject": "  "}
    )
    assert refused.status_code == 422
    assert "field-error" in text_of(refused)

    landed = post_form(head, "/campaigns/start", subject="2026年农村辅警招聘")
    text = text_of(landed)
    assert landed.request.path.startswith("/tasks/")
    assert "已启动招聘批次“2026年农村辅警招聘”（业务编号 2026-recruitment）" in text
    assert "下一步：起草用人计划（公安分局）" in text
    # The task is about the campaign by its name; the key shows nowhere on it but the flash.
    assert "对象：2026年农村辅警招聘" in text

    again = text_of(post_form(head, "/campaigns/start", subject="2026年第二批农村辅警招聘"))
    assert "业务编号 2026-recruitment-2" in again


def test_the_campaign_page_speaks_english_too(app: Flask) -> None:
    head = web_login(app, "bureau_head")
    head.post("/language", data={"lang": "en", "csrf_token": csrf(head, "/")})
    assert "Campaign name" in text_of(head.get("/campaigns/start"))
    text = text_of(post_form(head, "/campaigns/start", subject="2026 village officers"))
    assert "Recruitment campaign “2026 village officers” started (business key 2026-recruitment)" in text
    assert "Next: Draft staffing plan (Public Security Sub-bureau)" in text


def test_staff_may_not_start_a_campaign_and_are_told_who_may(app: Flask) -> None:
    staff = web_login(app, "bureau")
    refused = staff.get("/campaigns/start")
    assert refused.status_code == 403
    assert "只有公安分局的负责人可以启动“招聘流程”" in text_of(refused)
    assert "tool-start-campaign" not in text_of(staff.get("/"))


def test_a_month_is_started_and_re_run_from_the_web(app: Flask, ctx: ServiceContext) -> None:
    seed(ctx)
    admin = web_login(app, "admin")
    page = text_of(admin.get("/appraisals/months/start"))
    assert 'value="2026-11"' in page  # this month, in Beijing time, on the service's clock

    first = text_of(post_form(admin, "/appraisals/months/start", month="2026-11"))
    assert "2026-11 考核：本次启动 46 份，此前已有 0 份（在岗辅警 46 名）" in first
    head = web_login(app, "bureau_head")
    again = text_of(post_form(head, "/appraisals/months/start", month="2026-11"))
    assert "2026-11 考核：本次启动 0 份，此前已有 46 份（在岗辅警 46 名）" in again

    wrong = admin.post(
        "/appraisals/months/start",
        data={"csrf_token": csrf(admin, "/appraisals/months/start"), "month": "2026-13"},
    )
    assert wrong.status_code == 422 and "格式应为 YYYY-MM" in text_of(wrong)


def test_others_may_not_start_a_month(app: Flask, ctx: ServiceContext) -> None:
    seed(ctx)
    for username in ("bureau", "gushan_station_head", "auditor"):
        client = web_login(app, username)
        assert client.get("/appraisals/months/start").status_code == 403
        token = csrf(client, "/")
        refused = client.post("/appraisals/months/start", data={"csrf_token": token, "month": "2026-11"})
        assert refused.status_code == 403
        assert "只有系统管理员或公安分局负责人可以启动或补启月度考核" in text_of(refused)


def tools_of(app: Flask, username: str) -> set[str]:
    page = text_of(web_login(app, username).get("/"))
    assert "您不属于任何部门" not in page
    return {tool for tool in TOOLS if f'id="{tool}"' in page}


TOOLS = (
    "tool-start-campaign",
    "tool-start-month",
    "tool-campaigns",
    "tool-appraisal",
    "tool-audit",
    "tool-audit-chain",
    "tool-incidents",
    "tool-admin",
    "tool-roster",
    "tool-excel",
)


def test_every_role_has_a_home(app: Flask) -> None:
    assert tools_of(app, "admin") == {"tool-start-month", "tool-incidents", "tool-roster", "tool-admin"}
    assert tools_of(app, "auditor") == {
        "tool-campaigns",
        "tool-appraisal",
        "tool-roster",
        "tool-audit",
        "tool-audit-chain",
    }
    assert tools_of(app, "designer") == {"tool-incidents"}
    assert tools_of(app, "bureau_head") == {
        "tool-start-campaign",
        "tool-start-month",
        "tool-campaigns",
        "tool-appraisal",
        "tool-roster",
        "tool-excel",
    }
    assert tools_of(app, "bureau") == {"tool-campaigns", "tool-appraisal", "tool-roster", "tool-excel"}
    assert tools_of(app, "gushan_station") >= {"tool-appraisal"}
    # Department members keep their queues first.
    assert 'id="queues"' in text_of(web_login(app, "bureau").get("/"))
    assert 'id="queues"' not in text_of(web_login(app, "designer").get("/"))
