"""Bulk scoring through Excel (issue 15, point 1): the Gushan town government downloads its month as a
workbook (a row per officer, names and numbers as text, the form's fields under Chinese headers with Excel's
checks, the task id hidden and locked), fills it with openpyxl as a clerk would in Excel and uploads it:
every row completed in its own transaction with its audit event and a result per row; a task completed or
claimed since the download refused on its row while the others complete. A file with a wrong cell is
refused whole with its problems by row and column, and bad files (not a workbook, macro-enabled, too large,
another step's sheet) are refused before anything is done."""

from __future__ import annotations

import io
import zipfile
from typing import Any
from urllib.parse import unquote

from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import func, select

from service.context import ServiceContext
from service.persistence.models import AuditEventModel
from service.usecases.excel_sheets import MAX_BYTES
from tests.api.appraisal_steps import rubric, tasks_of
from tests.api.test_bulk_scoring import GUSHAN, start, town_data
from tests.conftest import User

WORKBOOK = f"{GUSHAN}/bulk-workbook"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PEOPLE = ["任务编号（请勿修改）", "辅警编号", "姓名", "村（社区）", "身份证号"]
ITEMS = ["列席两委会议（满分15）", "网格协同（满分15）"]  # the first two of eight rubric items


def download(user: User, url: str = WORKBOOK) -> Worksheet:
    response = user.client.get(url, headers=user._headers())
    assert response.status_code == 200, response.get_json(silent=True)
    assert response.mimetype == XLSX
    assert "镇政府月度考核-崮山镇人民政府-" in unquote(response.headers["Content-Disposition"])
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    return sheet


def upload(user: User, content: bytes, expect: int = 200, url: str = WORKBOOK) -> Any:
    # The multipart body written here, not by the test client (which spools a large one to a file it
    # leaves open).
    head = b'--B0undary\r\nContent-Disposition: form-data; name="file"; filename="scores.xlsx"\r\n\r\n'
    response = user.client.post(
        url,
        data=head + content + b"\r\n--B0undary--\r\n",
        headers=user._headers(),
        content_type="multipart/form-data; boundary=B0undary",
    )
    assert response.status_code == expect, response.get_json(silent=True)
    return response.get_json()


def saved(sheet: Worksheet) -> bytes:
    buffer = io.BytesIO()
    assert sheet.parent is not None
    sheet.parent.save(buffer)
    return buffer.getvalue()


def headers(sheet: Worksheet) -> list[str]:
    return [str(c.value) for c in sheet[1]]


def fill(sheet: Worksheet, line: int, data: dict[str, Any]) -> None:
    """Type ``data`` (town_data's shape) into a line, the opinion by its label as Excel's list offers it."""
    titles = headers(sheet)
    items = list(data["town_items"].values())
    for offset, value in enumerate(items):
        sheet.cell(row=line, column=len(PEOPLE) + 1 + offset, value=value)
    opinion = {"satisfied": "满意", "basically_satisfied": "基本满意", "dissatisfied": "不满意"}
    sheet.cell(
        row=line, column=titles.index("村委会意见") + 1, value=opinion[data["village_committee_opinion"]]
    )


def completions(ctx: ServiceContext) -> int:
    with ctx.database.reading() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(AuditEventModel)
                .where(AuditEventModel.action == "task_completed", AuditEventModel.actor == "gushan_gov")
            )
            or 0
        )


def test_a_town_month_scored_through_excel(users: dict[str, User], ctx: ServiceContext) -> None:
    start(users, ctx)
    gov, head = users["gushan_gov"], users["gushan_gov_head"]
    rows = gov.get(f"{GUSHAN}/bulk")["rows"]
    sheet = download(gov)
    titles = headers(sheet)
    assert titles[: len(PEOPLE) + 2] == PEOPLE + ITEMS
    assert titles[-2:] == ["村委会意见", "考核说明"]
    assert sheet.max_row == len(rows) + 1 >= 41
    # The task id is hidden and locked; names, villages and numbers are text cells, the scores open.
    assert sheet.column_dimensions["A"].hidden and sheet.protection.sheet
    assert [sheet.cell(row=2, column=n).value for n in (1, 3, 4)] == [
        rows[0]["task_id"],
        rows[0]["officer_name"],
        rows[0]["village_name_zh"],
    ]
    officer_number = sheet.cell(row=2, column=2)
    assert (officer_number.value, officer_number.data_type) == (str(rows[0]["officer_id"]), "s")
    assert sheet.cell(row=2, column=1).protection.locked and not sheet.cell(row=2, column=6).protection.locked
    assert all(sheet.cell(row=n, column=6).value is None for n in range(2, sheet.max_row + 1))
    checks = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    first = checks[f"F2:F{len(rows) + 1}"]
    assert (first.type, first.operator, first.formula1, first.formula2) == ("whole", "between", "0", "15")
    assert first.error == "“列席两委会议”应为0至15之间的整数"
    opinion = get_column(titles, "村委会意见")
    assert checks[f"{opinion}2:{opinion}{len(rows) + 1}"].formula1 == '"满意,基本满意,不满意"'
    assert sheet.parent is not None and sheet.parent.sheetnames == ["评分表", "说明"]

    # Meanwhile one task is completed on the page and another claimed by the head.
    by_line = {str(sheet.cell(row=n, column=1).value): n for n in range(2, sheet.max_row + 1)}
    done, held, empty = rows[0]["task_id"], rows[1]["task_id"], rows[2]["task_id"]
    gov.post(f"{GUSHAN}/bulk-complete", {"items": [{"task_id": done, "data": town_data(0.5)}]})
    head.post(f"/api/v1/tasks/{held}/claim")
    before = completions(ctx)
    for task_id, line in by_line.items():
        if task_id != empty:
            fill(sheet, line, town_data())
    sheet.cell(row=by_line[held], column=len(titles), value="本月表现突出")
    outcome = upload(gov, saved(sheet))

    assert (outcome["completed"], outcome["refused"], outcome["skipped"], outcome["taken"]) == (
        len(rows) - 3,
        1,
        1,
        1,
    )
    results = {r["task_id"]: r for r in outcome["results"]}
    assert [r["row"] for r in outcome["results"]] == list(range(2, len(rows) + 2))
    assert (results[done]["result"], results[done]["status"], results[done]["message"]) == (
        "refused",
        409,
        "该任务已办结，不能重复办理",
    )
    assert results[held]["result"] == "taken" and results[held]["taken_by"] == "崮山镇政府 镇长"
    assert results[empty]["result"] == "skipped"
    ok = results[rows[3]["task_id"]]
    assert (ok["result"], ok["row"], ok["officer_name"], ok["village_name_zh"]) == (
        "completed",
        by_line[rows[3]["task_id"]],
        rows[3]["officer_name"],
        rows[3]["village_name_zh"],
    )
    assert completions(ctx) == before + len(rows) - 3  # a completion and its audit event per row
    left = {t["id"] for t in tasks_of(gov, "town_gov:gushan", "town_score")}
    assert left == {held, empty}
    task = gov.get(f"/api/v1/tasks/{rows[3]['task_id']}")
    assert task["state"] == "completed"


def get_column(titles: list[str], title: str) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(titles.index(title) + 1)


def test_one_wrong_cell_refuses_the_whole_file(users: dict[str, User], ctx: ServiceContext) -> None:
    start(users, ctx)
    gov = users["gushan_gov"]
    sheet = download(gov, f"{WORKBOOK}?fill=maximum")  # full marks: the clerk only lowers what was lost
    titles = headers(sheet)
    assert [sheet.cell(row=2, column=n).value for n in range(6, 14)] == [15, 15, 15, 15, 10, 10, 10, 10]
    assert sheet.cell(row=2, column=titles.index("村委会意见") + 1).value is None  # no maximum: left empty
    opinion = titles.index("村委会意见") + 1
    for line in range(2, sheet.max_row + 1):
        sheet.cell(row=line, column=opinion, value="满意")
    sheet.cell(row=3, column=6, value=16)  # above the item's maximum
    sheet.cell(row=4, column=7, value="十")  # not a number
    sheet.cell(row=5, column=opinion, value="很好")  # no such choice
    sheet.cell(row=6, column=8).value = None  # a required item left out of a started row
    officer = sheet.cell(row=7, column=3).value
    sheet.cell(row=7, column=3, value="张三")  # another officer's name on the task's line
    sheet.cell(row=8, column=9, value=7.5)  # half a point of a whole-number item
    # The same task twice: line 9 now carries line 10's task under its own officer's name.
    sheet.cell(row=9, column=1, value=sheet.cell(row=10, column=1).value)
    tenth = sheet.cell(row=10, column=3).value
    before = completions(ctx)
    body = upload(gov, saved(sheet), expect=422)
    assert body["message"] == "文件中有 8 处错误，未导入任何数据"
    found = [(e["row"], e["column"], e["message"]) for e in body["errors"]]
    assert found == [
        (3, "列席两委会议（满分15）", "“列席两委会议”不能大于 15"),
        (4, "网格协同（满分15）", "“十”不是整数"),
        (5, "村委会意见", "“很好”不是可选的值，应为：满意、基本满意、不满意"),
        (6, "稳定信息报送（满分15）", "缺少必填项：稳定信息报送"),
        (7, "姓名", f"与任务编号对应的辅警是“{officer}”，请勿调换或修改姓名"),
        (8, "化解矛盾纠纷（满分15）", "“7.5”不是整数"),
        (9, "姓名", f"与任务编号对应的辅警是“{tenth}”，请勿调换或修改姓名"),
        (10, "任务编号（请勿修改）", "与第9行是同一任务"),
    ]
    assert body["errors"][0]["column_en"] == "Attendance at village committee meetings (max 15)"
    assert completions(ctx) == before  # nothing completed
    assert len(tasks_of(gov, "town_gov:gushan", "town_score")) == sheet.max_row - 1


def with_member(content: bytes, name: str, data: bytes) -> bytes:
    """``content`` (a workbook) with one more member in its ZIP: what Excel writes for a .xlsm's macros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr(name, data)
    return buffer.getvalue()


def test_bad_files_are_refused_before_anything_is_done(users: dict[str, User], ctx: ServiceContext) -> None:
    start(users, ctx)
    gov, station = users["gushan_gov"], users["gushan_station"]
    sheet = download(gov, f"{WORKBOOK}?fill=maximum")
    opinion = headers(sheet).index("村委会意见") + 1
    for line in range(2, sheet.max_row + 1):
        sheet.cell(row=line, column=opinion, value="满意")
    good = saved(sheet)  # every row complete: only the file itself is wrong below
    other_step = station.client.get(
        "/api/v1/queues/police_station:gushan/steps/station_score/bulk-workbook", headers=station._headers()
    ).data
    empty_book = Workbook()
    empty = io.BytesIO()
    empty_book.save(empty)
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64 + "Workbook".encode("utf-16-le")
    cases = [
        (b"", "上传的文件是空的"),
        (b"name,score\n", "无法读取该文件，请上传本页下载的 Excel 表格（.xlsx）"),
        (
            with_member(good, "xl/vbaProject.bin", b"macro"),
            "不接受启用宏的工作簿（.xlsm），请在 Excel 中另存为 .xlsx 后上传",
        ),
        (ole2, "这是旧版 Excel 文件（.xls），请在 Excel 中另存为 .xlsx 后上传"),
        (good + b"\x00" * (MAX_BYTES + 1 - len(good)), "文件过大（不超过5MB）"),
    ]
    before = completions(ctx)
    for content, message in cases:
        body = upload(gov, content, expect=422)
        assert (body["message"], body["errors"][0]["row"]) == (message, None), message
        assert body["message_en"] != body["message"]
    # Another step's sheet, or an empty one: its headers are named as the problem.
    for content in (other_step, empty.getvalue()):
        body = upload(gov, content, expect=422)
        assert body["errors"][0] == {
            "row": 1,
            "column": "",
            "column_en": "",
            "message": "表头与本环节的评分表不一致，请使用本页下载的表格",
            "message_en": "The headers are not this step's sheet's: upload the workbook downloaded from this "
            "page",
        }
        assert all(e["row"] == 1 for e in body["errors"])
    station_errors = [e["message"] for e in upload(gov, other_step, expect=422)["errors"]]
    assert "第6列“出勤与纪律（满分15）”无法识别" in station_errors
    assert completions(ctx) == before
    assert upload(gov, good)["completed"] == sheet.max_row - 1  # the same rows, in a good file, complete


def test_rows_of_other_departments_are_refused_on_their_row(
    users: dict[str, User], ctx: ServiceContext
) -> None:
    start(users, ctx)
    gov, boyu = users["gushan_gov"], users["boyu_gov"]
    sheet = download(gov)
    fill(sheet, 2, town_data())
    fill(sheet, 3, town_data())
    boyu_task = boyu.get("/api/v1/queues/town_gov:boyu/steps/town_score/bulk")["rows"][0]["task_id"]
    sheet.cell(row=3, column=1, value=boyu_task)  # a hidden id changed to another town's task
    outcome = upload(gov, saved(sheet))
    assert [(r["row"], r["result"], r["status"]) for r in outcome["results"][:2]] == [
        (2, "completed", 200),
        (3, "refused", 403),
    ]
    assert outcome["results"][1]["message"] == "该任务不属于本部门的待办，不能在此表格中办理"
    assert outcome["skipped"] == sheet.max_row - 3
    assert boyu.get("/api/v1/queues/town_gov:boyu/steps/town_score/bulk")["rows"][0]["task_id"] == boyu_task
    # Another town's clerk can neither download nor upload Gushan's table; rubric rows are checked per form.
    body = boyu.get(WORKBOOK, expect=403)
    assert "崮山镇人民政府" in body["message"]
    assert upload(boyu, saved(sheet), expect=403)["code"] == 403
    station = users["gushan_station"]
    station_sheet = download_station(station)
    assert headers(station_sheet)[5] == "出勤与纪律（满分15）"
    assert len(rubric("station_score.json", "station_items", 1)) == 9


def download_station(user: User) -> Worksheet:
    url = "/api/v1/queues/police_station:gushan/steps/station_score/bulk-workbook"
    response = user.client.get(url, headers=user._headers())
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.data)).worksheets[0]


def test_bad_requests_are_refused_in_the_one_error_shape(users: dict[str, User]) -> None:
    gov = users["gushan_gov"]
    answer = gov.get(f"{WORKBOOK}?fill=all", expect=422)
    assert set(answer) >= {"code", "status", "message", "message_en"} and "fill" in str(answer["errors"])
    assert "file" in str(gov.post(WORKBOOK, {}, expect=422)["errors"])  # no file at all
    users["auditor"].get(WORKBOOK, expect=403)
    assert upload(users["auditor"], b"x", expect=403)["code"] == 403
    gov.get("/api/v1/queues/town_gov:gushan/steps/no_such_step/bulk-workbook", expect=404)
