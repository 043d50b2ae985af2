"""The roster's pages: the list with filters and pages, an officer's page with links and history, and the
bureau head's status change; names not codes, in Chinese and English."""

from __future__ import annotations

import html
import io
import re

from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from service.context import ServiceContext
from tests.api.appraisal_steps import add_history, seed
from tests.api.roster_steps import officer, officer_from_campaign
from tests.conftest import User
from tests.web_units.browser_session import csrf, web_login
from tests.web_units.visible_text import assert_no_codes
from workflows.ports import CHINA, ManualClock


def get(client: FlaskClient, url: str, expect: int = 200) -> str:
    with client.get(url) as response:
        assert response.status_code == expect, (url, response.status_code)
        return html.unescape(response.get_data(as_text=True))


def in_english(client: FlaskClient) -> FlaskClient:
    switched = client.post("/language", data={"lang": "en", "next": "/", "csrf_token": csrf(client, "/")})
    assert switched.status_code == 302
    return client


def officer_ids(page: str) -> list[int]:
    return [int(found) for found in re.findall(r'data-officer="(\d+)"', page)]


def test_roster_page_lists_filters_and_pages(
    app: Flask, users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    today = clock.now().astimezone(CHINA).date()
    hired = officer_from_campaign(users, ctx, today)
    bureau = web_login(app, "bureau")

    page = get(bureau, "/officers")
    assert 'id="nav-roster"' in page
    text = assert_no_codes(page)
    assert "共 47 人" in text and "崮山镇" in text and "村（社区）主任助理" in text and "在岗" in text
    assert len(officer_ids(page)) == 30 and 'id="roster-pager"' in page
    second = get(bureau, "/officers?page=2")
    assert len(officer_ids(second)) == 17 and not set(officer_ids(page)) & set(officer_ids(second))

    gs_v02 = get(bureau, "/officers?town=gushan&village=gs-v02")
    assert hired["officer_id"] in officer_ids(gs_v02)
    title = users["bureau"].get(f"/api/v1/officers/{hired['officer_id']}")["campaign_title"]
    assert title and title in gs_v02
    dashboard = get(bureau, f"/dashboards/campaigns/{hired['campaign_id']}")
    assert f'href="/officers?campaign={hired["campaign_id"]}"' in dashboard
    from_campaign = get(bureau, f"/officers?campaign={hired['campaign_id']}")
    assert officer_ids(from_campaign) == [hired["officer_id"]] and 'id="roster-campaign"' in from_campaign
    boyu = get(bureau, "/officers?town=boyu")
    assert officer_ids(boyu) and "泊于镇" in boyu and "崮山镇</td>" not in boyu
    assert "没有符合条件的辅警" in get(bureau, "/officers?status=resigned")

    english = get(in_english(bureau), "/officers?town=gushan")
    text = assert_no_codes(english, "en")
    assert "Officer roster" in text and "Gushan Town" in text and "In service" in text


def test_officer_page_links_and_history_and_status_change(
    app: Flask, users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    today = clock.now().astimezone(CHINA).date()
    hired = officer_from_campaign(users, ctx, today)
    officer_id = hired["officer_id"]
    add_history(ctx, [(officer_id, "2026-10", "excellent")])
    bureau = web_login(app, "bureau")

    page = get(bureau, f"/officers/{officer_id}")
    text = assert_no_codes(page)
    assert f'href="/dashboards/campaigns/{hired["campaign_id"]}"' in page
    assert f'href="/instances/{hired["application"]["screening_instance_id"]}"' in page
    assert "崮山前村" in text and "WH-FJ-2026-901" in text and "2026-09-01 – 2029-08-31" in text
    assert 'data-month="2026-10"' in page and "优秀" in text
    assert 'id="status-change"' not in page  # staff, not the head

    head = web_login(app, "bureau_head")
    page = get(head, f"/officers/{officer_id}")
    assert 'id="status-change"' in page
    token = csrf(head, f"/officers/{officer_id}")
    refused = head.post(
        f"/officers/{officer_id}/status",
        data={"status": "dismissed", "on": today.isoformat(), "reason": " ", "csrf_token": token},
    )
    assert refused.status_code == 422 and 'id="status-error-reason"' in refused.get_data(as_text=True)
    assert officer(ctx, officer_id).status == "in_service"
    done = head.post(
        f"/officers/{officer_id}/status",
        data={
            "status": "dismissed",
            "on": today.isoformat(),
            "reason": "严重违反工作纪律",
            "csrf_token": token,
        },
    )
    assert done.status_code == 302
    page = get(head, f"/officers/{officer_id}")
    text = assert_no_codes(page)
    assert "辞退" in text and "严重违反工作纪律" in text and 'id="status-change"' not in page
    assert officer(ctx, officer_id).status == "dismissed"
    audit = get(web_login(app, "auditor"), "/audit?action=officer_status_changed")
    assert "变更辅警状态" in audit and "公安分局 局长" in audit

    english = get(in_english(head), f"/officers/{officer_id}")
    text = assert_no_codes(english, "en")
    assert "Dismissed" in text and "Appraisal history" in text and "Excellent" in text


def test_town_departments_read_their_own_town_only(
    app: Flask, ctx: ServiceContext, users: dict[str, User], clock: ManualClock
) -> None:
    today = clock.now().astimezone(CHINA).date()
    hired = officer_from_campaign(users, ctx, today)
    station = web_login(app, "boyu_station")
    page = get(station, "/officers")
    assert officer_ids(page) and "崮山镇" not in page.split('id="roster"', 1)[1]
    gushan_officer = officer_ids(get(web_login(app, "bureau"), "/officers?town=gushan"))[0]
    get(station, f"/officers/{gushan_officer}", expect=404)
    get(station, "/officers?town=gushan", expect=403)
    # A Gushan station reads the hired officer without links to the sub-bureau's instances it cannot open.
    gushan = web_login(app, "gushan_station")
    hired_page = get(gushan, f"/officers/{hired['officer_id']}")
    assert "/instances/" not in hired_page
    assert f"报名编号 {hired['application']['id']}" in hired_page
    company = web_login(app, "company")
    home = get(company, "/")
    assert 'id="nav-roster"' not in home
    # The list of cases is linked for those who read cases (a department or auditor), not for an admin.
    assert 'id="nav-instances"' in home and 'id="nav-instances"' in get(web_login(app, "auditor"), "/")
    assert 'id="nav-instances"' not in get(web_login(app, "admin"), "/")
    get(company, "/officers", expect=403)


def test_the_roster_exports_the_filtered_officers_with_names(
    app: Flask, users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    """Issue 15, point 6: the list of officers in Excel, every officer the filters show (not one page of
    30), names and labels rather than codes, in the reader's language."""
    seed(ctx)
    bureau = web_login(app, "bureau")
    page = get(bureau, "/officers?town=gushan")
    link = re.search(r'id="export-roster" href="([^"]+)"', page)
    assert link is not None and "town=gushan" in link.group(1)
    with bureau.get(link.group(1)) as response:
        assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
        rows = list(load_workbook(io.BytesIO(response.get_data())).active.iter_rows(values_only=True))
    assert rows[0][0] == "辅警名册" and rows[1][:5] == ("姓名", "镇", "村（社区）", "职务", "状态")
    listed = rows[2:]
    total = int(re.search(r"共 (\d+) 人", page).group(1))  # type: ignore[union-attr]
    assert len(listed) == total > 0 and {row[1] for row in listed} == {"崮山镇"}
    assert {row[4] for row in listed} == {"在岗"} and "村（社区）主任助理" in {row[3] for row in listed}
    everyone = list(load_workbook(io.BytesIO(get_bytes(bureau, "/officers/export"))).active.iter_rows())
    assert "共 46 人" in get(bureau, "/officers") and len(everyone) - 2 == 46  # all, past the page of 30

    english = in_english(bureau)
    rows = list(load_workbook(io.BytesIO(get_bytes(english, "/officers/export?town=gushan"))).active.values)
    assert rows[0][0] == "Officer roster" and rows[1][:3] == ("Name", "Town", "Village")
    assert {row[1] for row in rows[2:]} == {"Gushan Town"} and {row[4] for row in rows[2:]} == {"In service"}
    station = web_login(app, "gushan_station")
    assert "您只能查看本镇" in get(station, "/officers/export?town=boyu", expect=403)


def get_bytes(client: FlaskClient, url: str) -> bytes:
    with client.get(url) as response:
        assert response.status_code == 200, (url, response.status_code)
        return response.get_data()
