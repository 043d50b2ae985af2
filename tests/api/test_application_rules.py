"""Issue 13 point 4: one age reference date for the whole campaign (the announcement's, else the registration
end date), nationalities as ISO 3166-1 codes, other identity documents for non-residents (refused on
nationality by the eligibility decision, with the reason recorded), the sex inside a resident ID number,
and one application per document per campaign held by a unique index as well as by the check."""

from __future__ import annotations

import re
import threading
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from service.context import ServiceContext
from service.usecases import id_numbers, recruitment
from service.usecases.directory import Caller
from service.usecases.errors import ServiceError
from service.usecases.recruitment.reasons import REASONS_EN
from tests.api.recruitment_steps import applicant, approve_plan, complete, resident_id, start_recruitment
from tests.api.test_api_errors import assert_error_shape
from tests.conftest import User
from workflows.ports import ManualClock

OVER_30 = "年龄超过30周岁，且无应聘职位相关工作经验、特长、专业技能或部队服役经历"
NOT_CHINESE = "不具有中华人民共和国国籍"


def open_campaign(users: dict[str, User], clock: ManualClock, **announcement: Any) -> str:
    """A campaign whose registration runs from today for 10 days; its applications' URL."""
    instance = start_recruitment(users["bureau"])
    approve_plan(users)
    today = clock.now().date()
    data = {
        "registration_start": today.isoformat(),
        "registration_end": (today + timedelta(days=10)).isoformat(),
        "announcement": "威海经济技术开发区公开招聘农村辅警公告",
        **announcement,
    }
    complete(users["bureau"], "police_bureau", "publish_announcement", data)
    campaign = users["bureau"].get(f"/api/v1/instances/{instance['id']}")["data"]["campaign"]
    return f"/api/v1/campaigns/{campaign['campaign_id']}/applications"


def test_one_reference_date_whoever_applies_when(
    users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    bureau = users["bureau"]
    url = open_campaign(users, clock)
    today = clock.now().date()  # 2026-11-26; registration ends 2026-12-06, the default reference date
    turns_31 = date(today.year - 31, 12, 1)  # 30 on the first day, 31 from the fifth on
    turns_18 = date(today.year - 18, 12, 1)  # 17 on the first day, 18 on the reference date

    first_day = bureau.post(url, applicant(1, "gs-v05", turns_31), expect=201)
    young = bureau.post(url, applicant(3, "gs-v05", turns_18), expect=201)
    clock.advance(timedelta(days=8))
    last_days = bureau.post(url, applicant(2, "gs-v04", turns_31), expect=201)

    assert (first_day["status"], first_day["reasons"]) == ("ineligible", [OVER_30])
    assert (last_days["status"], last_days["reasons"]) == ("ineligible", [OVER_30])
    assert (young["status"], young["reasons"]) == ("eligible", [])
    report = bureau.get(url.removesuffix("/applications"))
    assert report["campaign"]["age_reference_date"] == (today + timedelta(days=10)).isoformat()
    listed = bureau.get(url)
    assert listed["campaign"]["age_reference_date"] == (today + timedelta(days=10)).isoformat()
    assert {row["id"]: row["age"] for row in listed["items"]} == {
        first_day["id"]: 31,
        young["id"]: 18,
        last_days["id"]: 31,
    }


def test_the_announcement_states_its_own_reference_date(
    users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    today = clock.now().date()
    url = open_campaign(users, clock, age_reference_date=today.isoformat())
    turns_31 = date(today.year - 31, 12, 1)
    clock.advance(timedelta(days=8))  # past the birthday, before the end of registration
    body = users["bureau"].post(url, applicant(1, "gs-v05", turns_31), expect=201)
    assert (body["status"], body["reasons"]) == ("eligible", [])


def test_nationality_is_an_iso_3166_code(
    users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    bureau = users["bureau"]
    url = open_campaign(users, clock)
    born = date(1998, 5, 20)

    body = bureau.post(url, applicant(1, "gs-v05", born, nationality="XX"), expect=422)
    assert_error_shape(body, 422)
    assert body["errors"]["nationality"] == [
        "国籍“XX”不是 ISO 3166-1 国家代码（如 CN）",
        "Nationality: 'XX' is not an ISO 3166-1 country code (such as CN)",
    ]
    body = bureau.post(url, applicant(1, "gs-v05", born, nationality="HK"), expect=422)
    assert body["errors"]["nationality"][0] == "国籍港澳台居民的国籍为中国，请填 CN"
    bureau.post(url, applicant(1, "gs-v05", born, nationality="C1"), expect=422)  # the schema's shape

    german = bureau.post(url, applicant(1, "gs-v05", born, nationality="de"), expect=201)
    assert (german["status"], german["reasons"]) == ("ineligible", [NOT_CHINESE])
    chinese = bureau.post(url, applicant(2, "gs-v04", born, nationality="cn"), expect=201)
    assert chinese["status"] == "eligible"
    rows = {row["id"]: row for row in bureau.get(url)["items"]}
    assert (rows[german["id"]]["nationality"], rows[german["id"]]["nationality_name"]) == ("DE", "德国")
    assert rows[german["id"]]["nationality_name_en"] == "Germany"
    assert rows[chinese["id"]]["nationality_name"] == "中国"


def test_a_passport_holder_is_refused_on_nationality_with_the_reason_recorded(
    users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    bureau = users["bureau"]
    url = open_campaign(users, clock)
    born = date(1998, 5, 20)
    passport = {"id_type": "passport", "id_number": "x12345678", "nationality": "US"}

    body = bureau.post(url, applicant(1, "gs-v05", born, **passport), expect=201)
    assert (body["status"], body["reasons"], body["id_type"]) == ("ineligible", [NOT_CHINESE], "passport")
    screening = bureau.get(f"/api/v1/instances/{body['screening_instance_id']}")
    assert screening["data"]["reason_code"] == ["not_chinese_national"]
    assert screening["data"]["screening_record"] == {"eligible": False, "reasons": [NOT_CHINESE]}
    row = bureau.get(url)["items"][0]
    assert (row["id_type_label"], row["id_number_masked"]) == ("护照", "X*****678")
    assert row["reasons_en"] == ["Not a national of the People's Republic of China"]

    again = bureau.post(url, applicant(2, "gs-v04", born, **passport), expect=409)
    assert_error_shape(again, 409)
    assert again["message"].startswith("该证件号码已在本批次报名")
    assert again["errors"]["id_number"][0].startswith("证件号码已在本批次报名")

    wrong = bureau.post(url, applicant(3, "gs-v04", born, **{**passport, "id_number": "X1234"}), expect=422)
    assert wrong["errors"]  # fewer than 6 characters: the schema
    wrong = bureau.post(url, applicant(3, "gs-v04", born, **{**passport, "nationality": "CN"}), expect=422)
    assert wrong["errors"]["id_type"][0] == "中国国籍的报名人请以居民身份证或港澳台居民通行证报名"
    permit = {"id_type": "hk_macao_permit", "id_number": "H1234567", "nationality": "CN"}
    wrong = bureau.post(url, applicant(3, "gs-v04", born, **permit), expect=422)
    assert wrong["errors"]["id_number"] == [
        "证件号码应为H或M开头，后接8位（或10位）数字",
        "Document number: must be H or M followed by 8 (or 10) digits",
    ]
    hk = bureau.post(url, applicant(3, "gs-v04", born, **{**permit, "id_number": "H12345678"}), expect=201)
    assert hk["id_type"] == "hk_macao_permit"


def test_the_sex_in_the_number_matches_the_form(
    users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    bureau = users["bureau"]
    url = open_campaign(users, clock)
    born = date(1998, 5, 20)
    assert int(resident_id(1, born)[16]) % 2 == 1  # applicant 1's sequence is odd: a man's number
    body = bureau.post(url, applicant(1, "gs-v05", born, sex="female"), expect=422)
    assert body["errors"]["id_number"] == [
        "身份证号其中的性别（男）与所填性别不一致",
        "ID number: the sex in it (male) differs from the sex given",
    ]
    assert bureau.post(url, applicant(1, "gs-v05", born, sex="male"), expect=201)["status"] == "eligible"
    assert bureau.post(url, applicant(2, "gs-v04", born, sex="female"), expect=201)


def test_two_registrations_at_once_meet_the_unique_index(
    users: dict[str, User], ctx: ServiceContext, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both passed the check (each read before the other committed); the index refuses the second, and
    the clerk sees the same 409 as the check gives."""
    bureau = users["bureau"]
    url = open_campaign(users, clock)
    born = date(1998, 5, 20)
    first = bureau.post(url, applicant(1, "gs-v05", born), expect=201)
    monkeypatch.setattr(id_numbers, "existing_application", lambda *args, **kwargs: None)
    body = bureau.post(url, applicant(2, "gs-v04", born, id_number=resident_id(1, born)), expect=409)
    assert_error_shape(body, 409)
    assert body["message"] == f"该身份证号已在本批次报名（报名编号 {first['id']}，报考北海村）"
    assert [row["id"] for row in bureau.get(url)["items"]] == [first["id"]]
    # Another document type with the same characters is another document.
    other = {"id_type": "passport", "id_number": resident_id(1, born)[:9], "nationality": "US"}
    bureau.post(url, applicant(3, "gs-v04", born, **other), expect=201)


def test_every_reason_of_the_decision_has_its_english() -> None:
    """The list in English shows each reason the eligibility decision can give (eligibility.dmn's outputs)."""
    dmn = (Path(__file__).parents[2] / "bpmn" / "recruitment" / "eligibility.dmn").read_text(encoding="utf-8")
    reasons = re.findall(r'<outputEntry id="rule_\w+_reason">\s*<text>"([^"]+)"</text>', dmn)
    assert len(reasons) >= 20
    assert [reason for reason in reasons if reason not in REASONS_EN] == []


def test_a_real_race_on_postgresql_ends_in_one_application_and_one_409(
    users: dict[str, User], ctx: ServiceContext, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two transactions both find no application for the number (each waits for the other's check before
    going on), then both insert: the index lets one commit and the other gets the check's 409."""
    if ctx.database.is_sqlite:
        pytest.skip("SQLite runs one writing transaction at a time: there is no such race to lose")
    url = open_campaign(users, clock)
    campaign_id = int(url.split("/")[-2])
    born = date(1998, 5, 20)
    checked = threading.Barrier(2, timeout=20)
    real_check = id_numbers.existing_application

    def check_then_wait(*args: Any, **kwargs: Any) -> Any:
        found = real_check(*args, **kwargs)
        checked.wait()  # both checks are done before either inserts
        return found

    monkeypatch.setattr(id_numbers, "existing_application", check_then_wait)
    bureau = Caller("bureau", "公安分局 王警官", frozenset({"police_bureau"}), frozenset({"police_bureau"}))
    outcomes: list[Any] = []

    def register(village: str) -> None:
        body = {**applicant(1, village, born), "birth_date": born}
        try:
            outcomes.append(recruitment.submit_application(ctx, bureau, campaign_id, body).id)
        except ServiceError as error:
            outcomes.append(error)

    threads = [threading.Thread(target=register, args=(village,)) for village in ("gs-v05", "gs-v04")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    [registered] = [o for o in outcomes if isinstance(o, int)]
    [refused] = [o for o in outcomes if isinstance(o, ServiceError)]
    assert refused.status == 409
    assert refused.message.startswith(f"该身份证号已在本批次报名（报名编号 {registered}，")
    assert [row["id"] for row in users["bureau"].get(url)["items"]] == [registered]
