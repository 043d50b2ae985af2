"""The incident page (issue 10, item 3): designers and admins see what stalled or failed, in names and in
their language, and resolve it with a note; nobody else sees incidents, on the list or the instance page."""

from __future__ import annotations

import html
import re

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import User
from tests.web_units.browser_session import csrf, web_login
from tests.web_units.stalling_model import (
    FAILING_START_ID,
    JOIN,
    PROCESS_ID,
    PROCESS_NAME,
    deploy_and_fail_start,
    deploy_and_stall,
)


def get(client: FlaskClient, url: str, expect: int = 200) -> str:
    with client.get(url) as response:
        assert response.status_code == expect, (url, response.status_code)
        return html.unescape(response.get_data(as_text=True))


def row_of(page: str, incident_id: int) -> str:
    found = re.search(rf'<tr class="incident" id="incident-{incident_id}".*?</tr>', page, re.S)
    assert found is not None, page
    return found.group(0)


def resolve(client: FlaskClient, incident_id: int, note: str) -> str:
    """Submit the resolve form as the browser does; the page it leads back to."""
    response = client.post(
        f"/incidents/{incident_id}/resolve",
        data={"resolution": note, "next": "/incidents", "csrf_token": csrf(client, "/incidents")},
        follow_redirects=True,
    )
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def test_only_designers_and_admins_reach_incidents(app: Flask, users: dict[str, User]) -> None:
    instance_id = deploy_and_stall(users)
    [incident] = users["designer"].get("/api/v1/incidents")["items"]
    for username in ("bureau", "auditor", "bureau_head"):
        client = web_login(app, username)
        assert "只有流程设计人员和系统管理员" in get(client, "/incidents", expect=403)
        assert 'id="nav-incidents"' not in get(client, "/")
        # A forged resolve (a valid CSRF token of the user's own session) is refused too, and changes nothing.
        response = client.post(
            f"/incidents/{incident['id']}/resolve",
            data={"resolution": "不是我该处理的", "csrf_token": csrf(client, "/")},
        )
        assert response.status_code == 403
    auditor = web_login(app, "auditor")  # reads every instance, but incidents are not theirs to handle
    assert 'id="instance-incidents"' not in get(auditor, f"/instances/{instance_id}")
    assert users["designer"].get("/api/v1/incidents")["items"] == [incident]
    for username in ("designer", "admin"):
        client = web_login(app, username)
        assert 'id="nav-incidents"' in get(client, "/")
        assert f'id="incident-{incident["id"]}"' in get(client, "/incidents")
    assert app.test_client().get("/incidents").status_code == 302  # to the login page


def test_the_list_shows_names_times_and_reasons(app: Flask, users: dict[str, User]) -> None:
    instance_id = deploy_and_stall(users)
    deploy_and_fail_start(users)
    stalled, failed = sorted(users["designer"].get("/api/v1/incidents")["items"], key=lambda i: i["id"])
    designer = web_login(app, "designer")
    page = get(designer, "/incidents")
    assert "未处理 2 件" in page
    # Newest first: the failed start was recorded after the stall.
    assert page.index(f'id="incident-{failed["id"]}"') < page.index(f'id="incident-{stalled["id"]}"')

    row = row_of(page, stalled["id"])
    assert "2026-11-26 09:00:00" in row  # stored 01:00 UTC, shown in Beijing time
    assert PROCESS_NAME in row and PROCESS_ID not in row  # the process's name, not its code
    assert f'<a href="/instances/{instance_id}">#{instance_id}</a>' in row
    assert "流程停滞" in row and JOIN in row and "它等待的分支已不会到达" in row
    assert "公安分局 王警官" in row and ">bureau<" not in row  # who triggered it, by name
    assert 'name="resolution" rows="2" maxlength="2000" required' in row and "处理说明" in row

    row = row_of(page, failed["id"])
    assert "启动未成功，未保留实例" in row and "/instances/" not in row
    assert "模型执行出错" in row and "左路（left）" in row and "ZeroDivisionError" in row
    assert "启动即出错演示流程" in row and FAILING_START_ID not in row

    # An admin sees the same list; the instance is not a link, since its page would refuse them.
    row = row_of(get(web_login(app, "admin"), "/incidents"), stalled["id"])
    assert f"#{instance_id}" in row and "/instances/" not in row

    # In English: labels and the reason in English, names as they are.
    designer.post("/language", data={"lang": "en", "csrf_token": csrf(designer, "/")})
    row = row_of(get(designer, "/incidents"), stalled["id"])
    assert "Stalled" in row and "it waits for a branch that can no longer arrive" in row
    assert "流程停滞" not in row and "Mark resolved" in row
    assert get(designer, "/incidents?page=x").count('class="incident"') == 2  # a bad page number is page 1


def test_resolving_needs_a_note_and_removes_it_from_the_open_list(app: Flask, users: dict[str, User]) -> None:
    instance_id = deploy_and_stall(users)
    [incident] = users["designer"].get("/api/v1/incidents")["items"]
    designer = web_login(app, "designer")
    instance_page = get(designer, f"/instances/{instance_id}")
    alert = instance_page.split('id="instance-incidents"')[1].split("</section>")[0]
    assert "流程停滞" in alert and JOIN in alert and "它等待的分支已不会到达" in alert
    assert f'href="/incidents?instance_id={instance_id}"' in alert

    page = resolve(designer, incident["id"], "   ")
    assert "请填写处理说明" in page and f'id="incident-{incident["id"]}"' in page  # still open

    page = resolve(designer, incident["id"], "模型已改为排他合并并重新部署")
    assert f"异常事件 #{incident['id']} 已处理" in page
    assert "没有未处理的异常事件。" in page and 'class="incident"' not in page
    resolved = users["designer"].get("/api/v1/incidents?open=false")["items"][0]
    assert resolved["resolved_by"] == "designer" and resolved["resolution"] == "模型已改为排他合并并重新部署"
    row = row_of(get(designer, "/incidents?all=1"), incident["id"])
    assert "已处理" in row and "流程设计 吴工" in row and "模型已改为排他合并并重新部署" in row
    assert "<form" not in row
    assert 'id="instance-incidents"' not in get(designer, f"/instances/{instance_id}")

    # Resolving twice is refused with the use case's reason, shown on the page.
    assert f"异常事件 {incident['id']} 已处理" in resolve(web_login(app, "admin"), incident["id"], "再次")
