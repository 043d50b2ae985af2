"""Auditors' pages: history search with the data each event changed, exports, and the chain check."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from functools import wraps
from typing import Any, TypeVar

from flask import jsonify, render_template, request
from flask_babel import force_locale
from flask_babel import gettext as _
from marshmallow import Schema, ValidationError, fields, validate
from werkzeug.wrappers import Response

from service.api import error_body
from service.api.field_errors import bilingual
from service.api.fields import Text, id_or_none
from service.usecases import action_labels, audit_suggest, audit_trail
from service.usecases.admin import departments
from service.usecases.audit_search import MAX_TEXT
from service.usecases.audit_trail import CHINA, AuditFilters
from service.usecases.errors import InvalidInputError, ServiceError, UnauthenticatedError
from service.usecases.event_names import EventNames
from service.web import bp, context, current_user, language, login_required, page_number, refusal, user
from service.web.audit_xlsx import events_xlsx
from service.web.display import ACTION_LABELS

F = TypeVar("F", bound=Callable[..., Any])
PER_PAGE = 50
INTEGER_FIELDS = ("instance_id", "officer_id", "application_id")
# Codes, for auditors who know them (under "按代码查询"), then what people know (issue 15, point 7).
TEXT_FIELDS = ("actor", "department_code", "action")
PEOPLE_FIELDS = ("person", "department", "village", "officer", "action_label", "text")
DATE_FIELDS = ("since", "until")

# The API and the exports read the pages' action labels (service/usecases/action_labels.py); the Chinese
# is each label's msgid.
with force_locale("zh"):
    action_labels.register(ACTION_LABELS)
EXPORTS = {
    "csv": "text/csv; charset=utf-8",
    "jsonl": "application/x-ndjson; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def auditor_required(view: F) -> F:
    """Only users with the auditor role; anyone else gets a 403 page."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not user().has_role("auditor"):
            return render_template("error.html", message=_("只有审计人员可以查看审计页面")), 403
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _parse(args: Any) -> tuple[dict[str, Any], AuditFilters | None, dict[str, str]]:
    """The form's raw values, the filters (None when a value is malformed) and an error per field."""
    names = (*INTEGER_FIELDS, *TEXT_FIELDS, *PEOPLE_FIELDS, *DATE_FIELDS)
    raw: dict[str, Any] = {name: args.get(name, "").strip() for name in names}
    known = action_labels.labelled()
    raw["actions"] = [code for code in args.getlist("actions") if code in known]
    values: dict[str, Any] = {"actions": tuple(raw["actions"])}
    errors: dict[str, str] = {}
    for name in PEOPLE_FIELDS:
        if len(raw[name]) > MAX_TEXT or "\x00" in raw[name]:
            errors[name] = _("最多 %(n)s 个字符", n=MAX_TEXT)
        else:
            values[name] = raw[name] or None
    for name in INTEGER_FIELDS:
        if raw[name]:
            number = id_or_none(raw[name])
            if number is not None:
                values[name] = number
            elif raw[name].isascii() and raw[name].isdigit():
                errors[name] = _("请输入 1 到 2147483647 之间的整数")
            else:
                errors[name] = _("请输入整数")
    for name in TEXT_FIELDS:
        values[name] = raw[name][:64] or None
    for name in DATE_FIELDS:
        if raw[name]:
            try:
                # Beijing dates; the "to" date is included, so its bound is the next midnight.
                day = date.fromisoformat(raw[name]) + timedelta(days=1 if name == "until" else 0)
            except (ValueError, OverflowError):
                errors[name] = _("日期格式应为 YYYY-MM-DD")
                continue
            values[name] = datetime.combine(day, time(0, 0), tzinfo=CHINA)
    if errors:
        return raw, None, errors
    return raw, AuditFilters(**values), {}


def _query(raw: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in raw.items() if value}


@bp.get("/audit")
@login_required
@auditor_required
def audit_search() -> Any:
    # One read transaction for the search, the names of its events and the form's suggestions.
    with context().database.shared_reading():
        return _search_page()


def _search_page() -> Any:
    raw, filters, errors = _parse(request.args)
    page = page_number()
    result: dict[str, Any] | None = None
    message, status = "", 200
    searched = any(raw.values()) or "page" in request.args or "search" in request.args
    if filters is not None and searched:
        try:
            result = audit_trail.search(context(), user(), filters, page, PER_PAGE, newest_first=True)
        except ServiceError as error:
            message, status = refusal(error), error.status
        else:
            result["items"] = _named(result["items"])
    elif errors:
        message, status = _("查询条件有误，请按提示修改"), 422
    # Past the count's bound there is at least one event more than the total: "page 1 of 21+".
    more = bool(result and result["total_is_lower_bound"])
    pages = max(-(-(result["total"] + more) // PER_PAGE), 1) if result else 1
    return render_template(
        "audit_search.html",
        raw=raw,
        query=_query(raw),
        errors=errors,
        message=message,
        result=result,
        pages=pages,
        more_pages=more,
        actions=sorted(ACTION_LABELS),
        action_choices=sorted(ACTION_LABELS.items(), key=lambda item: str(item[1])),
        departments=departments.department_rows(context()),
        notes=_name_notes(raw) if searched else {},
    ), status


def _name_notes(raw: dict[str, Any]) -> dict[str, str]:
    """What a typed person or village stands for, when it is no name at all or several (issue 16): the
    form no longer lists every name, so the page says which ones the search took."""
    notes: dict[str, str] = {}
    with context().database.reading() as session:
        for kind in audit_suggest.FIELDS:
            text = raw[kind]
            if text and len(text) <= MAX_TEXT:
                note = _note(kind, text, audit_suggest.matches(session, kind, text, language()))
                if note:
                    notes[kind] = note
    return notes


def _note(kind: str, text: str, found: audit_suggest.Matches) -> str:
    person = kind == "person"
    if not found.items:
        if person:
            return _("没有姓名包含“%(text)s”的人员", text=text)
        return _("没有名称包含“%(text)s”的村（社区）", text=text)
    if len(found.items) == 1:
        return ""
    separator = ", " if language() == "en" else "、"
    more = "…" if found.more else ""
    if len(found.exact) == 1:  # the name typed, and the longer names containing it
        others = separator.join(item.label for item in found.items if not item.exact)
        return _("除“%(text)s”外，结果也包含名称中含有它的：%(names)s", text=text, names=others + more)
    listed = separator.join(item.label for item in found.items) + more
    count = f"{len(found.items)}+" if found.more else str(len(found.items))
    if person:
        return _("“%(text)s”对应 %(n)s 人，结果包含全部：%(names)s", text=text, n=count, names=listed)
    return _("“%(text)s”对应 %(n)s 个村（社区），结果包含全部：%(names)s", text=text, n=count, names=listed)


class SuggestArgs(Schema):
    field = fields.String(required=True, validate=validate.OneOf(audit_suggest.FIELDS))
    q = Text(MAX_TEXT, required=True)


def _json_error(error: ServiceError) -> tuple[Response, int]:
    return jsonify(error_body(error.status, error.message, error.message_en, error.errors)), error.status


@bp.get("/audit/suggestions")
def audit_suggestions() -> Any:
    """Up to 20 people or villages whose name contains ``q``, for the search form's type-ahead: JSON
    ``{"items": [{"value", "label"}], "more"}``; refusals in the API's one error shape."""
    caller = current_user()
    if caller is None:
        return _json_error(UnauthenticatedError("请先登录", english="Please log in first"))
    try:
        args = SuggestArgs().load(request.args.to_dict())
    except ValidationError as invalid:
        message = "提交的数据未通过校验，请按字段提示修改"
        english = "The submitted data failed validation; correct the fields as indicated"
        return _json_error(InvalidInputError(message, bilingual(invalid.messages), english=english))
    try:
        found = audit_suggest.suggest(context(), caller, args["field"], args["q"], language())
    except ServiceError as error:
        return _json_error(error)
    items = [{"value": item.value, "label": item.label} for item in found.items]
    return jsonify({"items": items, "more": found.more})


def _named(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events as the page shows them: who, which department and the codes in the data by name (the
    codes stay in the event: the exports and the search keep them)."""
    namer = EventNames(context(), language())
    namer.learn(events)
    return [
        {
            **event,
            "actor_name": namer.person(event["actor"]),
            "department_name": namer.department(event["department_code"]),
            "payload": namer.payload(event["payload"]),
            "submission": namer.submission(event),
        }
        for event in events
    ]


@bp.get("/audit/export.<fmt>")
@login_required
@auditor_required
def audit_export(fmt: str) -> Any:
    if fmt not in EXPORTS:
        return render_template("error.html", message=_("导出格式只能是 CSV、JSON Lines 或 XLSX")), 404
    _raw, filters, errors = _parse(request.args)
    if filters is None:
        separator = "; " if language() == "en" else "；"
        return render_template("error.html", message=separator.join(errors.values())), 422
    try:
        # The CSV's headers are Chinese, so are its names; the workbook and JSON Lines follow the page.
        lang = "zh-CN" if fmt == "csv" else language()
        chunks = audit_trail.export(context(), user(), filters, "jsonl" if fmt == "xlsx" else fmt, lang=lang)
        body: Any = events_xlsx(chunks, EventNames(context(), language())) if fmt == "xlsx" else chunks
    except ServiceError as error:
        return render_template("error.html", message=refusal(error)), error.status
    stamp = context().clock.now().astimezone(CHINA).strftime("%Y%m%d-%H%M%S")
    return Response(
        body,
        content_type=EXPORTS[fmt],
        headers={"Content-Disposition": f"attachment; filename=audit-events-{stamp}.{fmt}"},
    )


@bp.get("/audit/chain")
@login_required
@auditor_required
def audit_chain() -> str:
    result = audit_trail.verify_chain(context()) if request.args.get("run") == "1" else None
    return render_template("audit_chain.html", result=result)
