"""Comments (意见) and attachments on the task and instance pages (issue 15, point 4).

The pages include ``_attachments.html`` and ``_comments.html``; what those show comes from ``case_notes``
below (a template global), so the page handlers stay as they are. Adding posts here and returns to the page.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from service.api.case_notes import download
from service.api.fields import id_or_none
from service.persistence.models import InstanceModel
from service.usecases.case_notes import attachment_changes, attachments, comments
from service.usecases.case_notes.access import require_writer
from service.usecases.errors import ServiceError
from service.usecases.tasks import specs_of_instance
from service.web import bp, context, flash_error, login_required, refusal, user


@bp.app_template_global("case_notes")
def case_notes(instance_id: int, task: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """What the comment and attachment sections of a page show: the instance's comments and files in time
    order, whether the reader may add to them, and what file the task (if any) requires."""
    caller = user()
    try:
        shown = {
            "comments": comments.list_comments(context(), caller, instance_id=instance_id),
            "attachments": attachments.list_attachments(context(), caller, instance_id=instance_id),
        }
    except ServiceError:
        return None
    ctx = context()
    with ctx.database.reading() as session:
        may_write = True
        try:
            require_writer(session, caller, instance_id)
        except ServiceError:
            may_write = False
        required = None
        if task is not None:
            info = specs_of_instance(ctx, session, instance_id).user_task(
                task["process_id"], task["spec_name"]
            )
            required = attachments.required_label(info, task.get("on_behalf_of"))
        may_attach = (
            task is not None
            and may_write
            and caller.in_department(task["department_code"])
            and task["state"] in ("open", "claimed")
        )
        # An ended instance keeps its files as the record: the page offers no removal the service refuses.
        instance = session.get(InstanceModel, instance_id)
        running = instance is not None and instance.status == "running"
    attached_here = task is not None and any(a["task_id"] == task["id"] for a in shown["attachments"])
    for attachment in shown["attachments"]:
        attachment["changeable"] = may_write and attachment_changes.may_change(
            caller, attachment, task, instance_running=running
        )
    return {
        **shown,
        "may_comment": may_write,
        "may_attach": may_attach if task is not None else may_write,
        "required": required,
        "required_met": attached_here,
        "any_changeable": any(a["changeable"] for a in shown["attachments"]),
    }


@bp.app_template_global("attachment_limit")
def attachment_limit() -> str:
    """The largest file the service takes, as people read it (10.0 MB)."""
    return attachments.megabytes(context().settings.max_attachment_bytes)


def _back(instance_id: int | None, task_id: str | None) -> Any:
    if task_id is not None:
        return redirect(url_for("web.task", task_id=task_id) + "#attachments")
    return redirect(url_for("web.instance", instance_id=instance_id) + "#attachments")


@bp.post("/tasks/<task_id>/comments")
@login_required
def task_comment(task_id: str) -> Any:
    return _comment(None, task_id)


@bp.post("/instances/<int:instance_id>/comments")
@login_required
def instance_comment(instance_id: int) -> Any:
    return _comment(instance_id, None)


def _comment(instance_id: int | None, task_id: str | None) -> Any:
    try:
        comments.add_comment(
            context(), user(), request.form.get("text", ""), instance_id=instance_id, task_id=task_id
        )
    except ServiceError as error:
        flash_error(error)
    else:
        flash(_("意见已提交"), "success")
    target = (
        url_for("web.task", task_id=task_id) if task_id else url_for("web.instance", instance_id=instance_id)
    )
    return redirect(target + "#comments")


@bp.post("/tasks/<task_id>/attachments")
@login_required
def task_attachment(task_id: str) -> Any:
    return _attach(None, task_id)


@bp.post("/instances/<int:instance_id>/attachments")
@login_required
def instance_attachment(instance_id: int) -> Any:
    return _attach(instance_id, None)


def _attach(instance_id: int | None, task_id: str | None) -> Any:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("请选择要上传的文件"), "error")
        return _back(instance_id, task_id)
    content = upload.read(context().settings.max_attachment_bytes + 1)
    try:
        added = attachments.add_attachment(
            context(),
            user(),
            upload.filename,
            content,
            instance_id=instance_id,
            task_id=task_id,
            label=request.form.get("label"),
        )
    except ServiceError as error:
        flash_error(error)
    else:
        flash(_("已上传附件：%(name)s", name=_named(added)), "success")
    return _back(instance_id, task_id)


def _named(attachment: dict[str, Any]) -> str:
    """A file as the list shows it: its label, then its own name."""
    label = attachment.get("label")
    return f"{label}（{attachment['file_name']}）" if label else str(attachment["file_name"])


def _back_from() -> Any:
    """Back to the page the form was on: the task's or the instance's (the form's hidden field)."""
    task_id = request.form.get("task_id") or None
    if task_id is not None:
        return _back(None, task_id[:64])
    instance_id = id_or_none(request.form.get("instance_id"))
    return _back(instance_id, None) if instance_id is not None else redirect(url_for("web.home"))


@bp.post("/attachments/<int:attachment_id>/remove")
@login_required
def attachment_remove(attachment_id: int) -> Any:
    try:
        removed = attachment_changes.remove_attachment(context(), user(), attachment_id)
    except ServiceError as error:
        flash_error(error)
    else:
        flash(_("已删除附件：%(name)s（记录保留在审计日志中）", name=_named(removed)), "success")
    return _back_from()


@bp.post("/attachments/<int:attachment_id>/replace")
@login_required
def attachment_replace(attachment_id: int) -> Any:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("请选择要上传的文件"), "error")
        return _back_from()
    content = upload.read(context().settings.max_attachment_bytes + 1)
    try:
        added = attachment_changes.replace_attachment(
            context(), user(), attachment_id, upload.filename, content, label=request.form.get("label")
        )
    except ServiceError as error:
        flash_error(error)
    else:
        flash(_("已替换附件，新文件：%(name)s", name=_named(added)), "success")
    return _back_from()


@bp.get("/attachments/<int:attachment_id>")
@login_required
def attachment_file(attachment_id: int) -> Any:
    try:
        facts, content = attachments.attachment_content(context(), user(), attachment_id)
    except ServiceError as error:
        return render_template("error.html", message=refusal(error)), error.status
    return download(facts, content)
