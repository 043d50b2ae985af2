"""The village register's administration pages: the register as of a day with its posts, towns, a
village's history, entering a village and changing one from a date (service/usecases/admin/register.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext

from service.usecases.admin import register
from service.usecases.directory import REGISTER_START
from service.usecases.errors import InvalidInputError, ServiceError
from service.web import bp, context, language, refusal, user
from service.web.admin_pages import admin_only, field_errors, text_field, town_names
from service.web.display import label_of
from workflows.rules.posts import VILLAGE_KINDS

KIND_LABELS = {
    "village": lazy_gettext("行政村"),
    "community": lazy_gettext("社区"),
    "provisional_community": lazy_gettext("临时社区"),
}
# The allocation rule's reasons (workflows/rules/posts.py) are Chinese; their English for English pages.
POST_REASONS_EN = {
    "每个行政村（社区）设1名辅警": "One officer per village or community",
    "1000户以上社区增设1名": "One more in a community above 1,000 households",
    "临时社区500户以上且九小场所较多，设1名": (
        "One in a provisional community of 500+ households with many small venues"
    ),
    "临时社区不足500户，不设辅警": "None: provisional community under 500 households",
    "临时社区九小场所不多，不设辅警": "None: provisional community with few small venues",
}


@bp.app_template_filter("village_kind")
def village_kind(code: str) -> str:
    return label_of(KIND_LABELS, code)


@bp.app_template_filter("effective_day")
def effective_day(day: date) -> str:
    """The day an entry took effect; the shipped register's entries are "as first registered"."""
    return str(_("最初登记")) if day == REGISTER_START else day.isoformat()


@bp.app_template_filter("post_reason")
def post_reason(reason: str) -> str:
    return POST_REASONS_EN.get(reason, reason) if language() == "en" else reason


def _day(text: str | None, field: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInputError(
            "日期格式不正确",
            errors={field: ["请按 YYYY-MM-DD 填写日期", "Write the date as YYYY-MM-DD"]},
        ) from None


@bp.get("/admin/register")
@admin_only
def admin_register() -> Any:
    try:
        on = _day(request.args.get("on"), "on")
    except ServiceError as error:
        flash(refusal(error), "error")
        on = None
    return render_template(
        "admin_register.html",
        register=register.register_on(context(), on),
        towns=town_names(),
        town_rows=register.town_rows(context()),
        campaigns=register.campaign_dates(context()),
        typed={},
    )


@bp.post("/admin/towns")
@admin_only
def admin_town_create() -> Any:
    try:
        code = text_field("code", 32)
        if not code.isascii() or not code.replace("-", "").isalnum() or code != code.lower():
            raise InvalidInputError(
                "镇编码只能用小写字母、数字和连字符",
                errors={"code": ["小写字母、数字和连字符", "Lower-case letters, digits and hyphens"]},
            )
        body = {"code": code, "name_zh": text_field("name_zh", 64), "name_en": text_field("name_en", 128)}
        register.create_town(context(), user(), body)
    except ServiceError as error:
        flash(refusal(error), "error")
    else:
        flash(_("已添加镇 %(name)s", name=body["name_en"] if language() == "en" else body["name_zh"]), "ok")
    return redirect(url_for("web.admin_register"))


@bp.post("/admin/towns/<town>/rename")
@admin_only
def admin_town_rename(town: str) -> Any:
    try:
        body = {"name_zh": text_field("name_zh", 64), "name_en": text_field("name_en", 128)}
        register.rename_town(context(), user(), town, body)
    except ServiceError as error:
        flash(refusal(error), "error")
    else:
        flash(_("已更名"), "ok")
    return redirect(url_for("web.admin_register"))


def _posted_entry(required: bool) -> dict[str, Any]:
    """The village fields of the posted form; on a change, a field left empty keeps its value."""
    households = request.form.get("households", "").strip()
    if households and not (households.isdigit() and int(households) <= 1_000_000):
        raise InvalidInputError(
            "户数应为 0 至 1000000 的整数",
            errors={"households": ["0 至 1000000 的整数", "A whole number from 0 to 1,000,000"]},
        )
    if required and not households:
        raise InvalidInputError("请填写必填项", errors={"households": ["必填", "Required"]})
    kind = request.form.get("kind") or None
    if kind is not None and kind not in VILLAGE_KINDS:
        raise InvalidInputError("类型不存在", errors={"kind": ["未知类型", "Unknown kind"]})
    return {
        "name_zh": text_field("name_zh", 64, required) or None,
        "name_en": text_field("name_en", 128, required) or None,
        "town": request.form.get("town") or None,
        "kind": kind,
        "households": int(households) if households else None,
        "many_small_venues": request.form.get("many_small_venues") == "1",
        "effective_from": _day(request.form.get("effective_from"), "effective_from"),
        "reason": text_field("reason", 256, required=False),
    }


def _village_form(template: str, status: int = 200, **values: Any) -> tuple[str, int]:
    page = render_template(
        template,
        towns=town_names(),
        kinds=VILLAGE_KINDS,
        today=register.today(context()),
        typed=values.pop("typed", {}),
        **values,
    )
    return page, status


@bp.get("/admin/register/villages/new")
@admin_only
def admin_village_new() -> Any:
    return _village_form("admin_village_new.html")


@bp.post("/admin/register/villages/new")
@admin_only
def admin_village_create() -> Any:
    try:
        body = _posted_entry(required=True)
        if body["town"] is None or body["kind"] is None:
            raise InvalidInputError("请填写必填项", errors={"town": ["必填", "Required"]})
        created = register.create_village(context(), user(), body)
    except ServiceError as error:
        return _village_form(
            "admin_village_new.html",
            error.status,
            typed=request.form,
            error=refusal(error),
            errors=field_errors(error),
        )
    name = created.name_en if language() == "en" else created.name_zh
    flash(_("已登记 %(name)s：按政策设辅警 %(n)s 名", name=name, n=created.posts), "ok")
    return redirect(url_for("web.admin_village", village=created.code))


def _history_page(village: str, status: int = 200, **values: Any) -> Any:
    try:
        history = register.village_history(context(), village)
    except ServiceError as error:
        return render_template("error.html", message=refusal(error)), error.status
    return _village_form("admin_village.html", status, history=history, current=history[0], **values)


@bp.get("/admin/register/villages/<village>")
@admin_only
def admin_village(village: str) -> Any:
    return _history_page(village)


@bp.post("/admin/register/villages/<village>")
@admin_only
def admin_village_change(village: str) -> Any:
    try:
        body = _posted_entry(required=False)
        if body["effective_from"] is None:
            raise InvalidInputError("请填写生效日期", errors={"effective_from": ["必填", "Required"]})
        changed = register.change_village(context(), user(), village, body)
    except ServiceError as error:
        return _history_page(
            village, error.status, typed=request.form, error=refusal(error), errors=field_errors(error)
        )
    flash(
        _(
            "已保存，自 %(day)s 起生效：按政策设辅警 %(n)s 名",
            day=changed.effective_from.isoformat(),
            n=changed.posts,
        ),
        "ok",
    )
    return redirect(url_for("web.admin_village", village=village))
