"""Resident ID numbers (居民身份证号码, GB 11643-1999): 6 digits of the registering area, the birth date as
YYYYMMDD, a 3-digit sequence (odd for men) and a check character over the first 17 digits (ISO 7064
MOD 11-2). A number that fails any of these is a typing error, refused before anyone is screened on it."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.persistence.models import ApplicationModel, VillageModel
from service.usecases.errors import ConflictError, InvalidInputError

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"
SHAPE = re.compile(r"^\d{17}[\dX]$")

Problem = tuple[str, str]  # (中文, English), said after the field's title


def check_character(first_17: str) -> str:
    return CHECK_CHARACTERS[
        sum(int(digit) * weight for digit, weight in zip(first_17, WEIGHTS, strict=True)) % 11
    ]


def id_number_problem(id_number: str, birth_date: date | None) -> Problem | None:
    """Why this resident ID number cannot be right (None when it can): shape, check character, a birth
    date that is no real day, or one that differs from the birth date given on the form."""
    number = id_number.strip().upper()
    if not SHAPE.match(number):
        return "应为18位，前17位为数字，末位为数字或X", "must be 18 characters: 17 digits, then a digit or X"
    if check_character(number[:17]) != number[17]:
        return "校验位不正确，请核对号码", "the check character is wrong; please check the number"
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return "其中的出生日期不是有效日期", "the birth date in it is not a real date"
    if birth_date is not None and born != birth_date:
        return (
            f"其中的出生日期（{born.isoformat()}）与所填出生日期不一致",
            f"the birth date in it ({born.isoformat()}) differs from the birth date given",
        )
    return None


TITLE = ("身份证号", "ID number")  # the field's title, as on the form and the Excel sheet


def field_error(problem: Problem) -> list[str]:
    """The field error of an ID number problem: the field named by its title in both languages."""
    return [f"{TITLE[0]}{problem[0]}", f"{TITLE[1]}: {problem[1]}"]


def existing_application(session: Session, campaign_id: int, id_number: str) -> Problem | None:
    """The application this ID number already has in this campaign, named by its number and village."""
    found = session.execute(
        select(ApplicationModel.id, VillageModel.name_zh, VillageModel.name_en)
        .join(VillageModel, VillageModel.code == ApplicationModel.village_code, isouter=True)
        .where(ApplicationModel.campaign_id == campaign_id, ApplicationModel.id_number == id_number)
        .order_by(ApplicationModel.id)
        .limit(1)
    ).first()
    if found is None:
        return None
    number, name_zh, name_en = found
    return (
        f"已在本批次报名（报名编号 {number}，报考{name_zh or '—'}）",
        f"already applied in this campaign (application no. {number}, for {name_en or name_zh or '—'})",
    )


def refuse_unfit_id_number(session: Session, campaign_id: int, applicant: dict[str, object]) -> None:
    """One application per resident ID number per campaign (409 naming the one there is), and only a
    number that can be right (422, a field error). Called by every way an application comes in."""
    id_number = str(applicant["id_number"])
    birth = applicant.get("birth_date")
    problem = id_number_problem(id_number, birth if isinstance(birth, date) else _date(birth))
    if problem is not None:
        zh, en = field_error(problem)
        raise InvalidInputError(
            "报名信息有误：{problem}",
            errors={"id_number": [zh, en]},
            english="Invalid application: " + en,
            problem=zh,
        )
    existing = existing_application(session, campaign_id, id_number)
    if existing is not None:
        zh, en = field_error(existing)
        raise ConflictError(
            "该身份证号{problem}",
            errors={"id_number": [zh, en]},
            english="This ID number " + existing[1],
            problem=existing[0],
        )


def _date(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
