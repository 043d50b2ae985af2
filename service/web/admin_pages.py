"""Administration pages for users with the global role admin: the landing page, users and departments.

The village register's pages are in admin_register_pages.py. Each form posts to one use case of
service/usecases/admin; a refusal re-renders the form with what was typed and the message in the page's
language. Names, never codes, wherever a name exists.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext

from service.usecases.admin import departments, register, tokens, users
from service.usecases.admin.account_rules import USERNAME
from service.usecases.directory import ROLES, Caller
from service.usecases.errors import ForbiddenError, InvalidInputError, ServiceError
from service.web import bp, context, language, login_required, refusal, user
from service.web.display import label_of

F = TypeVar("F", bound=Callable[..., Any])

ROLE_LABELS = {
    "designer": lazy_gettext("流程设计"),
    "auditor": lazy_gettext("审计"),
    "admin": lazy_gettext("系统管理员"),
}
DEPARTMENT_KIND_LABELS = {
    "admin_committee": lazy_gettext("管委"),
    "party_affairs": lazy_gettext("党群工作部门"),
    "finance": lazy_gettext("财政部门"),
    "police_bureau": lazy_gettext("公安分局"),
    "social_work": lazy_gettext("社会工作部门"),
    "science_tech": lazy_gettext("科技部门"),
    "service_company": lazy_gettext("劳务派遣公司"),
    "police_station": lazy_gettext("派出所（按镇）"),
    "town_gov": lazy_gettext("镇政府（按镇）"),
}


def admin_only(view: F) -> F:
    """Signed in and holding the global role admin; anyone else gets the 403 page."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not user().has_role("admin"):
            error = ForbiddenError("只有系统管理员可以使用系统管理")
            return render_template("error.html", message=refusal(error)), error.status
        return view(*args, **kwargs)

    return login_required(wrapper)  # type: ignore[return-value]


@bp.app_template_filter("role_label")
def role_label(code: str) -> str:
    return label_of(ROLE_LABELS, code)


@bp.app_template_filter("department_kind")
def department_kind(code: str) -> str:
    return label_of(DEPARTMENT_KIND_LABELS, code)


def field_errors(error: ServiceError) -> dict[str, str]:
    """A refusal's field errors (each a list of Chinese, English pairs) in the page's language."""
    found = error.errors if isinstance(error.errors, dict) else {}
    index = 1 if language() == "en" else 0
    return {
        field: str(messages[index] if len(messages) > index else messages[0])
        for field, messages in found.items()
        if isinstance(messages, list) and messages
    }


def text_field(name: str, limit: int, required: bool = True) -> str:
    """A trimmed text field of the posted form, refused when missing (if required) or too long."""
    value = request.form.get(name, "").strip()
    if "\x00" in value or len(value) > limit:
        raise InvalidInputError(
            "输入过长或含有无效字符",
            errors={name: [f"最多 {limit} 个字符", f"At most {limit} characters"]},
        )
    if required and not value:
        raise InvalidInputError("请填写必填项", errors={name: ["必填", "Required"]})
    return value


def town_names() -> dict[str, str]:
    """Every town's name in the page's language, by code."""
    english = language() == "en"
    return {town.code: town.name_en if english else town.name_zh for town in register.town_rows(context())}


@bp.get("/admin")
@admin_only
def admin_home() -> str:
    rows = users.user_rows(context())
    found = register.register_on(context(), None)
    return render_template(
        "admin_home.html",
        active_users=sum(1 for row in rows if row.is_active),
        inactive_users=sum(1 for row in rows if not row.is_active),
        departments=len(departments.department_rows(context())),
        towns=len(town_names()),
        villages=len(found["villages"]),
        total_posts=found["total_posts"],
    )


@bp.get("/admin/users")
@admin_only
def admin_users() -> str:
    return render_template("admin_users.html", rows=users.user_rows(context()))


def _user_form(**values: Any) -> str:
    return render_template(
        "admin_user_form.html",
        all_departments=departments.department_rows(context()),
        roles=ROLES,
        **values,
    )


@bp.get("/admin/users/new")
@admin_only
def admin_user_new() -> str:
    return _user_form(row=None, chosen={"departments": [], "heads_of": [], "roles": []}, tokens=[])


def _posted_account() -> dict[str, Any]:
    return {
        "display_name": text_field("display_name", 128),
        "departments": request.form.getlist("departments"),
        "heads_of": request.form.getlist("heads_of"),
        "roles": request.form.getlist("roles"),
    }


@bp.post("/admin/users/new")
@admin_only
def admin_user_create() -> Any:
    try:
        body = {
            **_posted_account(),
            "username": text_field("username", 64),
            "password": request.form.get("password", ""),
        }
        _check_username(body["username"])
        created = users.create_user(context(), user(), body)
    except ServiceError as error:
        return _refused_user_form(error, None)
    flash(_("已创建用户 %(name)s", name=created.display_name), "ok")
    return redirect(url_for("web.admin_user", user_id=created.user_id))


def _check_username(username: str) -> None:
    if not re.fullmatch(USERNAME, username):
        raise InvalidInputError(
            "用户名格式不正确",
            errors={
                "username": [
                    "小写字母开头，可含数字、下划线、点和连字符",
                    "Starts with a lower-case letter; letters, digits, _ . - allowed",
                ]
            },
        )


def _refused_user_form(error: ServiceError, user_id: int | None) -> tuple[str, int]:
    form = request.form
    chosen = {key: form.getlist(key) for key in ("departments", "heads_of", "roles")}
    detail = users.user_detail(context(), user_id) if user_id is not None else None
    page = _user_form(
        row=detail["user"] if detail else None,
        tokens=detail["tokens"] if detail else [],
        chosen=chosen,
        typed={"username": form.get("username", ""), "display_name": form.get("display_name", "")},
        error=refusal(error),
        errors=field_errors(error),
    )
    return page, error.status


@bp.get("/admin/users/<int:user_id>")
@admin_only
def admin_user(user_id: int) -> Any:
    try:
        detail = users.user_detail(context(), user_id)
    except ServiceError as error:
        return render_template("error.html", message=refusal(error)), error.status
    row = detail["user"]
    chosen = {"departments": list(row.departments), "heads_of": list(row.heads_of), "roles": list(row.roles)}
    return _user_form(row=row, tokens=detail["tokens"], chosen=chosen)


@bp.post("/admin/users/<int:user_id>")
@admin_only
def admin_user_save(user_id: int) -> Any:
    try:
        changed = users.change_user(context(), user(), user_id, _posted_account())
    except ServiceError as error:
        return _refused_user_form(error, user_id)
    flash(_("已保存 %(name)s 的账号", name=changed.display_name), "ok")
    return redirect(url_for("web.admin_user", user_id=user_id))


def _user_action(user_id: int, action: Callable[[Caller], str]) -> Any:
    try:
        flash(action(user()), "ok")
    except ServiceError as error:
        flash(refusal(error), "error")
    return redirect(url_for("web.admin_user", user_id=user_id))


@bp.post("/admin/users/<int:user_id>/active")
@admin_only
def admin_user_active(user_id: int) -> Any:
    active = request.form.get("active") == "1"

    def act(admin: Caller) -> str:
        row = users.set_active(context(), admin, user_id, active)
        if active:
            return _("已启用 %(name)s 的账号", name=row.display_name)
        return _("已停用 %(name)s 的账号：其令牌已吊销，已退出所有登录", name=row.display_name)

    return _user_action(user_id, act)


@bp.post("/admin/users/<int:user_id>/password")
@admin_only
def admin_user_password(user_id: int) -> Any:
    typed = request.form.get("password", "")

    def act(admin: Caller) -> str:
        generated = users.reset_password(context(), admin, user_id, typed or None)
        if generated:
            return _("密码已重置，新密码（只显示这一次）：%(password)s", password=generated)
        return _("密码已重置，该用户已退出所有登录")

    return _user_action(user_id, act)


@bp.post("/admin/users/<int:user_id>/revoke-tokens")
@admin_only
def admin_user_revoke_tokens(user_id: int) -> Any:
    def act(admin: Caller) -> str:
        return _("已吊销 %(n)s 个令牌", n=len(tokens.revoke_all(context(), admin, user_id)))

    return _user_action(user_id, act)


@bp.get("/admin/departments")
@admin_only
def admin_departments() -> str:
    return _departments_page()


def _departments_page(**values: Any) -> str:
    return render_template(
        "admin_departments.html",
        rows=departments.department_rows(context()),
        kinds=departments.DEPARTMENT_KINDS,
        towns=town_names(),
        typed=values.pop("typed", {}),
        **values,
    )


@bp.post("/admin/departments")
@admin_only
def admin_department_create() -> Any:
    try:
        body = {
            "code": text_field("code", 64, required=False),
            "name_zh": text_field("name_zh", 128),
            "name_en": text_field("name_en", 128),
            "kind": request.form.get("kind", ""),
            "town": request.form.get("town") or None,
        }
        created = departments.create_department(context(), user(), body)
    except ServiceError as error:
        page = _departments_page(typed=request.form, error=refusal(error), errors=field_errors(error))
        return page, error.status
    flash(_("已创建部门 %(name)s", name=created.name_en if language() == "en" else created.name_zh), "ok")
    return redirect(url_for("web.admin_departments"))


@bp.post("/admin/departments/<department>/rename")
@admin_only
def admin_department_rename(department: str) -> Any:
    try:
        body = {"name_zh": text_field("name_zh", 128), "name_en": text_field("name_en", 128)}
        departments.rename_department(context(), user(), department, body)
    except ServiceError as error:
        flash(refusal(error), "error")
    else:
        flash(_("已更名"), "ok")
    return redirect(url_for("web.admin_departments"))
