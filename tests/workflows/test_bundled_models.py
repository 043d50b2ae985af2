"""Drive every bundled process to its end, saving and reloading the instance after every step.

Each folder under ``bpmn/`` is a bundle. Every process of every bundle is started with canned operator
results (shaped as docs/design.md and the gateways and timers expect), its user tasks are completed with
submissions that pass their forms, and its timers are fired with a clock past their due time. After every
step the instance goes through the saved-state path the service uses (dump, JSON text, load) and the driving
continues with the reloaded instance, so a state that does not survive serialization fails here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow

from tests.workflows import (
    dismissal_scenarios,
    field_report_scenarios,
    payroll_scenarios,
    training_scenarios,
    welfare_scenarios,
)
from tests.workflows.samples import ELIGIBLE
from workflows.engine import WorkflowEngine
from workflows.forms import validate_submission
from workflows.scripting import OperatorCall
from workflows.specs import ProcessSpecs, attach_forms, parse_bundle, read_bundle

ROOT = Path(__file__).resolve().parents[2]
BPMN_DIR = ROOT / "bpmn"
FORMS_DIR = ROOT / "forms"

# The per-instance state must not carry the spec: it is stored once per deployed bundle.
SPEC_KEYS = {"spec", "subprocess_specs"}
MAX_ACTIONS = 60

# Timers are due well after the real time: SpiffWorkflow also compares timeDate values with its own wall
# clock, and such a timer must only fire when the service clock (``now`` below) says so.
REGISTRATION_CLOSES_AT = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0)
NOTICE_ENDS_AT = (datetime.now(UTC) + timedelta(days=37)).replace(microsecond=0)
SCORING_DUE_AT = (datetime.now(UTC) + timedelta(days=10)).replace(microsecond=0)
CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")


# Operator results by OperatorCall.name; a list is answered in order, its last item repeated.
OPERATOR_RESULTS: dict[str, Any] = {
    "compute_posts": {"villages": [{"code": "371002001", "posts": 1}], "total_posts": 1},
    "adjust_plan": {"villages": [{"code": "371002001", "posts": 1}], "total_posts": 1},
    "approve_plan": {"campaign_id": 1},
    "open_registration": {
        "campaign_id": 1,
        # Aware ISO datetimes in Asia/Shanghai, as the service writes them.
        "closes_at": REGISTRATION_CLOSES_AT.astimezone(CHINA).isoformat(),
    },
    "close_registration": {"eligible": 1, "ineligible": 0},
    "rank_candidates": {"ranked": 1},
    "start_post_hiring": {"started": ["2026-recruitment/371002001/1"]},
    "record_screening": {"application_id": 1, "eligible": True},
    "next_candidate": [
        {"found": True, "application_id": 1, "name": "张三", "party_member": False},
        {"found": True, "application_id": 2, "name": "李四", "party_member": True},
    ],
    "reject_candidate": {"application_id": 1},
    "report_vacancy": {"village": "371002001"},
    "start_public_notice": {"ends_at": NOTICE_ENDS_AT.isoformat(), "days": 7},
    "record_officer": {"officer_id": 1, "role": "party_secretary_assistant"},
    "record_veto": {"by": "town_head", "at": "2026-11-30T10:00:00+08:00"},
    "record_appraisal": {"incompetent_last_12": 0, "excellent_streak": 3},
    "record_renewal": {
        "renewed": True,
        "contract_number": "HT-2029-001",
        "contract_start": "2029-05-01",
        "contract_end": "2032-04-30",
    },
    "end_contract": {"ended": True, "status": "contract_ended", "left_on": "2029-04-30"},
    "start_reward_decision": {"started": True, "instance_id": 2},
    "find_period_vetoes": {
        "vetoed": False,
        "months": [],
        "period_months": 3,
        "from_month": "2026-09",
        "to_month": "2026-11",
    },
    "record_reward": {"outcome": "granted", "kind": "commend", "decided_on": "2026-12-03", "grounds": "同意"},
}

STATION_ITEMS = {
    "attendance_discipline": 15,
    "village_work_support": 10,
    "intelligence_reporting": 15,
    "dispute_mediation": 15,
    "key_person_management": 10,
    "security_elements": 10,
    "basic_information": 10,
    "patrol_and_publicity": 10,
    "resident_service": 5,
}
TOWN_ITEMS = {
    "committee_meetings": 15,
    "grid_coordination": 15,
    "stability_reporting": 15,
    "dispute_resolution": 15,
    "port_and_ship": 10,
    "community_patrol": 10,
    "publicity": 10,
    "resident_service": 10,
}
APPRAISAL_START = {
    "officer_id": 1,
    "officer_name": "王五",
    "village_code": "371002001",
    "village_name": "东村",
    "town": "zhangcun",
    "month": "2026-11",
    "due_at": SCORING_DUE_AT.astimezone(CHINA).isoformat(),
    "subject": "2026年11月 王五 月度考核",
}

CONTRACT_ENDS_AT = (datetime.now(UTC) + timedelta(days=60)).replace(microsecond=0)
RENEWAL_START = {
    "officer_id": 1,
    "officer_name": "王五",
    "village_code": "371002001",
    "village_name": "东村",
    "town": "zhangcun",
    "contract_number": "HT-2026-001",
    "contract_start": "2026-05-01",
    "contract_end": "2029-04-30",
    "contract_ends_at": CONTRACT_ENDS_AT.astimezone(CHINA).isoformat(),
    "next_contract_start": "2029-05-01",
    "subject": "王五（东村）合同 HT-2026-001 续签",
}

REWARD_START = {
    "officer_id": 1,
    "officer_name": "王五",
    "village_code": "371002001",
    "village_name": "东村",
    "town": "zhangcun",
    "month": "2026-11",
    "proposal": "commend",
    "proposal_reason": "连续三个月优秀",
    "proposed_by": "bureau",
    "proposed_at": "2026-12-01T10:00:00+08:00",
    "appraisal_instance_id": 1,
    "subject": "王五（东村）2026-11",
}
PERIOD_VETOED = {
    "vetoed": True,
    "months": ["2026-10"],
    "period_months": 3,
    "from_month": "2026-09",
    "to_month": "2026-11",
}

# Form submissions by form file; a list is used in order, its last item repeated.
SUBMISSIONS: dict[str, Any] = {
    "staffing_plan_draft.json": [
        {"plan_title": "2026年农村辅警用人计划", "monthly_salary": 3500},
        {"plan_title": "2026年农村辅警用人计划（修订）", "monthly_salary": 3600, "remarks": "按退回意见修改"},
    ],
    "plan_review.json": [{"decision": "return", "reason": "薪酬标准需调整"}, {"decision": "approve"}],
    "funding_confirmation.json": [{"decision": "return", "reason": "经费需明确"}, {"decision": "approve"}],
    "announcement.json": {
        "registration_start": "2026-03-01",
        "registration_end": "2026-03-15",
        "announcement": "招聘公告正文",
    },
    "exam_scores.json": {
        "scores": [{"application_id": 1, "score": 88.5}, {"application_id": 2, "score": 92}],
    },
    "vetting.json": [
        {"findings": ["bad_credit"], "notes": "有较为严重的不良信用记录"},
        {"findings": [], "notes": "未发现不得聘用情形"},
    ],
    "labour_contract.json": {
        "contract_number": "HT-2026-001",
        "contract_start": "2026-05-01",
        "contract_end": "2029-04-30",
    },
    "station_score.json": {"station_items": STATION_ITEMS, "comment": "表现良好"},
    "town_score.json": {"town_items": TOWN_ITEMS, "village_committee_opinion": "satisfied"},
    "escalation.json": {"action_taken": "已电话督办", "new_due_date": "2026-12-05"},
    "veto.json": {"veto": False},
    "grade_confirmation.json": {"grade": "excellent", "promotion_level": "promote", "reward": True},
    "dismissal_review.json": {"decision": "warn", "reason": "给予警告"},
    "reward_proposal.json": {"proposal": "commend", "reason": "连续三个月优秀"},
    "renewal_decision.json": {"renew": True},
    "renewal_company_opinion.json": {
        "officer_intention": "willing",
        "company_recommends": True,
        "company_remarks": "本人愿意续签",
    },
    "renewal_overdue.json": {"action_taken": "已督促分局负责人决定"},
    "reward_town_opinion.json": {"town_veto": False, "town_remarks": "同意提请"},
    "reward_decision.json": {"approve": True, "reward_kind": "commend", "decision_reason": "连续三个月优秀"},
    "contract_renewal.json": {
        "new_contract_number": "HT-2029-001",
        "new_contract_start": "2029-05-01",
        "new_contract_end": "2032-04-30",
    },
}


@dataclass(frozen=True)
class Scenario:
    """How to drive one process, and what the run must have done (None: not checked)."""

    name: str
    start_data: dict[str, Any] = field(default_factory=dict)
    operator_results: dict[str, Any] = field(default_factory=dict)
    operators: list[str] | None = None
    user_tasks: list[str] | None = None
    timers: list[str] | None = None
    final_data: dict[str, Any] = field(default_factory=dict)
    submissions: dict[str, Any] = field(default_factory=dict)
    # Fire timers as soon as they are pending (overdue tasks), not only when nothing else is ready.
    timers_first: bool = False
    # Results of business rule tasks, by task spec, as recorded in the engine's steps.
    decisions: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Parallel branches: the order in which their user tasks become ready is the library's, not the model's.
    unordered: bool = False


SCENARIOS: dict[str, list[Scenario]] = {
    "recruitment": [
        Scenario(
            name="returned_twice_then_approved",
            start_data={"campaign_key": "2026-recruitment"},
            operators=[
                "compute_posts",
                "adjust_plan",  # after each of the three drafts
                "adjust_plan",
                "adjust_plan",
                "approve_plan",
                "open_registration",
                "close_registration",
                "rank_candidates",
                "start_post_hiring",
            ],
            user_tasks=[
                "draft_plan",
                "review_plan",
                "draft_plan",
                "review_plan",
                "confirm_funding",
                "draft_plan",
                "review_plan",
                "confirm_funding",
                "publish_announcement",
                "enter_exam_scores",
            ],
            timers=["registration_closed"],
            final_data={"decision": "approve", "hiring": OPERATOR_RESULTS["start_post_hiring"]},
        ),
    ],
    "applicant_screening": [
        Scenario(
            name="eligible",
            start_data=ELIGIBLE,
            operators=["record_screening"],
            user_tasks=[],
            timers=[],
            final_data={"screening_record": OPERATOR_RESULTS["record_screening"]},
        ),
        Scenario(
            name="ineligible",
            start_data={**ELIGIBLE, "age": 35, "disqualifiers": ["bad_credit"]},
            operators=["record_screening"],
            user_tasks=[],
            timers=[],
            final_data={"reason_code": ["age_over_30_not_relaxed", "bad_credit"]},
            decisions={"screen_eligibility": {"reason_code": ["age_over_30_not_relaxed", "bad_credit"]}},
        ),
    ],
    "post_hiring": [
        Scenario(
            name="hired_after_one_rejection",
            start_data={"campaign_key": "2026-recruitment", "village_code": "371002001", "slot": 1},
            operators=[
                "next_candidate",
                "reject_candidate",
                "next_candidate",
                "start_public_notice",
                "record_officer",
            ],
            user_tasks=["vet_candidate", "vet_candidate", "sign_contract"],
            timers=["notice_period"],
            final_data={"candidate": OPERATOR_RESULTS["next_candidate"][1], "findings": []},
        ),
        Scenario(
            name="vacant",
            start_data={"campaign_key": "2026-recruitment", "village_code": "371002001", "slot": 2},
            operator_results={"next_candidate": {"found": False}},
            operators=["next_candidate", "report_vacancy"],
            user_tasks=[],
            timers=[],
            final_data={"vacancy": OPERATOR_RESULTS["report_vacancy"]},
        ),
    ],
    "contract_renewal": [
        Scenario(
            name="renewed",
            start_data=RENEWAL_START,
            operators=["record_renewal"],
            user_tasks=["company_opinion", "decide_renewal", "sign_renewal"],
            timers=[],
            submissions={"renewal_decision.json": {"renew": True}},
            final_data={"renewal": OPERATOR_RESULTS["record_renewal"]},
        ),
        Scenario(
            # The contract's end passes with no opinion and no decision: the heads follow each up, the tasks
            # stay open.
            name="no_opinion_or_decision_by_the_contract_end_is_escalated",
            start_data=RENEWAL_START,
            operators=["record_renewal"],
            timers_first=True,
            unordered=True,
            user_tasks=[
                "company_opinion",
                "renewal_overdue",
                "decide_renewal",
                "renewal_overdue",
                "sign_renewal",
            ],
            timers=["opinion_lapsed", "decision_lapsed"],
            submissions={"renewal_decision.json": {"renew": True}},
            final_data={"renewal": OPERATOR_RESULTS["record_renewal"]},
        ),
        Scenario(
            name="not_renewed_ends_at_the_contract_end",
            start_data=RENEWAL_START,
            operators=["end_contract"],
            user_tasks=["company_opinion", "decide_renewal"],
            timers=["contract_expiry"],
            submissions={"renewal_decision.json": {"renew": False, "decision_reason": "考核不称职"}},
            final_data={"contract_ending": OPERATOR_RESULTS["end_contract"]},
        ),
    ],
    "reward_decision": [
        Scenario(
            name="town_agrees_bureau_grants",
            start_data=REWARD_START,
            operators=["find_period_vetoes", "record_reward"],
            user_tasks=["town_opinion", "decide_reward"],
            timers=[],
            final_data={"approve": True, "reward_record": OPERATOR_RESULTS["record_reward"]},
        ),
        Scenario(
            name="town_vetoes",
            start_data=REWARD_START,
            operators=["find_period_vetoes", "record_reward"],
            user_tasks=["town_opinion"],
            timers=[],
            submissions={"reward_town_opinion.json": {"town_veto": True, "town_veto_reason": "本月群众投诉"}},
            final_data={"town_veto": True},
        ),
        Scenario(
            name="vetoed_in_the_period_refused_without_tasks",
            start_data=REWARD_START,
            operator_results={"find_period_vetoes": PERIOD_VETOED},
            operators=["find_period_vetoes", "record_reward"],
            user_tasks=[],
            timers=[],
            final_data={"period_vetoes": PERIOD_VETOED},
        ),
    ],
    "appraisal": [
        Scenario(
            name="on_time_excellent_reward_proposal",
            start_data=APPRAISAL_START,
            operators=["record_veto", "record_appraisal", "start_reward_decision"],
            user_tasks=["station_score", "town_score", "veto_decision", "confirm_grade", "reward_proposal"],
            unordered=True,
            timers=[],
            final_data={
                "station_total": 100,
                "town_total": 100,
                "suggested_grade": "excellent",
                "combined_score": 100.0,
                "promotion_allowed": True,
                "action": ["reward_proposal", "recorded"],
                "reward_decision": OPERATOR_RESULTS["start_reward_decision"],
            },
            decisions={"consequences": {"action": ["reward_proposal", "recorded"]}},
        ),
        Scenario(
            name="overdue_vetoed_dismissal_review",
            start_data=APPRAISAL_START,
            operator_results={"record_appraisal": {"incompetent_last_12": 2, "excellent_streak": 0}},
            submissions={
                "veto.json": {"veto": True, "veto_reason": "发生严重违纪行为"},
                "grade_confirmation.json": {
                    "grade": "incompetent",
                    "promotion_level": "demote",
                    "reward": False,
                },
            },
            timers_first=True,
            unordered=True,
            operators=["record_veto", "record_appraisal"],
            user_tasks=[
                "station_score",
                "station_escalation",
                "town_score",
                "town_escalation",
                "veto_decision",
                "confirm_grade",
                "dismissal_review",
            ],
            timers=["station_overdue", "town_overdue"],
            # ``action`` is checked on the decision step: see test_final_data_after_late_escalation.
            final_data={"veto": True, "promotion_allowed": False, "reward_allowed": False},
            decisions={
                "consequences": {"action": ["dismissal_review", "recorded"]},
                "suggest_grade": {
                    "suggested_grade": "excellent",
                    "combined_score": 100.0,
                    "promotion_allowed": False,
                    "reward_allowed": False,
                },
            },
        ),
    ],
}

# The scenarios of bpmn/welfare/ (issue 17, points 4-5), bpmn/dismissal/ (point 1), bpmn/training/ (point 6)
# and bpmn/payroll/ (point 8) are kept in their own modules.
for _module in (
    welfare_scenarios,
    dismissal_scenarios,
    training_scenarios,
    payroll_scenarios,
    field_report_scenarios,
):
    OPERATOR_RESULTS.update(_module.OPERATOR_RESULTS)
    SUBMISSIONS.update(_module.SUBMISSIONS)
    SCENARIOS.update({pid: [Scenario(**run) for run in runs] for pid, runs in _module.SCENARIOS.items()})


@cache
def load_specs(folder: str) -> ProcessSpecs:
    """Read, attach forms to and parse one bundle folder, as the service deploys it."""
    files = attach_forms(read_bundle(BPMN_DIR / folder), FORMS_DIR)
    return parse_bundle(files)


def bundle_folders() -> list[str]:
    return sorted(path.name for path in BPMN_DIR.iterdir() if path.is_dir())


def cases() -> Iterator[Any]:
    for folder in bundle_folders():
        try:
            process_ids = load_specs(folder).process_ids
        except Exception:  # reported by test_bundle_parses_with_its_forms; keep collection alive
            process_ids = []
        for process_id in process_ids:
            for scenario in SCENARIOS.get(process_id, [Scenario(name="default")]):
                yield pytest.param(folder, process_id, scenario, id=f"{folder}-{process_id}-{scenario.name}")


class CannedOperators:
    """An operator handler answering from canned results, recording the calls."""

    def __init__(self, overrides: dict[str, Any]) -> None:
        self.results = {**OPERATOR_RESULTS, **overrides}
        self.calls: list[OperatorCall] = []
        self.counts: dict[str, int] = {}

    def __call__(self, call: OperatorCall) -> Any:
        self.calls.append(call)
        if call.name not in self.results:
            raise LookupError(f"no canned result for operator {call.name!r}")
        return _nth(self.results[call.name], self.counts, call.name)


def _nth(value: Any, counts: dict[str, int], key: str) -> Any:
    index = counts.get(key, 0)
    counts[key] = index + 1
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return value[min(index, len(value) - 1)]
    return value


def _keys(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _keys(item)


def _snapshot(engine: WorkflowEngine, workflow: BpmnWorkflow) -> tuple[Any, ...]:
    ready = sorted((task.task_id, task.info.spec_name) for task in engine.ready_user_tasks(workflow))
    timers = sorted((t.task_id, t.spec_name, t.due_at) for t in engine.pending_timers(workflow))
    return ready, timers, engine.is_completed(workflow)


def save_and_reload(
    engine: WorkflowEngine, specs: ProcessSpecs, process_id: str, workflow: BpmnWorkflow
) -> BpmnWorkflow:
    """Dump, store as JSON text, load; check the reloaded instance is the same; return it."""
    state = engine.dump(workflow)
    assert SPEC_KEYS.isdisjoint(_keys(state)), "the spec must not be saved with each instance"
    text = json.dumps(state, ensure_ascii=False)  # no default=: the state must be plain JSON
    reloaded = engine.load(specs, process_id, json.loads(text))
    again = json.loads(json.dumps(engine.dump(reloaded), ensure_ascii=False))
    assert again == json.loads(text)
    assert _snapshot(engine, reloaded) == _snapshot(engine, workflow)
    return reloaded


def drive(specs: ProcessSpecs, process_id: str, scenario: Scenario) -> tuple[Any, ...]:
    """Run ``process_id`` to its end; return the engine, handler, final workflow, tasks and timers done."""
    handler = CannedOperators(scenario.operator_results)
    engine = WorkflowEngine(handler)
    workflow = engine.start(specs, process_id, dict(scenario.start_data))
    workflow = save_and_reload(engine, specs, process_id, workflow)
    submissions = {**SUBMISSIONS, **scenario.submissions}
    submitted: dict[str, int] = {}
    user_tasks: list[str] = []
    timers: list[str] = []
    for _ in range(MAX_ACTIONS):
        if engine.is_completed(workflow):
            break
        ready = engine.ready_user_tasks(workflow)
        pending = engine.pending_timers(workflow)
        if ready and not (pending and scenario.timers_first):
            task = ready[0]
            assert task.info.lane, f"{task.info.spec_name} has no lane"
            assert task.info.form in specs.forms, f"{task.info.spec_name}: {task.info.form} not in bundle"
            assert task.info.form in submissions, f"no canned submission for form {task.info.form}"
            submission = _nth(submissions[task.info.form], submitted, task.info.form)
            assert validate_submission(specs.forms[task.info.form], submission) == []
            engine.complete_user_task(workflow, task.task_id, submission)
            user_tasks.append(task.info.spec_name)
        elif pending:
            assert all(timer.due_at.tzinfo is not None for timer in pending)
            now = max(timer.due_at for timer in pending) + timedelta(seconds=1)
            fired = engine.fire_due_timers(workflow, now)
            assert sorted(t.task_id for t in fired) == sorted(t.task_id for t in pending)
            timers.extend(timer.spec_name for timer in fired)
        else:
            pytest.fail(f"{process_id} waits for neither a person nor a timer and has not ended")
        workflow = save_and_reload(engine, specs, process_id, workflow)
    assert engine.is_completed(workflow), f"{process_id} did not end within {MAX_ACTIONS} actions"
    return engine, handler, workflow, user_tasks, timers


def test_bundles_are_found_and_every_process_has_a_scenario() -> None:
    folders = bundle_folders()
    assert "recruitment" in folders
    ids = {process_id for folder in folders for process_id in load_specs(folder).process_ids}
    assert {"recruitment", "applicant_screening", "post_hiring"} <= ids
    # A new process must get a scenario here, with expectations, rather than only the generic default run.
    assert ids <= set(SCENARIOS), f"processes without a scenario: {sorted(ids - set(SCENARIOS))}"


@pytest.mark.parametrize("folder", bundle_folders())
def test_bundle_parses_with_its_forms(folder: str) -> None:
    specs = load_specs(folder)
    assert specs.process_ids
    bpmn_texts = [text for name, text in specs.files.items() if name.endswith(".bpmn")]
    referenced = {name for name in specs.forms if any(f'value="{name}"' in text for text in bpmn_texts)}
    assert referenced == set(specs.forms), "every attached form is referenced and every form is attached"
    for name, schema in specs.forms.items():
        assert schema.get("type") == "object", name


@pytest.mark.parametrize(("folder", "process_id", "scenario"), list(cases()))
def test_process_runs_to_completion_surviving_save_and_load(
    folder: str, process_id: str, scenario: Scenario
) -> None:
    specs = load_specs(folder)
    engine, handler, workflow, user_tasks, timers = drive(specs, process_id, scenario)
    if scenario.operators is not None:
        assert [call.name for call in handler.calls] == scenario.operators
    if scenario.user_tasks is not None and scenario.unordered:
        assert sorted(user_tasks) == sorted(scenario.user_tasks)
    elif scenario.user_tasks is not None:
        assert user_tasks == scenario.user_tasks
    if scenario.timers is not None:
        assert timers == scenario.timers
    data = engine.data(workflow)
    for key, expected in scenario.final_data.items():
        assert data.get(key) == expected, key
    timer_steps = [step.spec_name for step in engine.steps if step.kind == "timer"]
    assert timer_steps == timers
    decided = {step.spec_name: step.detail["result"] for step in engine.steps if step.kind == "decision"}
    for spec_name, expected_result in scenario.decisions.items():
        assert spec_name in decided, f"decision {spec_name} did not run"
        for key, value in expected_result.items():
            assert decided[spec_name].get(key) == value, (spec_name, key)


def test_timers_wait_for_the_service_clock() -> None:
    """The registration timer is pending until the clock passes closes_at, including after a reload."""
    specs = load_specs("recruitment")
    scenario = SCENARIOS["recruitment"][0]
    engine = WorkflowEngine(CannedOperators({}))
    workflow = engine.start(specs, "recruitment", dict(scenario.start_data))
    submitted: dict[str, int] = {}
    for _ in range(MAX_ACTIONS):
        ready = engine.ready_user_tasks(workflow)
        if not ready:
            break
        form = ready[0].info.form
        assert form is not None
        engine.complete_user_task(workflow, ready[0].task_id, _nth(SUBMISSIONS[form], submitted, form))
    workflow = save_and_reload(engine, specs, "recruitment", workflow)
    [timer] = engine.pending_timers(workflow)
    assert timer.spec_name == "registration_closed"
    assert timer.due_at == REGISTRATION_CLOSES_AT
    assert engine.fire_due_timers(workflow, REGISTRATION_CLOSES_AT - timedelta(seconds=1)) == []
    workflow = save_and_reload(engine, specs, "recruitment", workflow)
    assert [t.task_id for t in engine.pending_timers(workflow)] == [timer.task_id]
    assert engine.fire_due_timers(workflow, REGISTRATION_CLOSES_AT) == [timer]
    assert [task.info.spec_name for task in engine.ready_user_tasks(workflow)] == ["enter_exam_scores"]


def test_final_data_after_late_escalation_keeps_the_consequences() -> None:
    specs = load_specs("appraisal")
    scenario = SCENARIOS["appraisal"][1]
    engine = WorkflowEngine(CannedOperators(scenario.operator_results))
    workflow = engine.start(specs, "appraisal", dict(scenario.start_data))
    fired = engine.fire_due_timers(workflow, SCORING_DUE_AT + timedelta(minutes=1))
    assert sorted(timer.spec_name for timer in fired) == ["station_overdue", "town_overdue"]
    submissions = {**SUBMISSIONS, **scenario.submissions}
    escalations: list[str] = []
    for _ in range(MAX_ACTIONS):
        ready = [t for t in engine.ready_user_tasks(workflow) if t.task_id not in escalations]
        if not ready:
            break
        task = ready[0]
        if task.info.spec_name.endswith("_escalation"):
            escalations.append(task.task_id)
            continue
        assert task.info.form is not None
        engine.complete_user_task(workflow, task.task_id, submissions[task.info.form])
    # The main path has ended; the two escalations are still open and end last.
    assert len(escalations) == 2
    for task_id in escalations:
        engine.complete_user_task(workflow, task_id, submissions["escalation.json"])
    assert engine.is_completed(workflow)
    assert engine.data(workflow)["action"] == ["dismissal_review", "recorded"]
