"""Refer a dismissal from the officer's page: the grounds and the facts; the case goes to the sub-bureau."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from service.usecases import dismissal_referral, roster
from service.usecases.errors import ForbiddenError, InvalidInputError, NotFoundError, ServiceError
from service.web import bp, context, language, login_required, refusal, user
from service.web.forms import build_fields, parse_submission


def _page(
    officer: dict[str, Any],
    schema: dict[str, Any],
    values: dict[str, Any],
    errors: dict[str, Any],
    **extra: Any,
) -> str:
    english = language() == "en"
    return render_template(
        "dismissal_refer.html",
        officer=officer,
        english=english,
        title=str((schema.get("x-title-en") if english else None) or schema.get("title") or ""),
        description=str(
            (schema.get("x-description-en") if english else None) or schema.get("description") or ""
        ),
        fields=build_fields(schema, language(), values, errors),
        **extra,
    )


@bp.route("/officers/<int:officer_id>/dismissal", methods=["GET", "POST"])
@login_required
def refer_dismissal(officer_id: int) -> Any:
    try:
        officer = roster.officer_detail(context(), user(), officer_id)
        schema = dismissal_referral.referral_form(context(), user())
    except ServiceError as error:
        return render_template("error.html", message=refusal(error)), error.status
    if request.method == "GET":
        return _page(officer, schema, {}, {})
    posted = parse_submission(schema, request.form)
    data = {k: v.strip() if isinstance(v, str) else v for k, v in posted.items()}
    data = {key: value for key, value in data.items() if value not in ("", None)}
    try:
        dismissal_referral.refer_dismissal(context(), user(), officer_id, data)
    except ServiceError as error:
        if isinstance(error, ForbiddenError | NotFoundError):
            return render_template("error.html", message=refusal(error)), error.status
        errors = (error.errors or {}) if isinstance(error, InvalidInputError) else {}
        return _page(officer, schema, data, errors, message=refusal(error)), error.status
    flash(_("已提请清退，案件转公安分局审查"))
    # Back to the officer, whose page lists the case: a station may not read the sub-bureau's instance.
    return redirect(url_for("web.officer_page", officer_id=officer_id))
