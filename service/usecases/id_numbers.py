"""Identity documents of applicants. Resident ID numbers (居民身份证号码, GB 11643-1999): 6 digits of the
registering area, the birth date as YYYYMMDD, a 3-digit sequence (odd for men) and a check character over
the first 17 digits (ISO 7064 MOD 11-2). A number that fails any of these is a typing error, refused before
anyone is screened on it. Non-residents apply with their own document (a passport; Hong Kong, Macao and
Taiwan residents with their mainland travel permit), whose number is checked for its shape only, and the
eligibility decision then judges their nationality as it judges anyone's."""

from __future__ import annotations

import re
from datetime import date
from typing import NoReturn

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.persistence.models import ApplicationModel, VillageModel
from service.usecases.errors import ConflictError, InvalidInputError

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"
SHAPE = re.compile(r"^\d{17}[\dX]$")

Problem = tuple[str, str]  # (中文, English), said after the field's title

# (code, 中文, English); a resident ID card is the default, as every application before these types had one.
ID_TYPES = (
    ("resident_id", "居民身份证", "Resident ID card"),
    ("passport", "护照", "Passport"),
    ("hk_macao_permit", "港澳居民来往内地通行证", "Mainland travel permit (Hong Kong, Macao)"),
    ("taiwan_permit", "台湾居民来往大陆通行证", "Mainland travel permit (Taiwan)"),
)
ID_TYPE_CODES = tuple(code for code, _zh, _en in ID_TYPES)
RESIDENT_ID = "resident_id"
# ICAO 9303 document numbers are at most 9 letters or digits; the permits are H/M + 8 digits and 8 digits
# (10 in the older booklets, still valid until they expire).
OTHER_SHAPES: dict[str, tuple[re.Pattern[str], Problem]] = {
    "passport": (
        re.compile(r"^[A-Z0-9]{6,9}$"),
        ("应为6至9位字母或数字", "must be 6 to 9 letters or digits"),
    ),
    "hk_macao_permit": (
        re.compile(r"^[HM]\d{8}(\d{2})?$"),
        ("应为H或M开头，后接8位（或10位）数字", "must be H or M followed by 8 (or 10) digits"),
    ),
    "taiwan_permit": (re.compile(r"^\d{8}(\d{2})?$"), ("应为8位（或10位）数字", "must be 8 (or 10) digits")),
}
SEXES = {"male": ("男", "male"), "female": ("女", "female")}


def check_character(first_17: str) -> str:
    return CHECK_CHARACTERS[
        sum(int(digit) * weight for digit, weight in zip(first_17, WEIGHTS, strict=True)) % 11
    ]


def id_number_problem(id_number: str, birth_date: date | None, sex: str | None = None) -> Problem | None:
    """Why this resident ID number cannot be right (None when it can): shape, check character, a birth
    date that is no real day, or a birth date or sex that differs from the one given on the form."""
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
    in_number = "male" if int(number[16]) % 2 else "female"  # the sequence's last digit: odd for men
    if sex in SEXES and sex != in_number:
        return (
            f"其中的性别（{SEXES[in_number][0]}）与所填性别不一致",
            f"the sex in it ({SEXES[in_number][1]}) differs from the sex given",
        )
    return None


def document_problem(id_type: str, number: str, birth_date: date | None, sex: str | None) -> Problem | None:
    """Why this document number cannot be right for its type (None when it can)."""
    if id_type == RESIDENT_ID:
        return id_number_problem(number, birth_date, sex)
    if id_type not in OTHER_SHAPES:
        return f"证件类型“{id_type}”无法识别", f"the document type '{id_type}' is unknown"
    shape, problem = OTHER_SHAPES[id_type]
    return None if shape.match(number.strip().upper()) else problem


def document_nationality_problem(id_type: str, nationality: str) -> Problem | None:
    """A document its holder's nationality rules out: the travel permits are held by Chinese nationals, and
    a Chinese national applies with the resident ID card (or a permit), not a passport. An 18-digit number
    may be a foreigner's permanent residence ID card (same structure, GB 11643), so it says nothing of the
    nationality: the eligibility decision judges that."""
    chinese = nationality.strip().upper() == "CN"
    if id_type in ("hk_macao_permit", "taiwan_permit") and not chinese:
        return (
            "持港澳台居民通行证的报名人国籍应为中国（CN）",
            "holders of this travel permit are Chinese nationals (CN)",
        )
    if id_type == "passport" and chinese:
        return (
            "中国国籍的报名人请以居民身份证或港澳台居民通行证报名",
            "applicants of Chinese nationality apply with their resident ID card or travel permit",
        )
    return None


def masked_document(id_type: str | None, number: str | None) -> str:
    """A document number as lists show it: a resident ID as every list does, another keeps its first
    character and last three (E*****678)."""
    text = str(number or "")
    if (id_type or RESIDENT_ID) == RESIDENT_ID:
        return f"{text[:6]}{'*' * 8}{text[-4:]}" if len(text) >= 14 else "*" * len(text)
    return f"{text[:1]}{'*' * (len(text) - 4)}{text[-3:]}" if len(text) >= 6 else "*" * len(text)


TITLE = ("身份证号", "ID number")  # the field's title, as on the form and the Excel sheet
OTHER_TITLE = ("证件号码", "Document number")


def field_error(problem: Problem, id_type: str = RESIDENT_ID) -> list[str]:
    """The field error of an ID number problem: the field named by its title in both languages."""
    zh, en = TITLE if id_type == RESIDENT_ID else OTHER_TITLE
    return [f"{zh}{problem[0]}", f"{en}: {problem[1]}"]


def existing_application(
    session: Session, campaign_id: int, id_number: str, id_type: str = RESIDENT_ID
) -> Problem | None:
    """The application this document already has in this campaign, named by its number and village."""
    found = session.execute(
        select(ApplicationModel.id, VillageModel.name_zh, VillageModel.name_en)
        .join(VillageModel, VillageModel.code == ApplicationModel.village_code, isouter=True)
        .where(
            ApplicationModel.campaign_id == campaign_id,
            ApplicationModel.id_type == id_type,
            ApplicationModel.id_number == id_number,
        )
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
    """One application per identity document per campaign (409 naming the one there is), and only a
    number that can be right for its type, birth date and sex, on a document the holder's nationality
    allows (422, a field error). Called by every way an application comes in."""
    id_type = str(applicant.get("id_type") or RESIDENT_ID)
    id_number = str(applicant["id_number"])
    birth = applicant.get("birth_date")
    sex = applicant.get("sex")
    born = birth if isinstance(birth, date) else _date(birth)
    problem = document_problem(id_type, id_number, born, sex if isinstance(sex, str) else None)
    field = "id_number"
    if problem is None and isinstance(applicant.get("nationality"), str):
        problem, field = document_nationality_problem(id_type, str(applicant["nationality"])), "id_type"
    if problem is not None:
        zh, en = field_error(problem, id_type) if field == "id_number" else problem
        raise InvalidInputError(
            "报名信息有误：{problem}",
            errors={field: [zh, en]},
            english="Invalid application: " + en,
            problem=zh,
        )
    existing = existing_application(session, campaign_id, id_number, id_type)
    if existing is not None:
        refuse_existing(existing, id_type)


def refuse_existing(existing: Problem, id_type: str) -> NoReturn:
    zh, en = field_error(existing, id_type)
    if id_type == RESIDENT_ID:
        raise ConflictError(
            "该身份证号{problem}",
            errors={"id_number": [zh, en]},
            english="This ID number " + existing[1],
            problem=existing[0],
        )
    raise ConflictError(
        "该证件号码{problem}",
        errors={"id_number": [zh, en]},
        english="This document number " + existing[1],
        problem=existing[0],
    )


def _date(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
