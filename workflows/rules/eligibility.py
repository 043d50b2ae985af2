"""Prepare the input data of the eligibility DMN decision from an application (policy 三(一)1-2).

The decision itself (who is eligible and why not) lives in the DMN table `eligibility`, so that process
designers can read and change it; this module only computes facts (age in full years, whether the age
limit is relaxed) and checks that codes are known, and it publishes the code lists with their labels.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Final

# 三(一)2 "有下列情形之一的，不得聘为农村辅警", items (1)-(12) in policy order: (code, zh, en).
DISQUALIFIERS: Final[tuple[tuple[str, str, str], ...]] = (
    (
        "illegal_organisation",
        "本人或亲属参加非法组织、邪教或危害国家安全活动，组织或煽动集体上访、非正常访",
        "Self or family in illegal organisations, cults or anti-state activity, or irregular petitions",
    ),
    (
        "family_criminal",
        "家庭成员或近亲属被判处刑罚、正在服刑或正在接受调查",
        "Family or close relative sentenced, serving a sentence or under investigation",
    ),
    (
        "criminal_record",
        "受过刑事处罚或涉嫌违法犯罪尚未查清",
        "Criminal record or unresolved suspicion of an offence",
    ),
    (
        "harmful_speech",
        "编造、散布有损国家声誉、违反法律法规的信息",
        "Fabricated or spread information harmful to the state or unlawful",
    ),
    (
        "drugs_prostitution_gambling",
        "曾因吸毒、嫖娼、赌博受到处罚",
        "Punished for drugs, prostitution or gambling",
    ),
    (
        "detention",
        "曾被行政拘留、司法拘留或收容教育",
        "Administrative or judicial detention, or custody education",
    ),
    ("licence_revoked", "曾被吊销律师、公证员执业证书", "Lawyer's or notary's licence revoked"),
    (
        "dismissed",
        "曾被开除公职、军籍，或因违规违纪被开除、辞退、解除劳动关系、退回劳务派遣单位",
        "Dismissed from public office or the army, or fired or returned for misconduct",
    ),
    (
        "left_contract_early",
        "从事警务辅助工作合同期未满擅自离职",
        "Left an auxiliary-police contract early without permission",
    ),
    ("bad_credit", "有较为严重的个人不良信用记录", "Serious personal bad credit record"),
    (
        "abroad_six_months",
        "有6个月及以上非公派国（境）外留学或生活工作经历",
        "Six months or more abroad not on official business",
    ),
    ("other_legal_bar", "有其他法律法规规定不得聘用情形", "Other bar to hiring under laws and regulations"),
)
DISQUALIFIER_CODES: Final[tuple[str, ...]] = tuple(code for code, _zh, _en in DISQUALIFIERS)

# Education codes of design.md, lowest first; 三(一)1(3) requires "高中以上文化程度" (decided in the DMN).
EDUCATION_LEVELS: Final[tuple[tuple[str, str, str], ...]] = (
    ("below_high_school", "高中以下", "Below high school"),
    ("high_school", "高中", "High school"),
    ("vocational", "中专（职高、技校）", "Secondary vocational school"),
    ("associate", "大专", "Associate degree (junior college)"),
    ("bachelor", "本科", "Bachelor's degree"),
    ("master", "硕士研究生", "Master's degree"),
    ("doctorate", "博士研究生", "Doctorate"),
)
EDUCATION_CODES: Final[tuple[str, ...]] = tuple(code for code, _zh, _en in EDUCATION_LEVELS)

# 三(一)3 "同等条件下，优先招聘……", groups in policy order (ranking.py relies on this order).
PRIORITY_GROUPS: Final[tuple[tuple[str, str, str], ...]] = (
    ("retired_soldier", "退役士兵", "Retired soldier"),
    ("honoured", "见义勇为积极分子和先进个人", "Honoured for bravery or as an advanced individual"),
    ("police_or_law_graduate", "警察类或政法类院校毕业生", "Graduate of a police or political-legal college"),
    (
        "local_resident",
        "有一定群众基础的本村（社区）应聘人员",
        "Local applicant of the village with standing among its residents",
    ),
)
PRIORITY_GROUP_CODES: Final[tuple[str, ...]] = tuple(code for code, _zh, _en in PRIORITY_GROUPS)

# 三(一)1(3): any of these relaxes the age limit from 30 to 40
# ("相关工作经验、特长、专业技能或者部队服役经历").
AGE_RELAXATION_KEYS: Final[tuple[str, ...]] = (
    "related_experience",
    "special_skills",
    "professional_skills",
    "military_service",
)


def age_on(birth_date: date, on: date) -> int:
    """Return the age in full years (周岁) on a given day.

    The age grows on the birthday itself; someone born on 29 February turns a year older on 1 March in
    common years (28 February is still before the birthday), the usual civil reading of 周岁.
    """
    if on < birth_date:
        raise ValueError("the day is before the birth date")
    before_birthday = (on.month, on.day) < (birth_date.month, birth_date.day)
    return on.year - birth_date.year - int(before_birthday)


def age_relaxed(applicant: Mapping[str, Any]) -> bool:
    """Tell whether the applicant's age limit is relaxed to 40 (policy 三(一)1(3)).

    Values are read for truthiness, so a key may hold a flag or a non-empty description of the experience.
    """
    return any(bool(applicant.get(key)) for key in AGE_RELAXATION_KEYS)


def _flag(applicant: Mapping[str, Any], key: str, default: bool) -> bool:
    """Read a yes/no fact, refusing anything but a real boolean."""
    value = applicant.get(key, default)
    # bool("false") is True: a string here would flip a screening fact, so it must not be coerced.
    if not isinstance(value, bool):
        raise ValueError(f"{key} must be true or false, not {value!r}")
    return value


def _birth_date(value: Any) -> date:
    """Read the birth date from an ISO string (or an already parsed date)."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValueError(f"birth_date must be an ISO date, not {value!r}")
    return date.fromisoformat(value)


def _disqualifiers(value: Any) -> list[str]:
    """Check the disqualifier codes and return them once each, in policy order."""
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, list | tuple | set | frozenset):
        raise ValueError("disqualifiers must be a list of codes")
    unknown = sorted(str(code) for code in value if code not in DISQUALIFIER_CODES)
    # An unknown code would match no DMN rule and so let a disqualified applicant through.
    if unknown:
        raise ValueError(f"unknown disqualifier codes: {', '.join(unknown)}")
    present = set(value)
    return [code for code in DISQUALIFIER_CODES if code in present]


def screening_inputs(applicant: Mapping[str, Any], on: date) -> dict[str, Any]:
    """Build the input data of the `eligibility` DMN decision for an application made on a given day."""
    if "birth_date" not in applicant:
        raise ValueError("birth_date is required")
    education = applicant.get("education")
    if education not in EDUCATION_CODES:
        raise ValueError(f"unknown education code {education!r}")
    nationality = applicant.get("nationality")
    if not isinstance(nationality, str) or not nationality.strip():
        raise ValueError("nationality is required")
    return {
        "age": age_on(_birth_date(applicant["birth_date"]), on),
        "age_relaxed": age_relaxed(applicant),
        # ISO 3166 alpha-2, the DMN compares with "CN".
        "nationality": nationality.strip().upper(),
        # Missing facts count as not established: the applicant must show them, not the screener disprove.
        "weihai_residence": _flag(applicant, "weihai_residence", False),
        "education": education,
        "healthy": _flag(applicant, "healthy", False),
        "good_conduct": _flag(applicant, "good_conduct", False),
        # A post with no requirement of its own is met by every applicant, hence the default True.
        "meets_post_requirements": _flag(applicant, "meets_post_requirements", True),
        "disqualifiers": _disqualifiers(applicant.get("disqualifiers")),
    }
