"""My work (issue 15, point 1): the inbox page, bulk claim, saved filters and the navigation's counts."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from service.api.fields import id_or_none
from service.usecases import inbox
from service.usecases.errors import NotFoundError, ServiceError
from service.usecases.grounds.building import deadline_date
from service.usecases.inbox.saved import normalise
from service.usecases.inbox.view import inbox_view
from service.web import bp, context, current_user, flash_error, login_required, page_number, user
from workflows.ports import CHINA

PER_PAGE = 50
_CLAIM_RESULTS = "inbox_claims"


def _query() -> inbox.InboxQuery:
    args = request.args
    return inbox.InboxQuery(
        section=args.get("section", "all"),
        process=args.get("process", "")[:128],
        step=args.get("step", "")[:128],
        town=args.get("town", "")[:32],
        village=args.get("village", "")[:32],
        due=args.get("due", "any"),
        sort=args.get("sort", "due"),
    ).cleaned()


def _query_args(query: inbox.InboxQuery) -> dict[str, str]:
    """The query as URL arguments, defaults left out."""
    defaults = inbox.InboxQuery()
    return {key: value for key, value in vars(query).items() if value and value != getattr(defaults, key)}


@bp.get("/inbox")
@login_required
def inbox_page() -> Any:
    caller = user()
    query = _query()
    view = inbox_view(context(), caller, query, page_number(), PER_PAGE)
    page = view.page
    g.inbox_counts = view.nav  # the navigation's badges, counted with the tabs (base.html)
    total = inbox.Count(page.total, page.total_is_lower_bound)
    args = _query_args(query)
    others = {key: value for key, value in args.items() if key != "section"}
    counts = dict(view.sections)
    if query == inbox.InboxQuery(section=query.section, sort=query.sort):
        # Unfiltered, the page's total is its section's count, counted at least as far as the page reaches
        # (page 21 of "1,000+" says "1,050+"): the tab says the same.
        counts[query.section] = total
    return render_template(
        "inbox.html",
        page=page,
        items=page.items,
        total=total,
        # Past the count's bound there is at least one task more than the total: "page 1 of 21+".
        pages=max(1, -(-(page.total + page.total_is_lower_bound) // PER_PAGE)),
        more_pages=page.total_is_lower_bound,
        query=query,
        args=args,
        query_string=urlencode(args),
        section_links={key: others if key == "all" else {**others, "section": key} for key in inbox.SECTIONS},
        counts=counts,
        choices=view.choices,
        saved=view.saved,
        bulk_by_department=view.bulk,
        results=session.pop(_CLAIM_RESULTS, None),
    )


@bp.post("/inbox/claim")
@login_required
def inbox_claim() -> Any:
    ids = [task_id[:36] for task_id in request.form.getlist("task_id") if task_id]
    back = url_for("web.inbox_page") + _back_query()
    if not ids:
        flash(_("请先勾选要认领的任务"), "error")
        return redirect(back)
    results = inbox.claim_many(context(), user(), ids)
    session[_CLAIM_RESULTS] = results
    claimed = sum(1 for result in results if result["outcome"] == "claimed")
    flash(_("已认领 %(num)s 项任务，共勾选 %(n)s 项", num=claimed, n=len(results)))
    return redirect(back)


def _back_query() -> str:
    query = normalise(request.form.get("query", ""))
    return f"?{query}" if query else ""


@bp.post("/inbox/filters")
@login_required
def inbox_filter_save() -> Any:
    query = normalise(request.form.get("query", ""))
    try:
        saved = inbox.save_filter(context(), user(), request.form.get("name", "")[:64], query)
    except ServiceError as error:
        flash_error(error)
        return redirect(url_for("web.inbox_page") + (f"?{query}" if query else ""))
    flash(_("已保存筛选条件：%(name)s", name=saved["name"]))
    return redirect(url_for("web.inbox_page") + (f"?{saved['query']}" if saved["query"] else ""))


@bp.post("/inbox/filters/<filter_id>/delete")
@login_required
def inbox_filter_delete(filter_id: str) -> Any:
    number = id_or_none(filter_id)
    try:
        if number is None:
            raise NotFoundError("筛选条件 {filter_id} 不存在", filter_id=filter_id[:20])
        inbox.delete_filter(context(), user(), number)
    except ServiceError as error:
        flash_error(error)
    else:
        flash(_("已删除筛选条件"))
    return redirect(url_for("web.inbox_page"))


@bp.app_template_filter("bounded")
def bounded(count: inbox.Count) -> str:
    """A count as people read it: ``1,000+`` past the inbox's bound, else the number."""
    return f"{count.value:,}+" if count.more else f"{count.value:,}"


@bp.app_template_global("inbox_counts")
def inbox_counts() -> dict[str, inbox.Count] | None:
    """The navigation's badges (tasks I hold, overdue work) for a signed-in member of a department, read
    once per page (one indexed count query)."""
    caller = current_user()
    if caller is None or not caller.departments:
        return None
    if "inbox_counts" not in g:
        g.inbox_counts = inbox.nav_counts(context(), caller)
    return g.inbox_counts  # type: ignore[no-any-return]


@bp.app_template_filter("days_left")
def days_left(due: Any) -> str:
    """A deadline as days from today (Beijing): 还剩 3 天, 今天到期, 已逾期 2 天."""
    if due is None:
        return ""
    now = context().clock.now()
    days = (deadline_date(due) - now.astimezone(CHINA).date()).days
    if due < now:
        if days >= 0:
            return _("今天已到期")
        return _("已逾期 1 天") if days == -1 else _("已逾期 %(num)s 天", num=-days)
    if days <= 0:
        return _("今天到期")
    return _("还剩 1 天") if days == 1 else _("还剩 %(num)s 天", num=days)
