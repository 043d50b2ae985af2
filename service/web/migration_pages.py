"""Migrating running instances from the browser (issue 14, point 5): a designer chooses a process, a source
and a target version and a set of instances (all, by business key, by the task they wait at), dry-runs it,
migrates it in batches and may move the moved ones back; everyone who reads the definitions area sees the
history of migrations."""

from __future__ import annotations

from typing import Any

from flask import render_template, request
from werkzeug.datastructures import MultiDict

from service.usecases.errors import ServiceError
from service.usecases.migration import choices as migration_choices
from service.usecases.migration import history as migration_history
from service.usecases.migration import moves as instance_migration
from service.usecases.migration import report as migration_report
from service.usecases.migration.choices import ChoiceError, MigrationForm
from service.web import bp, context, language, login_required, page_number, refusal, user

ACTIONS = ("refresh", "dry_run", "migrate", "move_back")


def _number(text: str | None) -> int | None:
    return int(text) if text and text.strip().isdigit() and len(text.strip()) < 12 else None


def _form(values: MultiDict[str, str]) -> MigrationForm:
    scope = values.get("scope", "all")
    return MigrationForm(
        process_id=(values.get("process") or "").strip()[:128] or None,
        source=_number(values.get("source")),
        target=_number(values.get("target")),
        scope=scope if scope in migration_choices.SCOPES else "all",
        keys_text=(values.get("keys") or "")[:20_000],
        task=(values.get("task") or "").strip()[:128] or None,
    )


def _page(form: MigrationForm, status: int = 200, **shown: Any) -> tuple[str, int]:
    caller = user()
    found = migration_choices.choices(context(), caller, form.process_id, form.source, form.target)
    rows, pages = migration_history.history(context(), caller, page_number())
    page = render_template(
        "migrations.html",
        choices=found,
        form=form,
        may_migrate=migration_choices.may_migrate(caller),
        history=rows,
        history_page=page_number(),
        history_pages=pages,
        batch_size=instance_migration.BATCH_SIZE,
        limit=instance_migration.MAX_PER_RUN,
        **shown,
    )
    return page, status


@bp.get("/definitions/migrations")
@login_required
def migrations_page() -> Any:
    try:
        return _page(_form(request.args))
    except ServiceError as error:
        return render_template("error.html", message=refusal(error)), error.status


@bp.post("/definitions/migrations")
@login_required
def migrations_post() -> Any:
    form = _form(request.form)
    action = request.form.get("action", "dry_run")
    try:
        migration_choices.require_designer(user())
        if action not in ACTIONS or action == "refresh":
            return _page(form)
        if action == "move_back":
            return _move_back(form)
        selection = migration_choices.select_instances(context(), user(), form)
        outcomes = instance_migration.in_batches(
            context(), user().username, selection.request, selection.instance_ids, move=action == "migrate"
        )
        report = migration_report.named_report(context(), selection.request, outcomes, language())
        return _page(form, report=report, report_kind=action)
    except ChoiceError as error:
        return _page(form, 422, error=refusal(error), error_field=error.field)
    except ServiceError as error:
        if error.status in (403, 404):
            return render_template("error.html", message=refusal(error)), error.status
        return _page(form, error.status, error=refusal(error), error_field=None)


def _move_back(form: MigrationForm) -> Any:
    """``form`` names the migration just made (source -> target); its chosen instances go target -> source,
    and the page keeps the migration's own direction in its form."""
    back = MigrationForm(form.process_id, form.target, form.source)
    chosen = [n for n in (_number(text) for text in request.form.getlist("instance")) if n is not None]
    try:
        selection = migration_choices.move_back_selection(context(), user(), back, chosen)
    except ChoiceError as error:
        return _page(form, 422, error=refusal(error), error_field=error.field)
    outcomes = instance_migration.in_batches(
        context(), user().username, selection.request, selection.instance_ids, move=True
    )
    report = migration_report.named_report(context(), selection.request, outcomes, language())
    return _page(form, report=report, report_kind="move_back")
