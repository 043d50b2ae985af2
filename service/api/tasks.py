"""Department queues and task actions."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from service.api import caller, context
from service.api.schemas import (
    CompleteSchema,
    HumanTaskSchema,
    QueueSchema,
    QueueTaskArgs,
    ReassignSchema,
    TaskDetailSchema,
    page_of,
)
from service.auth import allow
from service.usecases import handover, on_behalf, task_record, tasks

blp = Blueprint("tasks", __name__, url_prefix="/api/v1", description="待办任务 Queues and tasks")


@blp.route("/queues")
class Queues(MethodView):
    @allow("staff")
    @blp.response(200, QueueSchema(many=True))
    def get(self) -> Any:
        """The caller's departments with open, claimed-by-me and overdue counts."""
        return tasks.queues(context(), caller())


@blp.route("/queues/<department>/tasks")
class QueueTasks(MethodView):
    @allow("staff", "auditor")
    @blp.arguments(QueueTaskArgs, location="query")
    @blp.response(200, page_of(HumanTaskSchema))
    def get(self, args: dict[str, Any], department: str) -> Any:
        """A department's tasks, oldest first (``sort``: created, due, name); ``overdue=true`` lists only the
        overdue ones, ``q`` those whose name or subject contains it."""
        return tasks.queue_tasks(
            context(),
            caller(),
            department,
            args["state"],
            args["page"],
            args["per_page"],
            args["overdue"],
            search=args["q"].strip(),
            sort=args["sort"],
        )


@blp.route("/tasks/<task_id>")
class Task(MethodView):
    @allow("staff", "auditor")
    @blp.response(200, TaskDetailSchema)
    def get(self, task_id: str) -> Any:
        """A task with its form schema and current data; a completed task with its ``record``: what was
        submitted (titled, labelled), by whom, when, and the tasks it led to."""
        detail = tasks.task_detail(context(), caller(), task_id)
        if detail["state"] == "completed":
            detail["record"] = task_record.completion_record(context(), detail)
        return detail


@blp.route("/tasks/<task_id>/claim")
class Claim(MethodView):
    @allow("staff")
    @blp.response(200, HumanTaskSchema)
    def post(self, task_id: str) -> Any:
        """Claim a task for yourself."""
        return tasks.claim_task(context(), caller(), task_id)


@blp.route("/tasks/<task_id>/take-on-behalf")
class TakeOnBehalf(MethodView):
    @allow("staff")
    @blp.response(200, HumanTaskSchema)
    def post(self, task_id: str) -> Any:
        """Take an open task of a person's own queue (an officer's monthly report) to enter it on their
        behalf from their signed paper, where the model allows your department (``onBehalfBy``): it moves to
        your department, claimed by you, and its completion then requires the signed paper attached."""
        return on_behalf.take_on_behalf(context(), caller(), task_id)


@blp.route("/tasks/<task_id>/release")
class Release(MethodView):
    @allow("staff")
    @blp.response(200, HumanTaskSchema)
    def post(self, task_id: str) -> Any:
        """Give a claimed task back to the department's queue."""
        return tasks.release_task(context(), caller(), task_id)


@blp.route("/tasks/<task_id>/reassign")
class Reassign(MethodView):
    @allow("head")
    @blp.arguments(ReassignSchema)
    @blp.response(200, HumanTaskSchema)
    def post(self, body: dict[str, Any], task_id: str) -> Any:
        """Give a task to a member of the department, or take it over (department heads only), with a
        reason kept in the audit trail."""
        return handover.reassign_task(context(), caller(), task_id, body["username"], body["reason"])


@blp.route("/tasks/<task_id>/complete")
class Complete(MethodView):
    @allow("staff")
    @blp.arguments(CompleteSchema)
    @blp.response(200, HumanTaskSchema)
    def post(self, body: dict[str, Any], task_id: str) -> Any:
        """Submit the task's form; validated against its JSON Schema before anything changes."""
        return tasks.complete_task(context(), caller(), task_id, body["data"])
