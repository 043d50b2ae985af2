"""The list of cases (issue 17): the process instances a person may read, by process, the step a case waits
at, town and state (open, ended, archived), and a training's records by result; 30 a page, names not codes,
times in Beijing time. The officers' dashboard links its numbers here (service/usecases/instance_list.py)."""

from __future__ import annotations

import math
from typing import Any

from flask import render_template, request
from flask import session as web_session
from sqlalchemy.orm import Session

from service.api.fields import id_or_none, page_or_first
from service.usecases import instance_list, names
from service.usecases.instance_access import OFFICER_PROCESSES
from service.usecases.instance_list import STATE_LABELS, STATES, InstanceFilters
from service.usecases.roster.training import RESULT_LABELS
from service.web import bp, context, current_user, language, login_required, user
from service.web.display import process_name

PER_PAGE = 30


@bp.app_context_processor
def _instances_link() -> dict[str, Any]:
    """``instances_access()`` in templates: whether the navigation links the list of cases - for those who
    read cases: auditors, designers and members of a department (an officer's own queue alone reads none)."""

    def instances_access() -> bool:
        caller = current_user() if web_session.get("user_id") else None
        return caller is not None and (
            caller.has_role("auditor") or caller.has_role("designer") or bool(caller.memberships)
        )

    return {"instances_access": instances_access}


def _arg(name: str, limit: int = 128) -> str | None:
    return request.args.get(name, "").strip()[:limit] or None


def _filters() -> InstanceFilters:
    state, result = _arg("state"), _arg("result")
    training = id_or_none(request.args.get("training"))
    return InstanceFilters(
        process_id=_arg("process"),
        step=_arg("step"),
        state=state if state in STATES else None,
        town=_arg("town", 32),
        # A training's records (business key <training>/<officer>) with a recorded result: the dashboard's.
        business_key=f"{training}/" if training else None,
        result=result if result in RESULT_LABELS else None,
    )


def _process_options(session: Session, chosen: str | None) -> list[tuple[str, str]]:
    """The processes to choose from: the officer cases first, in the dashboard's order, then the others."""
    known = names.process_names(context(), session)
    officer = [p for p in OFFICER_PROCESSES if p in known]
    codes = [*officer, *sorted(p for p in known if p not in OFFICER_PROCESSES)]
    if chosen and chosen not in codes:
        codes.append(chosen)
    return [(code, process_name(code)) for code in codes]


@bp.get("/instances")
@login_required
def instance_list_page() -> Any:
    filters = _filters()
    page = page_or_first(request.args.get("page"))
    english = language() == "en"
    listing = instance_list.list_instances(context(), user(), filters, page, PER_PAGE)
    with context().database.reading() as session:
        processes = _process_options(session, filters.process_id)
        towns = [(t["code"], t["name_en"] if english else t["name_zh"]) for t in names.towns(session)]
        # The steps open cases of the chosen process wait at, with how many: those the reader may read.
        steps = (
            instance_list.open_step_counts(session, user(), [filters.process_id], filters.town)
            if filters.process_id
            else []
        )
        names.person_names(
            session, {s.claimed_by for row in listing["items"] for s in row["current_steps"] if s.claimed_by}
        )
    step_options = [(s["step"], s["name_en"] if english else s["name_zh"], s["count"]) for s in steps]
    if filters.step and filters.step not in {code for code, _n, _c in step_options}:
        step_options.append((filters.step, filters.step, 0))  # no open case waits there (any more)
    query = {
        key: value
        for key, value in {
            "process": filters.process_id,
            "step": filters.step,
            "state": filters.state,
            "town": filters.town,
            "training": request.args.get("training") if filters.business_key else None,
            "result": filters.result,
        }.items()
        if value
    }
    return render_template(
        "instances.html",
        listing=listing,
        filters=filters,
        query=query,
        pages=max(1, math.ceil(listing["total"] / PER_PAGE)),
        processes=processes,
        steps=step_options,
        towns=towns,
        states=[(code, STATE_LABELS[code][1 if english else 0]) for code in STATES],
        state_labels={code: label[1 if english else 0] for code, label in STATE_LABELS.items()},
        result_label=RESULT_LABELS[filters.result][1 if english else 0] if filters.result else "",
        english=english,
    )
