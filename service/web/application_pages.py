"""The bureau's list of a campaign's applications (filters by village and result, a page at a time) and
its Excel export with the same filters."""

from __future__ import annotations

import io
import math
from typing import Any

from flask import render_template, request, send_file

from service.api.fields import page_or_first
from service.usecases.errors import ServiceError
from service.usecases.recruitment.application_export import applications_xlsx
from service.usecases.recruitment.application_list import (
    STAGE_STATUSES,
    STAGES,
    STATUS_CODES,
    STATUSES,
    Filters,
    campaign_applications,
)
from service.web import bp, context, language, login_required, refusal, user

PER_PAGE = 30
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filters() -> Filters:
    village = request.args.get("village", "").strip()[:32] or None
    result = request.args.get("result", "").strip()
    stage = request.args.get("stage", "").strip()
    return Filters(
        village=village,
        result=result if result in STATUS_CODES else None,
        stage=stage if stage in STAGE_STATUSES else None,
    )


def _query(filters: Filters) -> dict[str, str]:
    """The filters as query arguments, for the pager and the export link."""
    pairs = (("village", filters.village), ("result", filters.result), ("stage", filters.stage))
    return {key: value for key, value in pairs if value}


@bp.get("/dashboards/campaigns/<int:campaign_id>/applications")
@login_required
def campaign_applications_page(campaign_id: int) -> Any:
    filters = _filters()
    page = page_or_first(request.args.get("page"))
    try:
        listing = campaign_applications(context(), user(), campaign_id, filters, page, PER_PAGE)
    except ServiceError as error:
        return render_template("error.html", message=refusal(error)), error.status
    english = language() == "en"
    return render_template(
        "applications.html",
        listing=listing,
        campaign=listing["campaign"],
        filters=filters,
        query=_query(filters),
        pages=max(1, math.ceil(listing["total"] / PER_PAGE)),
        results=[(code, en if english else zh) for code, zh, en in STATUSES],
        stages=[(code, en if english else zh) for code, zh, en, _statuses in STAGES],
        english=english,
    )


@bp.get("/dashboards/campaigns/<int:campaign_id>/applications.xlsx")
@login_required
def campaign_applications_export(campaign_id: int) -> Any:
    try:
        name, data = applications_xlsx(
            context(), user(), campaign_id, _filters(), "en" if language() == "en" else "zh"
        )
    except ServiceError as error:
        return render_template("error.html", message=refusal(error)), error.status
    return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=name)
