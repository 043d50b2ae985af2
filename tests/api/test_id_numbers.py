"""Issue 13 point 4 (part): one application per resident ID number per campaign, refused with 409 naming
the application there is (its number and its village by name), through the API and the Excel import
alike; and resident ID numbers checked (GB 11643 check character, a real birth date, the same birth date
as on the form), a wrong one a field error naming the field by its title in both languages."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from service.context import ServiceContext
from service.persistence.models import ApplicationModel
from service.usecases import excel_import
from service.usecases.directory import Caller
from service.usecases.errors import InvalidInputError
from service.usecases.id_numbers import id_number_problem
from tests.api.recruitment_steps import applicant, approve_plan, publish, resident_id, start_recruitment
from tests.api.test_api_errors import assert_error_shape
from tests.conftest import User
from tests.web_units.test_excel_import import HEADERS, person, sheet
from workflows.ports import ManualClock

BUREAU = Caller("bureau", frozenset({"police_bureau"}), frozenset({"police_bureau"}), frozenset())
ERROR_SHAPE = {"code", "status", "message", "message_en", "errors"}


def open_campaign(users: dict[str, User], clock: ManualClock, key: str = "2026-recruitment") -> str:
    instance = start_recruitment(users["bureau"], key)
    approve_plan(users)
    publish(users["bureau"], clock.now().date())
    campaign = users["bureau"].get(f"/api/v1/instances/{instance['id']}")["data"]["campaign"]
    return f"/api/v1/campaigns/{campaign['campaign_id']}/applications"


def applications(ctx: ServiceContext) -> int:
    with ctx.database.reading() as session:
        return session.scalar(select(func.count()).select_from(ApplicationModel)) or 0


def test_the_check_character_and_the_birth_date_inside_the_number() -> None:
    assert id_number_problem("11010519491231002X", date(1949, 12, 31)) is None  # the standard's example
    assert id_number_problem("11010519491231002x", None) is None
    for wrong in ("110105194912310021", "110105194912310020", "11010519491231002"):
        assert id_number_problem(wrong, None) is not None, wrong
    # 30 February 1998 with a correct check character: still no real day
    first_17 = "37100219980230001"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    fake = first_17 + "10X98765432"[sum(int(d) * w for d, w in zip(first_17, weights, strict=True)) % 11]
    assert id_number_problem(fake, None) == (
        "其中的出生日期不是有效日期",
        "the birth date in it is not a real date",
    )
    born = date(1998, 5, 20)
    assert id_number_problem(resident_id(7, born), born) is None
    assert id_number_problem(resident_id(7, born), born + timedelta(days=1)) is not None


def test_a_wrong_id_number_is_a_field_error_named_by_its_title(
    users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    bureau = users["bureau"]
    url = open_campaign(users, clock)
    born = clock.now().date().replace(year=clock.now().year - 25)
    good = resident_id(1, born)
    wrong_check = good[:17] + ("0" if good[17] != "0" else "1")
    body = bureau.post(url, applicant(1, "gs-v05", born, id_number=wrong_check), expect=422)
    assert set(body) == ERROR_SHAPE
    assert body["errors"] == {
        "id_number": [
            "身份证号校验位不正确，请核对号码",
            "ID number: the check character is wrong; please check the number",
        ]
    }
    assert "身份证号" in body["message"] and "ID number" in body["message_en"]

    other_day = born - timedelta(days=3)
    body = bureau.post(url, applicant(1, "gs-v05", other_day, id_number=good), expect=422)
    zh, en = body["errors"]["id_number"]
    assert zh.startswith("身份证号") and born.isoformat() in zh and "出生日期不一致" in zh
    assert en.startswith("ID number: ") and "differs from the birth date given" in en
    assert applications(ctx) == 0

    assert bureau.post(url, applicant(1, "gs-v05", born, id_number=good.lower()), expect=201)


def test_one_application_per_id_number_per_campaign(
    users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    bureau = users["bureau"]
    url = open_campaign(users, clock)
    born = clock.now().date().replace(year=clock.now().year - 25)
    first = bureau.post(url, applicant(1, "gs-v05", born), expect=201)

    body = bureau.post(url, applicant(2, "gs-v04", born, id_number=resident_id(1, born)), expect=409)
    assert set(body) == ERROR_SHAPE and body["code"] == 409
    assert_error_shape(body, 409)
    assert body["message"] == f"该身份证号已在本批次报名（报名编号 {first['id']}，报考北海村）"
    assert body["message_en"] == (
        f"This ID number already applied in this campaign (application no. {first['id']}, for Beihai Village)"
    )
    assert body["errors"]["id_number"][0].startswith("身份证号已在本批次报名")
    assert applications(ctx) == 1
    assert bureau.post(url, applicant(2, "gs-v04", born), expect=201)  # another person: accepted


def test_the_excel_import_refuses_a_duplicate_id_by_row_and_column(
    users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    url = open_campaign(users, clock)
    campaign_id = int(url.split("/")[-2])
    today = clock.now().date()
    bureau = users["bureau"]
    born = today.replace(year=today.year - 25) - timedelta(days=1)  # person(1)'s birth date
    existing = bureau.post(url, applicant(1, "gs-v04", born), expect=201)

    twice = sheet(HEADERS, [person(2, today), person(3, today), person(2, today, name="重复人")])
    with pytest.raises(InvalidInputError) as refused:
        excel_import.import_applicants(ctx, BUREAU, campaign_id, twice)
    assert [(e["row"], e["column"], e["message"]) for e in refused.value.errors] == [
        (4, "身份证号", "与第2行重复")
    ]

    already = sheet(HEADERS, [person(2, today), person(1, today)])
    with pytest.raises(InvalidInputError) as refused:
        excel_import.import_applicants(ctx, BUREAU, campaign_id, already)
    assert [(e["row"], e["column"], e["message"], e["message_en"]) for e in refused.value.errors] == [
        (
            3,
            "身份证号",
            f"已在本批次报名（报名编号 {existing['id']}，报考涝台村）",
            f"already applied in this campaign (application no. {existing['id']}, for Laotai Village)",
        )
    ]

    bad_check = person(2, today)
    bad_check[1] = bad_check[1][:17] + ("0" if bad_check[1][17] != "0" else "1")
    with pytest.raises(InvalidInputError) as refused:
        excel_import.import_applicants(ctx, BUREAU, campaign_id, sheet(HEADERS, [bad_check]))
    assert [(e["row"], e["column"]) for e in refused.value.errors] == [(2, "身份证号")]
    assert applications(ctx) == 1, "nothing of a refused file is imported"
