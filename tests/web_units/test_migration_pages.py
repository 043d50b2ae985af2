"""The migration page (issue 14, point 5): a designer chooses versions and instances, dry-runs, migrates in
batches and moves instances back; the form refuses what cannot be run with a clear message; admins and
auditors read the history only; nobody else reaches the page.

The model is the API tests' probe: version 1 has user tasks 甲 then 乙, version 2 puts 丙 between them.
"""

from __future__ import annotations

import html
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from service.context import ServiceContext
from tests.api.test_instance_migration import PROCESS_ID, V1, V2, complete, definition_of, deploy, start
from tests.conftest import User
from tests.web_units.browser_session import csrf, web_login

PAGE = "/definitions/migrations"


def get(client: FlaskClient, url: str, expect: int = 200) -> str:
    with client.get(url) as response:
        assert response.status_code == expect, (url, response.status_code)
        return html.unescape(response.get_data(as_text=True))


def post(client: FlaskClient, data: dict[str, Any], expect: int = 200) -> str:
    with client.post(PAGE, data={**data, "csrf_token": csrf(client, "/")}) as response:
        body = html.unescape(response.get_data(as_text=True))
        assert response.status_code == expect, (response.status_code, body[-3000:])
        return body


def row(page: str, instance_id: int) -> str:
    found = re.search(rf'<tr id="report-{instance_id}".*?</tr>', page, re.S)
    assert found is not None, page
    return re.sub(r"\s+", " ", found.group(0))


def error_of(page: str) -> str:
    found = re.search(r'<p class="error" role="alert" id="migration-error">(.*?)</p>', page, re.S)
    assert found is not None, page
    return found.group(1)


def choice(v1: int, v2: int, **more: Any) -> dict[str, Any]:
    return {"process": PROCESS_ID, "source": v1, "target": v2, "scope": "all", **more}


def test_a_designer_dry_runs_migrates_and_moves_back(
    app: Flask, users: dict[str, User], ctx: ServiceContext
) -> None:
    designer, bureau = users["designer"], users["bureau"]
    v1 = deploy(designer, V1)
    early = start(bureau, "early")  # waits at 甲
    late = start(bureau, "late")
    complete(bureau, late, "task_a")  # waits at 乙: 甲 has run
    v2 = deploy(designer, V2)
    client = web_login(app, "designer")

    form = get(client, f"{PAGE}?process={PROCESS_ID}")
    assert "迁移探针" in form
    # Versions by number with publish time and publisher by name; tasks by name with how many wait.
    source = re.search(r'<select name="source" id="in-source">(.*?)</select>', form, re.S)
    assert source is not None and re.search(rf'<option value="{v1}" selected>第 1 版 · .*北京时间', source[1])
    assert "流程设计 吴工" in source[1]
    assert "甲（1 个等待）" in form and "乙（1 个等待）" in form

    dry = post(client, choice(v1, v2, action="dry_run"))
    assert "共 2 个实例：可以迁移 1 个，不能迁移 1 个。" in dry
    yes, no = row(dry, early), row(dry, late)
    assert "early" in yes and ">甲<" in yes and "可以" in yes and "task_c" not in yes
    assert '<td class="added">丙</td>' in yes and "甲" in yes.split('class="changed">')[1]
    assert "不能" in no and "已完成" in no and "completed" in no  # the reason in Chinese, then English
    assert no.index("已完成") < no.index("completed")
    assert definition_of(ctx, early) == v1  # a dry run changes nothing
    assert 'id="migrate"' in dry

    moved = post(client, choice(v1, v2, action="migrate"))
    assert "共 2 个实例：已迁移 1 个，拒绝 1 个，失败 0 个。" in moved
    assert "已迁移" in row(moved, early) and "拒绝" in row(moved, late)
    assert f'id="back-{early}"' in moved and f'id="back-{late}"' not in moved
    assert definition_of(ctx, early) == v2 and definition_of(ctx, late) == v1

    # The instance's own history reads the move by name: versions and elements, no ids or keys.
    instance_page = get(client, f"/instances/{early}")
    moved_event = " ".join(
        re.sub(r"<[^>]+>", " ", instance_page.split("迁移流程实例")[1].split("</tr>")[0]).split()
    )
    assert "版本 第 1 版 → 第 2 版 修改的环节 甲、乙 新增的环节 丙" in moved_event
    assert "task_c" not in moved_event and "from_definition" not in moved_event and "diff" not in moved_event

    back = post(client, choice(v1, v2, action="move_back", instance=str(early)))
    assert "迁回结果" in back and "已迁移 1 个" in back and definition_of(ctx, early) == v1
    history = back.split('id="migration-history"')[1]
    assert history.count("<tr>") == 3  # header and two moves, newest first
    assert re.search(r"第 2 版 → 第 1 版.*第 1 版 → 第 2 版", history, re.S)

    client.post("/language", data={"lang": "en", "csrf_token": csrf(client, "/")})
    english = post(client, choice(v1, v2, action="dry_run"))
    assert "Dry-run report" in english and "Migrate instances" in english and "迁移实例" not in english
    assert "Version 2 → Version 1" in english


def test_the_form_refuses_with_clear_messages(app: Flask, users: dict[str, User]) -> None:
    designer, bureau = users["designer"], users["bureau"]
    v1 = deploy(designer, V1)
    start(bureau, "one")
    v2 = deploy(designer, V2)
    client = web_login(app, "designer")

    same = post(client, choice(v1, v1, action="dry_run"), expect=422)
    assert error_of(same) == "源版本与目标版本相同（都是第 1 版），请选择另一个目标版本"
    assert 'class="field has-error" id="field-target"' in same

    recruitment = next(
        d["id"] for d in designer.get("/api/v1/definitions") if d["process_id"] == "recruitment"
    )
    other = post(client, choice(recruitment, v2, action="dry_run"), expect=422)
    assert error_of(other) == "所选源版本（第 1 版）属于流程“招聘流程”，不属于所选流程“迁移探针”"

    keys = post(client, choice(v1, v2, action="dry_run", scope="keys", keys="one\nnope, nada"), expect=422)
    assert error_of(keys) == "该流程没有这些业务编号的实例：nope、nada"
    assert "请填写业务编号" in error_of(
        post(client, choice(v1, v2, action="dry_run", scope="keys"), expect=422)
    )
    assert "请选择源版本中的一个用户任务" in error_of(
        post(client, choice(v1, v2, action="dry_run", scope="task"), expect=422)
    )
    nothing = post(client, choice(v1, v2, action="dry_run", scope="task", task="task_b"), expect=422)
    assert error_of(nothing) == "所选范围内没有源版本上运行中的流程实例"
    assert "请勾选要迁回的实例" in error_of(post(client, choice(v1, v2, action="move_back"), expect=422))

    # By key and by task, the one instance is chosen.
    by_key = post(client, choice(v1, v2, action="dry_run", scope="keys", keys=" one "))
    assert "共 1 个实例：可以迁移 1 个" in by_key
    by_task = post(client, choice(v1, v2, action="dry_run", scope="task", task="task_a"))
    assert "共 1 个实例：可以迁移 1 个" in by_task

    client.post("/language", data={"lang": "en", "csrf_token": csrf(client, "/")})
    english = post(client, choice(v1, v1, action="dry_run"), expect=422)
    assert error_of(english) == (
        "The source and target are the same version (version 1): choose another target"
    )


def test_who_reaches_the_page(app: Flask, users: dict[str, User]) -> None:
    designer, bureau = users["designer"], users["bureau"]
    v1 = deploy(designer, V1)
    start(bureau, "one")
    v2 = deploy(designer, V2)
    post(web_login(app, "designer"), choice(v1, v2, action="migrate"))
    for username in ("admin", "auditor"):
        client = web_login(app, username)
        page = get(client, PAGE)
        assert 'id="read-only"' in page and 'id="migration-form"' not in page
        assert "第 1 版 → 第 2 版" in page and "one" in page
        refused = post(client, choice(v1, v2, action="migrate"), expect=403)
        assert "只有流程设计人员可以迁移流程实例" in refused
    for username in ("bureau", "bureau_head"):
        client = web_login(app, username)
        assert "只有流程设计人员、系统管理员和审计人员" in get(client, PAGE, expect=403)
        post(client, choice(v1, v2, action="dry_run"), expect=403)
    # The links: the definitions area and each version's page.
    designer_client = web_login(app, "designer")
    # Without a choice, the process with a version to move to; one with a single version says so.
    default = get(designer_client, PAGE)
    assert f'<option value="{PROCESS_ID}" selected>' in default and 'id="one-version"' not in default
    assert 'id="one-version"' in get(designer_client, f"{PAGE}?process=recruitment")
    assert 'id="to-migrations"' in get(designer_client, "/definitions")
    assert 'id="to-migrations"' in get(designer_client, f"/definitions/{v2}")
