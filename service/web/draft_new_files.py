"""The draft page's "new form" (issue 14, point 1): an empty form added to the draft, opened in the form
editor."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from service.usecases.errors import ServiceError
from service.usecases.workbench import new_files
from service.web import bp, context, login_required, refusal, user


@bp.post("/definitions/drafts/<int:draft_id>/forms")
@login_required
def draft_new_form(draft_id: int) -> Any:
    try:
        name = new_files.new_form(
            context(),
            user(),
            draft_id,
            request.form.get("name", "")[:80],
            request.form.get("title", "")[:200],
            request.form.get("title_en", "")[:200],
        )
    except ServiceError as error:
        return render_template("error.html", message=refusal(error)), error.status
    flash(_("已新建表单 %(name)s：请添加字段后保存", name=name), "success")
    return redirect(url_for("web.draft_form_page", draft_id=draft_id, name=name))
