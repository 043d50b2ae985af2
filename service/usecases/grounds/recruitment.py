"""Grounds panels of the recruitment family: the plan, a return, the candidate, the hired person.

What the workflow data holds is read from it (the plan, the candidate's id, the village); what the service
holds is read from its tables (applications, villages, the directory), never copied into the data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.persistence.models import ApplicationModel, AuditEventModel, HumanTaskModel, OfficerModel
from service.usecases.excel_sheets import APPLICANT_COLUMNS
from service.usecases.grounds.building import (
    Panel,
    PanelBuilder,
    Reading,
    Text,
    beijing_time,
    column,
    department_name,
    display_name,
    enum_label,
    field,
    masked_id,
    money,
    number,
    panel,
    same,
    schema_at,
    title_of,
    town_name,
    town_names,
    village_names,
    village_town,
    yes_no,
)
from workflows.rules.eligibility import EDUCATION_LEVELS, PRIORITY_GROUPS

DRAFT_FORM = "staffing_plan_draft.json"
VETTING_FORM = "vetting.json"
# The applicant's own declarations shown to the vetting clerk, labelled as the applicant sheet labels them.
DECLARED = (
    "education",
    "party_member",
    "priority",
    "weihai_residence",
    "healthy",
    "good_conduct",
    "related_experience",
    "special_skills",
    "professional_skills",
    "military_service",
)
APPLICANT_LABELS: dict[str, Text] = {c.key: (c.zh, c.en) for c in APPLICANT_COLUMNS}
EDUCATION: dict[str, Text] = {code: (zh, en) for code, zh, en in EDUCATION_LEVELS}
PRIORITY: dict[str, Text] = {code: (zh, en) for code, zh, en in PRIORITY_GROUPS}


def officer_names(session: Session, posts: Iterable[Mapping[str, Any]]) -> dict[int, str]:
    """The names of the officers a plan counted in service (by the ids it recorded), by id."""
    ids = sorted({int(i) for post in posts for i in post.get("officer_ids") or []})
    if not ids:
        return {}
    found = session.execute(select(OfficerModel.id, OfficerModel.name).where(OfficerModel.id.in_(ids)))
    return {officer_id: name for officer_id, name in found}


def plan_table(reading: Reading) -> Panel | None:
    """The staffing plan as reviewed, against the quota and the roster: per village the quota, the officers
    in service (by name), the vacancies, the posts to recruit and the drafter's reason for a change; the
    totals, per town and overall; the salary and the wages of those to be recruited.

    A plan computed before quotas were recorded reads as a plan whose quota was its posts, nobody in service.
    """
    data = reading.data
    plan = data.get("plan") or {}
    posts: list[dict[str, Any]] = list(plan.get("posts") or [])
    if not posts:
        return None
    villages = village_names(reading.session, (p["village_code"] for p in posts))
    names = officer_names(reading.session, posts)
    # Town by town in the register's order, the villages of each in the plan's order.
    towns = town_names(reading.session)
    order = {code: position for position, code in enumerate(towns)}
    posts.sort(key=lambda post: order.get(post["town"], len(order)))
    by_town: dict[str, int] = {}
    for post in posts:
        by_town[post["town"]] = by_town.get(post["town"], 0) + int(post["posts"])
    quota = [int(post.get("quota", post["posts"])) for post in posts]
    serving = [int(post.get("in_service", 0)) for post in posts]
    free = [int(post.get("vacancies", post["posts"])) for post in posts]
    total = int(plan.get("total_posts") or sum(by_town.values()))
    fields = []
    if data.get("plan_title"):
        fields.append(field(title_of(reading.forms, DRAFT_FORM, "plan_title"), same(data["plan_title"])))
    fields.append(field(("编制总数", "Total quota"), same(plan.get("total_quota", sum(quota)))))
    fields.append(
        field(("在岗总数", "Officers in service"), same(plan.get("total_in_service", sum(serving))))
    )
    fields.append(field(("空缺总数", "Vacancies"), same(plan.get("total_vacancies", sum(free)))))
    fields.append(field(("计划招聘总数", "Posts to recruit"), same(total)))
    for town, count in by_town.items():
        name = town_name(towns, town)
        fields.append(field((f"{name[0]}计划招聘", f"To recruit in {name[1]}"), same(count)))
    adjusted = sum(1 for post in posts if post.get("adjusted"))
    if adjusted:
        fields.append(field(("调整了计划的村（社区）", "Villages whose number was changed"), same(adjusted)))
    if plan.get("counted_at"):
        fields.append(field(("在岗人数统计时间", "In service counted at"), beijing_time(plan["counted_at"])))
    salary = data.get("monthly_salary")
    if salary is not None:
        fields.append(field(title_of(reading.forms, DRAFT_FORM, "monthly_salary"), money(salary)))
        # Wages only (posts to recruit x salary): insurance and running costs are Finance's to add.
        fields.append(
            field(("新招人员每月工资合计", "Monthly wages of those recruited"), money(float(salary) * total))
        )
        fields.append(
            field(
                ("新招人员全年工资合计", "Yearly wages of those recruited"), money(float(salary) * total * 12)
            )
        )
    rows = []
    for post, posts_quota, in_service, vacancies in zip(posts, quota, serving, free, strict=True):
        people = [names.get(int(i), str(i)) for i in post.get("officer_ids") or []]
        reason = str(post.get("adjustment_reason") or "")
        rows.append(
            (
                villages.get(post["village_code"], same(post.get("village_name") or post["village_code"])),
                town_name(towns, post["town"]),
                same(posts_quota),
                same(in_service),
                ("、".join(people) or "—", ", ".join(people) or "—"),
                same(vacancies),
                same(int(post["posts"])),
                same(reason or "—"),
            )
        )
    columns = [column(("村（社区）", "Village or community")), column(("所属镇", "Town"))]
    columns += [column(("编制", "Quota"), numeric=True), column(("在岗", "In service"), numeric=True)]
    columns += [column(("在岗人员", "Officers in service")), column(("空缺", "Vacancies"), numeric=True)]
    columns += [
        column(("计划招聘", "To recruit"), numeric=True),
        column(("调整理由", "Reason for the change")),
    ]
    return panel(("用人计划", "Staffing plan"), fields, columns, rows)


def return_note(reading: Reading) -> Panel | None:
    """Why the plan came back: who returned it, when and with what reason. Nothing on the first pass."""
    task, session = reading.task, reading.session
    last = session.scalars(
        select(AuditEventModel)
        .where(
            AuditEventModel.instance_id == task.instance_id,
            AuditEventModel.action == "task_completed",
            AuditEventModel.at <= task.created_at,
        )
        .order_by(AuditEventModel.id.desc())
        .limit(1)
    ).first()
    submitted = (last.payload.get("submitted") or {}) if last is not None else {}
    if last is None or submitted.get("decision") != "return":
        return None  # the first pass, or this draft follows something other than a return
    returned = session.get(HumanTaskModel, last.task_id) if last.task_id else None
    form = returned.form if returned is not None and returned.form else ""
    who = returned.completed_by if returned is not None else last.actor
    when = returned.completed_at if returned is not None else last.at
    step = (
        (returned.name_zh, returned.name_en) if returned is not None else same(last.payload.get("name", ""))
    )
    fields = [
        field(("退回环节", "Returned at step"), step),
        field(("退回部门", "Returned by department"), department_name(session, last.department_code)),
        field(("退回人", "Returned by"), same(display_name(session, who))),
        field(("退回时间", "Returned at"), beijing_time(when)),
        field(
            title_of(reading.forms, form, "decision"),
            enum_label(reading.forms, form, ("decision",), "return"),
        ),
        field(title_of(reading.forms, form, "reason"), same(submitted.get("reason") or "—")),
    ]
    return panel(("退回意见", "Why the plan was returned"), fields)


def _candidate(reading: Reading) -> ApplicationModel | None:
    application_id = (reading.data.get("candidate") or {}).get("application_id")
    return reading.session.get(ApplicationModel, application_id) if application_id else None


def _declared(key: str, applicant: dict[str, Any]) -> Text:
    value = applicant.get(key)
    if key == "education":
        return EDUCATION.get(str(value), same(value or "—"))
    if key == "priority":
        labels = [PRIORITY.get(code, same(code)) for code in value or []]
        return ("、".join(z for z, _ in labels) or "无", "; ".join(e for _, e in labels) or "None")
    return yes_no(value)


def application(reading: Reading) -> Panel | None:
    """The candidate being vetted: name, masked ID, village, exam score and rank, and what they declared."""
    candidate = _candidate(reading)
    if candidate is None:
        return None
    village, town = village_town(reading.session, candidate.village_code)
    fields = [
        field(APPLICANT_LABELS["name"], same(candidate.name)),
        field(APPLICANT_LABELS["id_number"], same(masked_id(candidate.id_number))),
        field(
            ("报考村（社区）", "Village applied for"),
            (f"{village[0]}（{town[0]}）", f"{village[1]}, {town[1]}"),
        ),
        field(("考试成绩", "Exam score"), same(number(candidate.score))),
        field(
            ("本村（社区）排名", "Rank in the village"), (f"第{candidate.rank}名", f"No. {candidate.rank}")
        ),
    ]
    fields += [field(APPLICANT_LABELS[key], _declared(key, candidate.applicant)) for key in DECLARED]
    return panel(("候选人报名信息", "The candidate's application"), fields)


def rejected_candidates(reading: Reading) -> Panel | None:
    """The candidates of this post's village already rejected at vetting, with the findings as labels."""
    campaign_id, village_code = reading.data.get("campaign_id"), reading.data.get("village_code")
    if not campaign_id or not village_code:
        return None
    rejected = reading.session.scalars(
        select(ApplicationModel)
        .where(
            ApplicationModel.campaign_id == campaign_id,
            ApplicationModel.village_code == village_code,
            ApplicationModel.status == "vetting_failed",
        )
        .order_by(ApplicationModel.rank, ApplicationModel.id)
    )
    # The rejection keeps the findings' Chinese labels; the vetting form gives each one's English.
    findings = schema_at(reading.forms, VETTING_FORM, "findings", "[]").get("x-enum-labels") or {}
    zh_to_code = {zh: code for code, zh in (findings.get("zh") or {}).items()}
    rows = []
    for candidate in rejected:
        reasons = [
            enum_label(reading.forms, VETTING_FORM, ("findings", "[]"), zh_to_code[reason])
            if reason in zh_to_code
            else same(reason)
            for reason in candidate.reasons
        ]
        rows.append(
            (
                same(candidate.name),
                same(masked_id(candidate.id_number)),
                same(number(candidate.score)),
                same(candidate.rank if candidate.rank is not None else "—"),
                ("；".join(z for z, _ in reasons), "; ".join(e for _, e in reasons)),
            )
        )
    title = ("本岗位已淘汰的候选人", "Candidates already rejected for this post")
    if not rows:
        return panel(title, text=("尚无被淘汰的候选人。", "No candidate has been rejected yet."))
    columns = [
        column(APPLICANT_LABELS["name"]),
        column(APPLICANT_LABELS["id_number"]),
        column(("考试成绩", "Exam score"), numeric=True),
        column(("排名", "Rank"), numeric=True),
        column(("不予录用原因", "Reasons for rejection")),
    ]
    return panel(title, columns=columns, rows=rows)


def hired_person(reading: Reading) -> Panel | None:
    """Whom the contract is for: the person who passed vetting and notice, the village and the post."""
    candidate = _candidate(reading)
    if candidate is None:
        return None
    village, town = village_town(reading.session, candidate.village_code)
    slot = reading.data.get("slot")
    post = (f"{village[0]} 第{slot}岗", f"{village[1]}, post {slot}") if slot else village
    fields = [
        field(APPLICANT_LABELS["name"], same(candidate.name)),
        field(APPLICANT_LABELS["id_number"], same(masked_id(candidate.id_number))),
        field(("村（社区）", "Village or community"), village),
        field(("所属镇", "Town"), town),
        field(("岗位", "Post"), post),
        field(APPLICANT_LABELS["party_member"], yes_no(candidate.applicant.get("party_member"))),
        field(("考试成绩", "Exam score"), same(number(candidate.score))),
    ]
    ends_at = (reading.data.get("notice") or {}).get("ends_at")
    if ends_at:
        fields.append(field(("公示期满", "Public notice ended"), beijing_time(ends_at)))
    return panel(("录用人员", "The person hired"), fields)


PANELS: dict[str, PanelBuilder] = {
    "plan_table": plan_table,
    "return_note": return_note,
    "application": application,
    "rejected_candidates": rejected_candidates,
    "hired_person": hired_person,
}
