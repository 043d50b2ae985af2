"""Dismissal cases (清退) as others read them: the officer's page and API (``dismissal_history``), and the
campaign's screening (``rehiring_bar``: whether an earlier dismissal bars a former officer).

Kept apart from the dismissal's operators (service/usecases/roster/dismissal.py), which change the roster,
so that the roster's listing and the screening read cases without importing them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.persistence.models import ApplicationModel, DismissalCaseModel, OfficerModel
from workflows.ports import CHINA
from workflows.rules.eligibility import DISQUALIFIERS

CATEGORY_LABELS: dict[str, tuple[str, str]] = {
    "incompetent": ("12个月内两次考核不称职", "Graded incompetent twice in 12 months"),
    "disqualifier": ("发现不得聘用情形", "Disqualifier found"),
    "serious_breach": ("严重违纪违规", "Serious breach of discipline"),
}
OUTCOME_LABELS: dict[str, tuple[str, str]] = {
    "dismissed": ("清退", "Dismissed"),
    "kept": ("不予清退", "Not dismissed"),
    "open": ("办理中", "In progress"),
}
DISQUALIFIER_LABELS: dict[str, tuple[str, str]] = {code: (zh, en) for code, zh, en in DISQUALIFIERS}


def category_text(category: str, disqualifier: str | None) -> tuple[str, str]:
    """The case's grounds as a civil servant reads them: the category, and the disqualifier if one."""
    zh, en = CATEGORY_LABELS.get(category, (category, category))
    if disqualifier:
        named = DISQUALIFIER_LABELS.get(disqualifier, (disqualifier, disqualifier))
        return f"{zh}：{named[0]}", f"{en}: {named[1]}"
    return zh, en


def rehiring_bar(session: Session, id_type: str, id_number: str) -> DismissalCaseModel | None:
    """The latest dismissal that bars this person (by identity document) from being hired again, if any."""
    return session.scalars(
        select(DismissalCaseModel)
        .join(OfficerModel, OfficerModel.id == DismissalCaseModel.officer_id)
        .join(ApplicationModel, ApplicationModel.id == OfficerModel.application_id)
        .where(
            ApplicationModel.id_type == id_type,
            ApplicationModel.id_number == id_number,
            DismissalCaseModel.rehire_barred.is_(True),
        )
        .order_by(DismissalCaseModel.decided_on.desc())
    ).first()


def refusal_reason(case: DismissalCaseModel) -> str:
    """The screening's reason for refusing a former officer this case bars, naming the dismissal."""
    grounds = category_text(case.category, case.disqualifier)[0]
    day = (case.left_on or case.decided_on or case.opened_at.astimezone(CHINA).date()).isoformat()
    return f"曾于{day}被公安分局清退（{grounds}），按农村辅警管理办法不得再次聘用"


_REFUSAL_EN: dict[str, str] = {
    category_text(category, code)[0]: category_text(category, code)[1]
    for category in CATEGORY_LABELS
    for code in ([None, *DISQUALIFIER_LABELS] if category == "disqualifier" else [None])
}


def refusal_reason_en(reason: str) -> str | None:
    """``refusal_reason`` in English, or None for a reason of another kind."""
    prefix, _, rest = reason.partition("被公安分局清退（")
    grounds, _, tail = rest.partition("），")
    if not prefix.startswith("曾于") or tail != "按农村辅警管理办法不得再次聘用":
        return None
    day = prefix.removeprefix("曾于")
    return (
        f"Dismissed by the sub-bureau on {day} ({_REFUSAL_EN.get(grounds, grounds)}); under its management "
        "rules may not be hired again"
    )


def leave_reason(category: str, disqualifier: str | None, grounds: str) -> str:
    """The reason for leaving the roster gets when the sub-bureau dismisses an officer."""
    return f"清退（{category_text(category, disqualifier)[0]}）：{grounds}"


def leave_reason_en(reason: str) -> str | None:
    """``leave_reason`` in English (the grounds as typed), or None for a reason of another kind."""
    for zh, en in _REFUSAL_EN.items():
        if reason.startswith(f"清退（{zh}）："):
            return f"Dismissed ({en}): {reason.removeprefix(f'清退（{zh}）：')}"
    return None


def dismissal_history(session: Session, officer_id: int) -> list[dict[str, Any]]:
    """The officer's dismissal cases, newest first, open ones too (for the officer's page and API)."""
    cases = session.scalars(
        select(DismissalCaseModel)
        .where(DismissalCaseModel.officer_id == officer_id)
        .order_by(DismissalCaseModel.opened_at.desc(), DismissalCaseModel.id.desc())
    )
    rows = []
    for case in cases:
        category = category_text(case.category, case.disqualifier)
        outcome = OUTCOME_LABELS[case.outcome or "open"]
        rows.append(
            {
                "instance_id": case.instance_id,
                "category": case.category,
                "category_label": category[0],
                "category_label_en": category[1],
                "disqualifier": case.disqualifier,
                "facts": case.facts,
                "reported_by": case.reported_by,
                "opened_on": case.opened_at.astimezone(CHINA).date(),
                "outcome": case.outcome or "open",
                "outcome_label": outcome[0],
                "outcome_label_en": outcome[1],
                "decided_on": case.decided_on,
                "left_on": case.left_on,
                "grounds": case.grounds,
                "rehire_barred": case.rehire_barred,
            }
        )
    return rows
