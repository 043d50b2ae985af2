"""Excel in and out: templates with Chinese headers, all-or-nothing applicant import with row/column errors,
the exam-score sheet that fills the enter_exam_scores task, and the sub-bureau's pages for both."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from service.context import ServiceContext
from service.persistence.models import ApplicationModel, HumanTaskModel
from service.scheduler import run_once as fire_due_timers
from service.usecases import excel_import
from service.usecases.directory import Caller
from service.usecases.errors import ConflictError, ForbiddenError, InvalidInputError
from tests.api.recruitment_steps import approve_plan, publish, resident_id, start_recruitment
from tests.conftest import User
from tests.web_units.browser_session import csrf, web_login
from workflows.ports import ManualClock

BUREAU = Caller("bureau", "公安分局", frozenset({"police_bureau"}))
STATION = Caller("gushan_station", "崮山派出所", frozenset({"police_station:gushan"}))
KEYS = ["name", "id_number", "birth_date", "village_code", "nationality", "weihai_residence", "education"]
KEYS += ["healthy", "good_conduct"]
HEADERS = [next(c.zh for c in excel_import.APPLICANT_COLUMNS if c.key == key) for key in KEYS]


def sheet(headers: list[str], rows: list[list[Any]]) -> bytes:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def person(n: int, today: date, **changes: Any) -> list[Any]:
    birth = today.replace(year=today.year - 25) - timedelta(days=n)
    values = {
        "name": f"导入人{n:02d}",
        "id_number": resident_id(n, birth),
        "birth_date": birth.isoformat(),
        "village_code": "gs-v05",
        "nationality": "中国",
        "weihai_residence": "是",
        "education": "高中",
        "healthy": "是",
        "good_conduct": "是",
    }
    values.update(changes)
    return [values[key] for key in KEYS]


def open_campaign(users: dict[str, User], clock: ManualClock) -> int:
    instance = start_recruitment(users["bureau"])
    approve_plan(users)
    publish(users["bureau"], clock.now().date())
    data = users["bureau"].get(f"/api/v1/instances/{instance['id']}")["data"]
    return int(data["campaign"]["campaign_id"])


def applications(ctx: ServiceContext) -> int:
    with ctx.database.reading() as session:
        return session.scalar(select(func.count()).select_from(ApplicationModel)) or 0


def problems(error: pytest.ExceptionInfo[InvalidInputError]) -> set[tuple[Any, str]]:
    return {(e["row"], e["column"]) for e in error.value.errors}


# -- the sheets, framework-free --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["applicants", "scores"])
def test_templates_have_chinese_headers_and_notes(kind: str) -> None:
    book = load_workbook(io.BytesIO(excel_import.template(kind)))
    assert book.sheetnames[1] == "说明"
    headers = [cell.value for cell in book.worksheets[0][1]]
    expected = [c.zh for c in excel_import.KINDS[kind]]
    assert headers == expected
    if kind == "scores":
        assert headers == ["报名编号", "姓名", "成绩"]
    else:
        assert {"姓名", "身份证号", "出生日期", "报考村（社区）", "不得聘用情形"} <= set(headers)
    # A template read back as it is has no data rows: refused as such, never imported empty.
    rows, errors = excel_import.read_rows(excel_import.template(kind), excel_import.KINDS[kind])
    assert rows == [] and errors[0]["message"] == "文件中没有数据行"


def test_cells_accept_what_people_type() -> None:
    column = {c.key: c for c in excel_import.APPLICANT_COLUMNS}
    parse = excel_import.parse_cell
    assert parse(column["healthy"], "是") is True and parse(column["healthy"], " 否 ") is False
    assert parse(column["meets_post_requirements"], None) is True
    assert parse(column["education"], "中专（职高、技校）") == "vocational"
    assert parse(column["education"], "bachelor") == parse(column["education"], "本科") == "bachelor"
    assert parse(column["birth_date"], "1998/5/20") == date(1998, 5, 20)
    assert parse(column["nationality"], "中国") == "CN"
    # Chinese labels may themselves contain 、 and ，: whole labels are recognised first.
    label = "本人或亲属参加非法组织、邪教或危害国家安全活动，组织或煽动集体上访、非正常访"
    assert parse(column["disqualifiers"], f"bad_credit、{label}") == ["illegal_organisation", "bad_credit"]
    assert parse(column["priority"], "退役士兵，honoured") == ["retired_soldier", "honoured"]
    for key, value in [("id_number", 371002199805200011), ("birth_date", "1998-02-30"), ("healthy", "也许")]:
        with pytest.raises(excel_import.CellError):
            parse(column[key], value)
    with pytest.raises(excel_import.CellError):
        parse(excel_import.SCORE_COLUMNS[2], "101")


def test_unreadable_and_unknown_columns_are_refused() -> None:
    with pytest.raises(InvalidInputError) as error:
        excel_import.read_rows(b"not an xlsx", excel_import.APPLICANT_COLUMNS)
    assert error.value.errors[0]["message_en"] == "Not a readable .xlsx file"
    unknown = sheet(["姓名", "备注"], [["张三", "x"]])
    _rows, errors = excel_import.read_rows(unknown, excel_import.SCORE_COLUMNS)
    assert {(e["row"], e["column"], e["message"]) for e in errors} >= {
        (1, "报名编号", "缺少必填列"),
        (1, "成绩", "缺少必填列"),
        (1, "", "第2列“备注”无法识别"),
    }


# -- the use cases ---------------------------------------------------------------------------------------


def test_applicant_import_is_all_or_nothing(
    users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    campaign_id = open_campaign(users, clock)
    today = clock.now().date()
    bad = sheet(
        HEADERS,
        [
            person(1, today),
            [],  # blank lines are skipped but keep the numbering of the rows after them
            person(2, today, birth_date="1998-13-45", village_code="nowhere"),
            person(3, today, education="小学", id_number=person(1, today)[1], birth_date=person(1, today)[2]),
        ],
    )
    with pytest.raises(InvalidInputError) as error:
        excel_import.import_applicants(ctx, BUREAU, campaign_id, bad)
    assert problems(error) == {(4, "出生日期"), (4, "报考村（社区）"), (5, "学历"), (5, "身份证号")}
    assert applications(ctx) == 0, "nothing of a file with a bad row is imported"

    good = sheet(HEADERS, [person(1, today), person(2, today, healthy="否"), person(3, today)])
    imported = excel_import.import_applicants(ctx, BUREAU, campaign_id, good)
    assert [a.status for a in imported] == ["eligible", "ineligible", "eligible"]
    assert applications(ctx) == 3

    with pytest.raises(InvalidInputError) as error:
        excel_import.import_applicants(ctx, BUREAU, campaign_id, good)
    assert problems(error) == {(2, "身份证号"), (3, "身份证号"), (4, "身份证号")}
    with pytest.raises(ForbiddenError):
        excel_import.import_applicants(ctx, STATION, campaign_id, good)
    assert applications(ctx) == 3


def close_registration(ctx: ServiceContext, clock: ManualClock) -> None:
    clock.advance(timedelta(days=11))
    assert fire_due_timers(ctx) == 1


def test_scores_sheet_fills_the_exam_task(
    app: Flask, users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    campaign_id = open_campaign(users, clock)
    today = clock.now().date()
    rows = [person(1, today), person(2, today), person(3, today, weihai_residence="否")]
    imported = excel_import.import_applicants(ctx, BUREAU, campaign_id, sheet(HEADERS, rows))
    first, second, ineligible = (a.id for a in imported)
    close_registration(ctx, clock)
    with pytest.raises(ConflictError) as closed:
        excel_import.import_applicants(ctx, BUREAU, campaign_id, sheet(HEADERS, [person(9, today)]))
    assert closed.value.errors[0]["message_en"] == "The campaign is not open for registration"

    listed = load_workbook(io.BytesIO(excel_import.score_sheet(ctx, BUREAU, campaign_id))).worksheets[0]
    assert [[c.value for c in line] for line in listed.iter_rows(min_row=2)] == [
        [first, "导入人01", None],
        [second, "导入人02", None],
    ]

    scores = ["报名编号", "姓名", "成绩"]
    wrong_rows = [[first, "导入人01", 120], [second, "别人", 80], [ineligible, "", 70], [999, "", 60]]
    wrong = sheet(scores, wrong_rows)
    with pytest.raises(InvalidInputError) as error:
        excel_import.scores_for(ctx, wrong, campaign_id)
    assert problems(error) == {(2, "成绩"), (3, "姓名"), (4, "报名编号"), (5, "报名编号")}

    right = sheet(scores, [[first, "导入人01", 88.5], [second, None, "80"]])
    assert excel_import.scores_for(ctx, right, campaign_id) == [
        {"application_id": first, "score": 88.5},
        {"application_id": second, "score": 80},
    ]

    # Through the page: the task page links to the upload; a bad sheet shows its rows, a good one completes.
    client = web_login(app, "bureau")
    task = users["bureau"].get("/api/v1/queues/police_bureau/tasks")["items"][0]
    assert task["spec_name"] == "enter_exam_scores"
    assert f"/tasks/{task['id']}/scores" in client.get(f"/tasks/{task['id']}").get_data(as_text=True)
    token = csrf(client, f"/tasks/{task['id']}/scores")
    sheet_download = client.get(f"/tasks/{task['id']}/scores.xlsx")
    assert sheet_download.status_code == 200 and sheet_download.data[:2] == b"PK"
    page = client.post(
        f"/tasks/{task['id']}/scores", data={"csrf_token": token, "file": (io.BytesIO(wrong), "scores.xlsx")}
    )
    assert page.status_code == 422
    assert 'id="import-errors"' in page.get_data(as_text=True)
    page = client.post(
        f"/tasks/{task['id']}/scores", data={"csrf_token": token, "file": (io.BytesIO(right), "scores.xlsx")}
    )
    assert page.status_code == 302, page.get_data(as_text=True)
    with ctx.database.reading() as session:
        done = session.get(HumanTaskModel, task["id"])
        assert done is not None and done.state == "completed"
        ranked = session.scalars(select(ApplicationModel).where(ApplicationModel.id == first)).one()
        assert ranked.score == 88.5


def test_excel_pages(app: Flask, users: dict[str, User], ctx: ServiceContext, clock: ManualClock) -> None:
    campaign_id = open_campaign(users, clock)
    today = clock.now().date()
    station = web_login(app, "gushan_station")
    assert station.get("/excel").status_code == 403
    assert 'id="nav-excel"' not in station.get("/").get_data(as_text=True)

    client = web_login(app, "bureau")
    assert 'id="nav-excel"' in client.get("/").get_data(as_text=True)
    download = client.get("/excel/templates/applicants.xlsx")
    assert download.status_code == 200 and download.mimetype == excel_import_mimetype()
    assert "attachment" in download.headers["Content-Disposition"]
    assert client.get("/excel/templates/other.xlsx").status_code == 404

    token = csrf(client, "/excel")
    bad = sheet(HEADERS, [person(1, today), person(2, today, birth_date="1998-13-45")])
    page = client.post(
        "/excel/applicants",
        data={"csrf_token": token, "campaign_id": str(campaign_id), "file": (io.BytesIO(bad), "a.xlsx")},
    )
    text = page.get_data(as_text=True)
    assert page.status_code == 422 and 'id="import-errors"' in text
    assert "出生日期" in text and '<td class="num">3</td>' in text
    assert applications(ctx) == 0

    good = sheet(HEADERS, [person(1, today), person(2, today)])
    page = client.post(
        "/excel/applicants",
        data={"csrf_token": token, "campaign_id": str(campaign_id), "file": (io.BytesIO(good), "a.xlsx")},
    )
    assert page.status_code == 200 and 'id="import-success"' in page.get_data(as_text=True)
    assert applications(ctx) == 2
    missing = client.post("/excel/applicants", data={"csrf_token": token, "campaign_id": str(campaign_id)})
    assert missing.status_code == 400
    forged = client.post("/excel/applicants", data={"campaign_id": str(campaign_id)})
    assert forged.status_code == 400 and applications(ctx) == 2


def excel_import_mimetype() -> str:
    return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
