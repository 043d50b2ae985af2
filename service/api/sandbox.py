"""Try a draft (issue 14, point 3): sandbox runs of a draft and the scenarios saved from them. Designers
only, and only the draft's owner; nothing here is live (service/usecases/workbench/sandbox.py)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from service.api import caller, context
from service.api.fields import Id, Text
from service.auth import allow
from service.usecases.workbench import sandbox, scenarios

blp = Blueprint(
    "sandbox", __name__, url_prefix="/api/v1", description="草稿试运行与场景 Sandbox and scenarios"
)

_SAMPLES = {
    "description": "服务任务的示例结果，按环节 id；未给出的服务任务在回滚的事务中真实运行 "
    "(sample results of service tasks by element id; the others run for real in a transaction rolled back)"
}


class SandboxStartSchema(Schema):
    data = fields.Dict(load_default=dict, metadata={"description": "示例启动数据（有启动表单时按其校验）"})
    operator_results = fields.Dict(keys=Text(128), load_default=dict, metadata=_SAMPLES)
    process_id = Text(128, min_length=1, load_default=None, allow_none=True)


class SandboxCompleteSchema(Schema):
    data = fields.Dict(required=True, metadata={"description": "表单数据，按任务表单校验"})
    operator_results = fields.Dict(keys=Text(128), load_default=dict, metadata=_SAMPLES)


class SandboxSkipSchema(Schema):
    timer = Text(
        128,
        min_length=1,
        load_default=None,
        allow_none=True,
        metadata={"description": "定时事件（任务 id 或环节 id）；省略：最早到期的"},
    )
    operator_results = fields.Dict(keys=Text(128), load_default=dict, metadata=_SAMPLES)


class SandboxReadyTaskSchema(Schema):
    task_id = fields.String()
    element_id = fields.String()
    name = fields.String()
    name_en = fields.String()
    department_code = fields.String(allow_none=True)
    head_only = fields.Boolean()
    form = fields.String(allow_none=True)
    form_schema = fields.Dict(allow_none=True)
    form_values = fields.Dict()


class SandboxTimerSchema(Schema):
    task_id = fields.String()
    element_id = fields.String()
    name = fields.String()
    name_en = fields.String()
    due_at = fields.DateTime()


class SandboxRunSchema(Schema):
    id = fields.Integer()
    draft_id = fields.Integer()
    process_id = fields.String()
    status = fields.String(metadata={"description": "running, completed, stalled"})
    draft_changed = fields.Boolean(metadata={"description": "草稿在试运行开始后已修改：不能继续"})
    start_data = fields.Dict()
    operator_results = fields.Dict()
    actions = fields.List(fields.Dict())
    steps = fields.List(fields.Dict(), metadata={"description": "每一步：环节、类型、内容与其后的数据"})
    path = fields.List(fields.String(), metadata={"description": "依次完成的环节 id"})
    ready_tasks = fields.List(fields.Nested(SandboxReadyTaskSchema))
    timers = fields.List(fields.Nested(SandboxTimerSchema))
    states = fields.Dict(keys=fields.String(), values=fields.String())
    data = fields.Dict()
    stall = fields.Dict(allow_none=True)
    clock_at = fields.DateTime(metadata={"description": "试运行自己的时钟"})
    started_clock = fields.DateTime()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class DraftScenarioSaveSchema(Schema):
    run_id = Id(required=True)
    name = Text(200, min_length=1, required=True)


class DraftScenarioSchema(Schema):
    id = fields.Integer()
    process_id = fields.String()
    owner = fields.String()
    name = fields.String()
    draft_id = fields.Integer(allow_none=True)
    start_data = fields.Dict()
    operator_results = fields.Dict()
    actions = fields.List(fields.Dict())
    expected_path = fields.Function(lambda s: [step["element_id"] for step in s.expected_steps])
    end_data = fields.Dict()
    finished = fields.Boolean()
    created_at = fields.DateTime()


class DraftScenarioBriefSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    owner = fields.String()
    process_id = fields.String()
    finished = fields.Boolean()


class DraftScenarioReplaySchema(Schema):
    scenario = fields.Nested(DraftScenarioBriefSchema)
    passed = fields.Boolean()
    element_id = fields.String(allow_none=True, metadata={"description": "重放偏离记录之处"})
    zh = fields.String()
    en = fields.String()
    path = fields.List(fields.String())
    expected_path = fields.List(fields.String())


@blp.route("/drafts/<int:draft_id>/sandbox-runs")
class DraftRuns(MethodView):
    @allow("designer")
    @blp.arguments(SandboxStartSchema)
    @blp.response(201, SandboxRunSchema)
    def post(self, body: dict[str, Any], draft_id: int) -> Any:
        """Start a sandbox run of the draft's process with sample start data."""
        return sandbox.start_run(
            context(), caller().username, draft_id, body["data"], body["operator_results"], body["process_id"]
        )


@blp.route("/sandbox-runs/<int:run_id>")
class Run(MethodView):
    @allow("designer")
    @blp.response(200, SandboxRunSchema)
    def get(self, run_id: int) -> Any:
        """A run: its steps and path, the ready tasks with their forms, waiting timers and data."""
        return sandbox.run_detail(context(), caller().username, run_id)


@blp.route("/sandbox-runs/<int:run_id>/tasks/<task_id>/complete")
class CompleteTask(MethodView):
    @allow("designer")
    @blp.arguments(SandboxCompleteSchema)
    @blp.response(200, SandboxRunSchema)
    def post(self, body: dict[str, Any], run_id: int, task_id: str) -> Any:
        """Complete a ready task of the run with form data (validated against its form: 422 otherwise)."""
        return sandbox.complete_task(
            context(), caller().username, run_id, task_id, body["data"], body["operator_results"]
        )


@blp.route("/sandbox-runs/<int:run_id>/timers/skip")
class SkipWait(MethodView):
    @allow("designer")
    @blp.arguments(SandboxSkipSchema)
    @blp.response(200, SandboxRunSchema)
    def post(self, body: dict[str, Any], run_id: int) -> Any:
        """Skip the wait: move the run's own clock to a waiting timer's due time and fire it."""
        return sandbox.skip_wait(
            context(), caller().username, run_id, body["timer"], body["operator_results"]
        )


@blp.route("/drafts/<int:draft_id>/scenarios")
class Scenarios(MethodView):
    @allow("designer")
    @blp.response(200, DraftScenarioSchema(many=True))
    def get(self, draft_id: int) -> Any:
        """Every scenario of the draft's process."""
        return scenarios.list_scenarios(context(), caller().username, draft_id)

    @allow("designer")
    @blp.arguments(DraftScenarioSaveSchema)
    @blp.response(201, DraftScenarioSchema)
    def post(self, body: dict[str, Any], draft_id: int) -> Any:
        """Save a run of the draft (finished or not) as a named scenario of its process."""
        return scenarios.save_scenario(context(), caller().username, draft_id, body["run_id"], body["name"])


@blp.route("/drafts/<int:draft_id>/scenarios/<int:scenario_id>")
class Scenario(MethodView):
    @allow("designer")
    @blp.response(204)
    def delete(self, draft_id: int, scenario_id: int) -> None:
        """Delete a scenario the caller saved."""
        scenarios.delete_scenario(context(), caller().username, draft_id, scenario_id)


@blp.route("/drafts/<int:draft_id>/scenarios/replay")
class Replay(MethodView):
    @allow("designer")
    @blp.response(200, DraftScenarioReplaySchema(many=True))
    def post(self, draft_id: int) -> Any:
        """Replay every scenario of the process on the draft: pass or fail, and where it diverged."""
        return scenarios.replay_scenarios(context(), caller().username, draft_id)
