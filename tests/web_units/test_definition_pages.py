"""The definitions area (issue 14, point 1, first slice): designers (admins and auditors may read) see each
process with its versions, the publisher by name, Beijing time and the instances per version, in Chinese and
English; a version's page lists its files and shows its diagram; nobody else reaches it."""

from __future__ import annotations

import html
import re

from flask import Flask
from flask.testing import FlaskClient

from tests.api.recruitment_steps import start_recruitment
from tests.conftest import User
from tests.web_units.browser_session import csrf, web_login


def get(client: FlaskClient, url: str, expect: int = 200) -> str:
    with client.get(url) as response:
        assert response.status_code == expect, (url, response.status_code)
        return html.unescape(response.get_data(as_text=True))


def version_row(page: str, definition_id: int) -> str:
    found = re.search(rf'<tr id="version-{definition_id}">.*?</tr>', page, re.S)
    assert found is not None, page
    return found.group(0)


def test_designers_see_every_version_with_its_instances(app: Flask, users: dict[str, User]) -> None:
    instance = start_recruitment(users["bureau"])
    definition_id = instance["definition_id"]
    designer = web_login(app, "designer")
    home = get(designer, "/")
    assert 'id="tool-definitions"' in home and 'id="nav-definitions"' in home

    page = get(designer, "/definitions")
    assert "流程定义" in page and "招聘流程" in page
    row = version_row(page, definition_id)
    assert "第 1 版" in row and "北京时间" in row
    assert "系统" in row and ">system<" not in row  # the publisher by name, not the account
    assert re.search(r'<td class="running">1</td>', row) and re.search(r'<td class="completed">0</td>', row)

    version = get(designer, f"/definitions/{definition_id}")
    assert "recruitment.bpmn" in version and "eligibility.dmn" in version
    assert 'id="diagram-data"' in version and "diagram_viewer.js" in version
    diagram = version.split('id="diagram-data"')[1].split("</script>")[0]
    assert 'name=\\"police_bureau\\"' not in diagram and "公安分局" in diagram  # lanes by department name

    designer.post("/language", data={"lang": "en", "csrf_token": csrf(designer, "/")})
    english = get(designer, "/definitions")
    assert "Process definitions" in english and "Version 1" in english and "Beijing time" in english
    assert "流程定义" not in english
    assert "Files" in get(designer, f"/definitions/{definition_id}")


def test_readers_and_refusals(app: Flask, users: dict[str, User]) -> None:
    for username in ("admin", "auditor"):
        assert "第 1 版" in get(web_login(app, username), "/definitions")
    for username in ("bureau", "bureau_head"):
        client = web_login(app, username)
        assert "只有流程设计人员" in get(client, "/definitions", expect=403)
        assert 'id="nav-definitions"' not in get(client, "/")
    get(web_login(app, "designer"), "/definitions/999999", expect=404)
