"""The bureau's list of a campaign's applications (issue 13, point 4): linked from the campaign page, names
not codes, masked document numbers, results and reasons as labels in both languages, filters by village and
result, pages; the Excel export with the same filters (text cells, times in Beijing time); the bureau reads
the screening instances of its campaigns, other departments do not."""

from __future__ import annotations

import html
import io
import re
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from service.context import ServiceContext
from service.usecases import excel_import
from service.usecases.errors import InvalidInputError
from tests.api.recruitment_steps import applicant, approve_plan, publish, start_recruitment
from tests.api.test_application_rules import open_campaign
from tests.conftest import User
from tests.web_units import test_excel_import as excel_steps
from tests.web_units.browser_session import csrf, web_login
from workflows.ports import ManualClock

BORN = date(1998, 5, 20)


def get(client: FlaskClient, url: str, expect: int = 200) -> str:
    with client.get(url) as response:
        assert response.status_code == expect, (url, response.status_code)
        return html.unescape(response.get_data(as_text=True))


def in_english(client: FlaskClient) -> FlaskClient:
    switched = client.post("/language", data={"lang": "en", "next": "/", "csrf_token": csrf(client, "/")})
    assert switched.status_code == 302
    return client


def rows(page: str) -> list[str]:
    body = page.split('id="applications"', 1)[1].split("</table>", 1)[0]
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", "<tr" + row)).strip() for row in body.split("<tr")[2:]
    ]


def campaign_with_applications(users: dict[str, User], clock: ManualClock) -> tuple[int, dict[str, int]]:
    """A campaign with three applications: eligible in 北海村, a foreigner's passport and an =formula name
    refused in 涝台村."""
    instance = start_recruitment(users["bureau"])
    approve_plan(users)
    publish(users["bureau"], clock.now().date())
    campaign_id = users["bureau"].get(f"/api/v1/instances/{instance['id']}")["data"]["campaign"][
        "campaign_id"
    ]
    url = f"/api/v1/campaigns/{campaign_id}/applications"
    bureau = users["bureau"]
    ids = {
        "eligible": bureau.post(url, applicant(1, "gs-v05", BORN), expect=201)["id"],
        "passport": bureau.post(
            url,
            applicant(
                2,
                "gs-v04",
                BORN,
                name="John Smith",
                id_type="passport",
                id_number="X12345678",
                nationality="US",
            ),
            expect=201,
        )["id"],
        "formula": bureau.post(
            url, applicant(3, "gs-v04", BORN, name="=HYPERLINK(1)", education="below_high_school"), expect=201
        )["id"],
    }
    return campaign_id, ids


def test_the_bureau_lists_filters_and_pages_its_applications(
    app: Flask, users: dict[str, User], clock: ManualClock
) -> None:
    campaign_id, ids = campaign_with_applications(users, clock)
    client = web_login(app, "bureau")
    dashboard = get(client, f"/dashboards/campaigns/{campaign_id}")
    assert f'href="/dashboards/campaigns/{campaign_id}/applications"' in dashboard
    assert "报名人员及审查结果" in dashboard

    page = get(client, f"/dashboards/campaigns/{campaign_id}/applications")
    assert "共 3 人" in page and "年龄计算截止日期：2026-12-06" in page
    listed = rows(page)
    assert len(listed) == 3
    assert listed[0].startswith(f"{ids['eligible']} 应聘人001 居民身份证 371002********")
    assert "北海村" in listed[0] and "资格审查通过" in listed[0] and "gs-v05" not in page.split("<table")[1]
    assert "护照 X*****678" in listed[1] and "美国" in listed[1] and "不具有中华人民共和国国籍" in listed[1]
    assert "=HYPERLINK(1)" in listed[2] and "不具有高中以上文化程度" in listed[2]
    assert "北京时间" in listed[0]
    screenings = users["bureau"].get(f"/api/v1/campaigns/{campaign_id}/applications")["items"]
    assert f'<a href="/instances/{screenings[1]["screening_instance_id"]}">{ids["passport"]}</a>' in page

    refused = rows(get(client, f"/dashboards/campaigns/{campaign_id}/applications?result=ineligible"))
    assert [row.split()[0] for row in refused] == [str(ids["passport"]), str(ids["formula"])]
    in_beihai = rows(get(client, f"/dashboards/campaigns/{campaign_id}/applications?village=gs-v05"))
    assert [row.split()[0] for row in in_beihai] == [str(ids["eligible"])]
    nothing = get(client, f"/dashboards/campaigns/{campaign_id}/applications?village=gs-v05&result=hired")
    assert "没有符合条件的报名人员。" in nothing and rows(nothing) == []
    # Unknown filter values are ignored, not an error page.
    assert (
        len(rows(get(client, f"/dashboards/campaigns/{campaign_id}/applications?result=%3Cx%3E&page=x"))) == 3
    )

    english = get(in_english(client), f"/dashboards/campaigns/{campaign_id}/applications?result=ineligible")
    assert "Ages counted on: 2026-12-06" in english and "2 applicants" in english
    listed = rows(english)
    assert (
        "Passport X*****678" in listed[0] and "United States" in listed[0] and "Laotai Village" in listed[0]
    )
    assert "Not a national of the People's Republic of China" in listed[0] and "Ineligible" in listed[0]
    assert "Education below high school" in listed[1]
    assert not re.search(r"[\u4e00-\u9fff]", " ".join(listed).replace("应聘人", ""))


def test_pages_of_thirty(app: Flask, users: dict[str, User], clock: ManualClock) -> None:
    instance = start_recruitment(users["bureau"])
    approve_plan(users)
    publish(users["bureau"], clock.now().date())
    campaign_id = users["bureau"].get(f"/api/v1/instances/{instance['id']}")["data"]["campaign"][
        "campaign_id"
    ]
    for n in range(1, 33):
        users["bureau"].post(
            f"/api/v1/campaigns/{campaign_id}/applications", applicant(n, "gs-v05", BORN), expect=201
        )
    client = web_login(app, "bureau")
    first = get(client, f"/dashboards/campaigns/{campaign_id}/applications?village=gs-v05")
    assert len(rows(first)) == 30 and "第 1 / 2 页" in first
    assert f"/dashboards/campaigns/{campaign_id}/applications?page=2&amp;village=gs-v05" in html.escape(first)
    second = get(client, f"/dashboards/campaigns/{campaign_id}/applications?page=2&village=gs-v05")
    assert len(rows(second)) == 2 and "第 2 / 2 页" in second


def test_the_export_has_the_filtered_rows_as_text_and_beijing_time(
    app: Flask, users: dict[str, User], clock: ManualClock
) -> None:
    campaign_id, ids = campaign_with_applications(users, clock)
    client = web_login(app, "bureau")
    response = client.get(f"/dashboards/campaigns/{campaign_id}/applications.xlsx?result=ineligible")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet is not None
    values = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    assert str(values[0][0]).endswith("（年龄计算至 2026-12-06）")
    header = values[1]
    assert header[:3] == ("报名编号", "姓名", "性别") and "报名时间（北京时间）" in header
    data = {row[0]: dict(zip(header, row, strict=True)) for row in values[2:]}
    assert set(data) == {ids["passport"], ids["formula"]}
    assert data[ids["passport"]]["证件号码"] == "X*****678" and data[ids["passport"]]["国籍"] == "美国"
    assert data[ids["passport"]]["不符合原因"] == "不具有中华人民共和国国籍"
    applied = data[ids["passport"]]["报名时间（北京时间）"]
    assert isinstance(applied, datetime) and applied == datetime(2026, 11, 26, 9, 0)  # 01:00 UTC
    formula = sheet.cell(row=2 + list(data).index(ids["formula"]) + 1, column=2)
    assert formula.value == "=HYPERLINK(1)" and formula.data_type == "s"  # text, never a formula

    english = in_english(client).get(f"/dashboards/campaigns/{campaign_id}/applications.xlsx")
    english_sheet = load_workbook(io.BytesIO(english.data)).active
    assert english_sheet is not None
    assert [c.value for c in english_sheet[2]][:3] == ["Application no.", "Name", "Sex"]


def test_other_departments_neither_list_nor_read_the_screenings(
    app: Flask, users: dict[str, User], clock: ManualClock
) -> None:
    campaign_id, ids = campaign_with_applications(users, clock)
    for outsider in ("gushan_station", "party", "designer"):
        get(web_login(app, outsider), f"/dashboards/campaigns/{campaign_id}/applications", expect=403)
        get(web_login(app, outsider), f"/dashboards/campaigns/{campaign_id}/applications.xlsx", expect=403)
    get(web_login(app, "auditor"), f"/dashboards/campaigns/{campaign_id}/applications")

    screening = users["bureau"].get(f"/api/v1/campaigns/{campaign_id}/applications")["items"][1]
    instance_id = screening["screening_instance_id"]
    page = get(web_login(app, "bureau"), f"/instances/{instance_id}")
    assert "不具有中华人民共和国国籍" in page
    for outsider in ("gushan_station", "party", "finance"):
        users[outsider].get(f"/api/v1/instances/{instance_id}", expect=403)
        get(web_login(app, outsider), f"/instances/{instance_id}", expect=403)
    listed = users["bureau"].get("/api/v1/instances?process_id=applicant_screening")
    assert listed["total"] == 3 and instance_id in [item["id"] for item in listed["items"]]
    assert users["bureau"].get(f"/api/v1/instances/{instance_id}")["data"]["reason_code"] == [
        "not_chinese_national"
    ]


def test_the_excel_import_reads_document_type_sex_and_nationality_by_name(
    app: Flask, users: dict[str, User], clock: ManualClock, ctx: ServiceContext
) -> None:
    campaign_id = excel_steps.open_campaign(users, clock)
    today = clock.now().date()
    headers = [*excel_steps.HEADERS, "证件类型", "性别"]

    def row(n: int, document: str, sex: str, **changes: Any) -> list[Any]:
        return [*excel_steps.person(n, today, **changes), document, sex]

    born = today.replace(year=today.year - 25) - timedelta(days=3)
    bad = excel_steps.sheet(
        headers,
        [
            row(1, "", "女"),  # applicant 1's number is a man's
            row(2, "护照", "", id_number="X12345678", nationality="中国"),
            row(3, "回乡证", "", id_number="H12345678", nationality="香港"),
            row(4, "驾驶证", ""),
            row(5, "", "", nationality="XY"),
        ],
    )
    with pytest.raises(InvalidInputError) as refused:
        excel_import.import_applicants(ctx, excel_steps.BUREAU, campaign_id, bad)
    assert {(e["row"], e["column"]) for e in refused.value.errors} == {
        (2, "身份证号"),
        (3, "证件类型"),
        (4, "国籍"),
        (5, "证件类型"),
        (6, "国籍"),
    }
    assert excel_steps.applications(ctx) == 0

    good = excel_steps.sheet(
        headers,
        [
            row(1, "居民身份证", "男"),
            row(
                3, "Passport", "female", id_number="x1234567", nationality="美国", birth_date=born.isoformat()
            ),
        ],
    )
    resident, foreigner = excel_import.import_applicants(ctx, excel_steps.BUREAU, campaign_id, good)
    assert (resident.id_type, resident.applicant["sex"], resident.status) == (
        "resident_id",
        "male",
        "eligible",
    )
    assert (foreigner.id_type, foreigner.id_number, foreigner.applicant["nationality"]) == (
        "passport",
        "X1234567",
        "US",
    )
    assert (foreigner.status, foreigner.reasons) == ("ineligible", ["不具有中华人民共和国国籍"])
    again = excel_steps.sheet(headers, [row(4, "护照", "", id_number="X1234567", nationality="US")])
    with pytest.raises(InvalidInputError) as refused:
        excel_import.import_applicants(ctx, excel_steps.BUREAU, campaign_id, again)
    assert [(e["row"], e["column"]) for e in refused.value.errors] == [(2, "身份证号")]
    assert refused.value.errors[0]["message"].startswith("已在本批次报名")


def test_the_campaign_instance_states_the_reference_date_by_its_title(
    app: Flask, users: dict[str, User], clock: ManualClock
) -> None:
    url = open_campaign(users, clock, age_reference_date="2026-12-31")
    report = users["bureau"].get(url.removesuffix("/applications"))
    assert report["campaign"]["age_reference_date"] == "2026-12-31"
    page = get(web_login(app, "bureau"), f"/instances/{report['campaign']['instance_id']}")
    main = page.split("<main", 1)[-1]
    assert "<dt>年龄计算截止日期</dt>" in main and "2026-12-31" in main  # the form's title, not the key
