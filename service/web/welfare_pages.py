"""The station reports an injury or a death on duty from the officer's page (issue 17, points 4-5): the
report's form, then the process's first task (the claim) or its instance."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from service.usecases import welfare
from service.usecases.errors import InvalidInputError, ServiceError
from service.web import bp, context, language, login_required, refusal, user
from service.web.forms import build_fields, parse_submission

# The report kinds by their path segment, with the page's button.
KINDS = {"work-injury": "work_injury", "death": "death_on_duty"}


def _title(schema: dict[str, Any], key: str) -> str:
    english = schema.get(f"x-{key}-en") if language() == "en" else None
    return str(english or schema.get(key) or "")


def _page(
    officer_id: int,
    kind: str,
    schema: dict[str, Any],
    values: dict[str, Any],
    errors: dict[str, Any],
    message: str = "",
) -> str:
    return render_template(
        "welfare_report.html",
        officer_id=officer_id,
        kind=kind,
        title=_title(schema, "title"),
        description=_title(schema, "description"),
        fields=build_fields(schema, language(), values, errors),
        message=message,
    )


@bp.get("/officers/<int:officer_id>/report/<kind>")
@login_required
def welfare_report_page(officer_id: int, kind: str) -> Any:
    if kind not in KINDS:
        return render_template("error.html", message=_("没有这种报告")), 404
    try:
        schema = welfare.report_form(context(), user(), officer_id, KINDS[kind])
    except ServiceError as error:
        return render_template("error.html", message=refusal(error)), error.status
    return _page(officer_id, kind, schema, {}, {})


@bp.post("/officers/<int:officer_id>/report/<kind>")
@login_required
def welfare_report(officer_id: int, kind: str) -> Any:
    if kind not in KINDS:
        return render_template("error.html", message=_("没有这种报告")), 404
    try:
        schema = welfare.report_form(context(), user(), officer_id, KINDS[kind])
    except ServiceError as error:
        return render_template("error.html", message=refusal(error)), error.status
    posted = parse_submission(schema, request.form)
    data = {k: v.strip() if isinstance(v, str) else v for k, v in posted.items()}
    data = {key: value for key, value in data.items() if value != ""}
    try:
        instance = welfare.report(context(), user(), officer_id, KINDS[kind], data)
    except InvalidInputError as error:
        return _page(officer_id, kind, schema, data, error.errors or {}, refusal(error)), error.status
    except ServiceError as error:
        return _page(officer_id, kind, schema, data, {}, refusal(error)), error.status
    flash(_("已报告：%(subject)s", subject=instance.subject))
    # The station's own next step (the injury's claim) if there is one; else back to the officer, whose page
    # shows the report in progress (the death's next steps are the sub-bureau's).
    task_id = welfare.next_task_of(context(), user(), instance.id)
    if task_id is not None:
        return redirect(url_for("web.task", task_id=task_id))
    return redirect(url_for("web.officer_page", officer_id=officer_id))
