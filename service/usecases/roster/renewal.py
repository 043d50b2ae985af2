"""Contract renewal: raised ahead of each contract's end, the service company's opinion, the sub-bureau's
decision, signed by the company.

The scheduler starts one ``contract_renewal`` instance (bpmn/contracts/) per officer in service and
contract end, ``Settings.contract_renewal_days`` (60 by default) before the end; the claim row
(officer, contract end) makes that idempotent across rounds and workers. A renewal signed moves the
officer's contract on, the replaced one kept in ``officer_contracts`` (the next end raises the next
renewal); a contract not renewed ends at the end of its last day, and the post is free for the next
campaign. The time limits and the renewed term are the model's (dueInDays, the operator's parameters).
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, select, update

from service import audit
from service.context import ServiceContext
from service.persistence.models import (
    ContractRenewalStartModel,
    DefinitionModel,
    HumanTaskModel,
    OfficerModel,
    VillageModel,
)
from service.persistence.rows import insert_for
from service.usecases.errors import OperatorFailedError, ServiceError
from service.usecases.incidents import incidents_recorded
from service.usecases.officer_labels import IN_SERVICE
from service.usecases.roster.contracts import keep_replaced_contract, term_bounds
from service.usecases.roster.status import leave_service, snapshot
from service.usecases.runner import InstanceRunner, operator
from workflows.ports import CHINA
from workflows.scripting import OperatorCall

log = logging.getLogger(__name__)
PROCESS_ID = "contract_renewal"
CONTRACT_FIELDS = ("contract_number", "contract_start", "contract_end")
NOT_RENEWED = "合同期满，公安分局决定不续签"


def end_of_day(day: date) -> datetime:
    """The end of ``day`` in China time (00:00 of the next day)."""
    return datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=CHINA)


def start_data(officer: OfficerModel, village: VillageModel) -> dict[str, Any]:
    return {
        "officer_id": officer.id,
        "officer_name": officer.name,
        "village_code": village.code,
        "village_name": village.name_zh,
        "town": officer.town,
        "contract_number": officer.contract_number,
        "contract_start": officer.contract_start.isoformat(),
        "contract_end": officer.contract_end.isoformat(),
        "contract_ends_at": end_of_day(officer.contract_end).isoformat(),
        "next_contract_start": (officer.contract_end + timedelta(days=1)).isoformat(),
        # No words in the subject: an English queue reads the name and the village (translated) as they are.
        "subject": f"{officer.name}（{village.name_zh}）{officer.contract_number}",
    }


def due_renewals(ctx: ServiceContext) -> list[tuple[int, date]]:
    """(officer, contract end) of the officers in service whose contract ends within the notice and whose
    renewal has not been raised yet."""
    today = ctx.clock.now().astimezone(CHINA).date()
    horizon = today + timedelta(days=ctx.settings.contract_renewal_days)
    claimed = select(ContractRenewalStartModel.officer_id).where(
        and_(
            ContractRenewalStartModel.officer_id == OfficerModel.id,
            ContractRenewalStartModel.contract_end == OfficerModel.contract_end,
        )
    )
    with ctx.database.reading() as session:
        rows = session.execute(
            select(OfficerModel.id, OfficerModel.contract_end)
            .where(
                OfficerModel.status == IN_SERVICE,
                OfficerModel.contract_end <= horizon,
                ~claimed.exists(),
            )
            .order_by(OfficerModel.contract_end, OfficerModel.id)
        ).all()
    return [(officer_id, end) for officer_id, end in rows]


def start_renewal(ctx: ServiceContext, officer_id: int, contract_end: date, actor: str) -> int | None:
    """Claim and start the renewal of one contract; None when it was claimed already or has changed."""
    now = ctx.clock.now()
    with incidents_recorded(ctx), ctx.database.transaction() as session:
        officer = session.get(OfficerModel, officer_id)
        if officer is None or officer.status != IN_SERVICE or officer.contract_end != contract_end:
            return None
        claimed = session.scalar(
            insert_for(session, ContractRenewalStartModel)
            .values(officer_id=officer_id, contract_end=contract_end, started_at=now)
            .on_conflict_do_nothing()
            .returning(ContractRenewalStartModel.officer_id)
        )
        if claimed is None:
            return None
        village = session.get(VillageModel, officer.village_code)
        assert village is not None  # noqa: S101 - the foreign key guarantees it
        data = start_data(officer, village)
        key = f"{officer.id}/{contract_end.isoformat()}"
        instance = InstanceRunner(ctx, session, actor).start(
            PROCESS_ID, data, key, use_case="start_contract_renewal"
        )
        session.execute(
            update(ContractRenewalStartModel)
            .where(
                ContractRenewalStartModel.officer_id == officer_id,
                ContractRenewalStartModel.contract_end == contract_end,
            )
            .values(instance_id=instance.id)
        )
        return instance.id


def _deployed(ctx: ServiceContext) -> bool:
    with ctx.database.reading() as session:
        found = session.scalar(
            select(DefinitionModel.id)
            .where(DefinitionModel.process_id == PROCESS_ID, DefinitionModel.retired_at.is_(None))
            .limit(1)
        )
    return found is not None


def start_due_renewals(ctx: ServiceContext, actor: str = "scheduler") -> int:
    """Raise every renewal now due (scheduler round); return how many started."""
    due = due_renewals(ctx)
    if not due:
        return 0
    if not _deployed(ctx):
        # A service upgraded without deploying bpmn/contracts: say so, once a round, not once an officer.
        log.error("%d contract renewal(s) due, but the %s process is not deployed", len(due), PROCESS_ID)
        return 0
    started = 0
    for officer_id, contract_end in due:
        try:
            if start_renewal(ctx, officer_id, contract_end, actor) is not None:
                started += 1
        except ServiceError as error:
            # The model not deployed, an engine error: the claim rolled back with it, the next round retries.
            log.error("renewal of officer %s could not start: %s", officer_id, error.message)
    return started


def _officer_for_update(runner: InstanceRunner, call: OperatorCall) -> OfficerModel:
    officer = runner.session.scalars(
        select(OfficerModel).where(OfficerModel.id == call.data["officer_id"]).with_for_update()
    ).first()
    if officer is None:
        raise OperatorFailedError(
            "辅警 {officer_id} 不存在", english="No officer {officer_id}", officer_id=call.data["officer_id"]
        )
    return officer


@operator("record_renewal")
def record_renewal(runner: InstanceRunner, call: OperatorCall) -> dict[str, Any]:
    """Put the renewed contract on the officer's record (the company's form: number and term)."""
    officer = _officer_for_update(runner, call)
    if officer.status != IN_SERVICE:
        # Left while the renewal was under way (the panels beside both tasks show it): nothing to renew, and
        # the process ends rather than leave the company a task it can never complete.
        return {"renewed": False, "status": officer.status}
    number = str(call.data["new_contract_number"]).strip()
    start = date.fromisoformat(str(call.data["new_contract_start"]))
    end = date.fromisoformat(str(call.data["new_contract_end"]))
    check_new_contract(officer, number, start, end, _term_months(call))
    before = snapshot(officer, CONTRACT_FIELDS)
    assert runner.instance is not None  # noqa: S101 - operators run inside an instance
    keep_replaced_contract(runner.session, officer, runner.instance.id, runner.ctx.clock.now(), runner.actor)
    officer.contract_number, officer.contract_start, officer.contract_end = number, start, end
    after = snapshot(officer, CONTRACT_FIELDS)
    _record(runner, "contract_renewed", officer, before, after)
    return {"renewed": True, **after}


def _term_months(call: OperatorCall) -> tuple[int, int]:
    """The renewed term's bounds in months (the model's ``min_term_months``, ``max_term_months``)."""
    try:
        shortest = int(call.params.get("min_term_months") or 0)
        longest = int(call.params.get("max_term_months") or 0)
    except (TypeError, ValueError):
        shortest = longest = 0
    if shortest < 1 or longest < shortest:
        raise OperatorFailedError(
            "续签合同期限参数有误：min_term_months {shortest}、max_term_months {longest}"
            " 应为正整数且前者不大于后者",
            english="The renewal's term parameters are wrong: min_term_months {shortest} and max_term_months"
            " {longest} must be positive, the first not above the second",
            shortest=call.params.get("min_term_months"),
            longest=call.params.get("max_term_months"),
        )
    return shortest, longest


def check_new_contract(
    officer: OfficerModel, number: str, start: date, end: date, term_months: tuple[int, int]
) -> None:
    """Refuse a renewed contract that leaves a gap or overlaps the old one, has a term outside the model's
    bounds, or keeps the old number; the company reads what to correct."""
    next_day = officer.contract_end + timedelta(days=1)
    if start != next_day:
        raise OperatorFailedError(
            "新合同应自现合同期满次日 {day} 起算，不能为 {start}（不得间断或重叠）",
            english="The new contract must start on {day}, the day after the current one ends, not on {start}"
            " (no gap, no overlap)",
            day=next_day.isoformat(),
            start=start.isoformat(),
        )
    if end <= start:
        raise OperatorFailedError(
            "新合同结束日期必须晚于开始日期", english="The new contract must end after it starts"
        )
    earliest, latest = term_bounds(start, *term_months)
    if not earliest <= end <= latest:
        raise OperatorFailedError(
            "续签合同期限应为 {shortest} 至 {longest} 个月，即结束日期在 {earliest} 至 {latest} 之间，"
            "不能为 {end}",
            english="The renewed term must be {shortest} to {longest} months, ending between {earliest} and"
            " {latest}, not on {end}",
            shortest=term_months[0],
            longest=term_months[1],
            earliest=earliest.isoformat(),
            latest=latest.isoformat(),
            end=end.isoformat(),
        )
    if number == officer.contract_number:
        raise OperatorFailedError(
            "续签合同应有新的合同编号（现合同编号 {number}）",
            english="The renewed contract needs a new number (the current one is {number})",
            number=number,
        )


@operator("end_contract")
def end_contract(runner: InstanceRunner, call: OperatorCall) -> dict[str, Any]:
    """The contract not renewed has run out: the officer leaves service on its last day."""
    officer = _officer_for_update(runner, call)
    ending = date.fromisoformat(str(call.data["contract_end"]))
    if officer.status != IN_SERVICE or officer.contract_end != ending:
        # Left already (resigned, dismissed) or under another contract since: nothing to end here.
        return {
            "ended": False,
            "status": officer.status,
            "left_on": officer.left_on.isoformat() if officer.left_on else None,
        }
    before = snapshot(officer)
    reason = str(call.data.get("decision_reason") or "").strip() or NOT_RENEWED
    last_day = max(ending, _decided_on(runner))
    leave_service(officer, "contract_ended", last_day, reason)
    _record(runner, "officer_status_changed", officer, before, snapshot(officer))
    return {"ended": True, "status": officer.status, "left_on": last_day.isoformat()}


def _decided_on(runner: InstanceRunner) -> date:
    """The Beijing day the sub-bureau decided not to renew. A decision taken after the contract's end (the
    officer kept working meanwhile, escalated as renewal_overdue) ends service on that day, not back on the
    contract's end date."""
    assert runner.instance is not None  # noqa: S101 - operators run inside an instance
    decided_at = runner.session.scalar(
        select(HumanTaskModel.completed_at)
        .where(HumanTaskModel.instance_id == runner.instance.id, HumanTaskModel.spec_name == "decide_renewal")
        .order_by(HumanTaskModel.completed_at.desc())
        .limit(1)
    )
    return (decided_at or runner.ctx.clock.now()).astimezone(CHINA).date()


def _record(
    runner: InstanceRunner, action: str, officer: OfficerModel, before: dict[str, Any], after: dict[str, Any]
) -> None:
    """The audit event of an operator's change to the officer's record, naming the renewal's instance."""
    assert runner.instance is not None  # noqa: S101 - operators run inside an instance
    audit.record(
        runner.session,
        runner.ctx.clock.now(),
        runner.actor,
        action,
        instance_id=runner.instance.id,
        officer_id=officer.id,
        officer_name=officer.name,
        before=before,
        after=after,
    )
