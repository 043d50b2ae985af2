"""The year generator (bench/year_generator.py, issue 16) at a tiny scale on PostgreSQL: the rows it copies
for an officer equal the rows the use cases write for that officer, and the audit chain it seals verifies.

PostgreSQL only: the generator writes with COPY. SQLite is not covered (it has no COPY, and the benchmark
it feeds runs on PostgreSQL).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from bench.year_generator import create_service, generate
from bench.year_plan import plan
from bench.year_rows import Officer, Rewriter, compare
from bench.year_templates import Outcome, drive_month, template_service
from service import audit
from service.persistence.models import AppraisalRecordModel, AuditEventModel, InstanceModel, OfficerModel
from tests.conftest import postgres_schema_url

pytestmark = pytest.mark.postgres


@pytest.fixture
def schema_url(postgres_problem: str | None) -> Iterator[str]:
    yield from postgres_schema_url(postgres_problem)


def test_a_copied_appraisal_equals_a_real_one_and_a_changed_copy_does_not() -> None:
    outcomes = [Outcome("excellent", streak=3), Outcome("incompetent", veto=True, incompetent=2)]
    with template_service() as (ctx, clock):
        driven = drive_month(ctx, clock, "2026-10", outcomes, twins=True)
    templates, twins = driven[:2], driven[2:]
    for template, twin in zip(templates, twins, strict=True):
        who = Officer(
            twin.officer_id,
            twin.name,
            twin.place["village"],
            twin.place["village_zh"],
            twin.place["town"],
            twin.place["town_zh"],
        )
        copied = Rewriter(template).rows(who, twin.instance_id)
        assert compare(twin.rows, copied) == []
        # The check can fail: the other outcome's rows, or one changed value, differ.
        assert compare(
            twin.rows, Rewriter(templates[1 - templates.index(template)]).rows(who, twin.instance_id)
        )
        copied["appraisal_records"][0]["grade"] = "competent"
        assert any("grade" in problem for problem in compare(twin.rows, copied))
    # Reward proposal after a third excellent month; dismissal review after a second incompetent one.
    assert {t["spec_name"] for t in templates[0].rows["human_tasks"]} >= {"reward_proposal"}
    assert {t["spec_name"] for t in templates[1].rows["human_tasks"]} >= {"dismissal_review"}


def test_a_tiny_year_is_complete_and_its_chain_verifies(schema_url: str) -> None:
    result = generate(schema_url, officers=8, months=1)
    assert result.checked > 0  # the last month's kinds were each checked against a twin
    _app, ctx = create_service(schema_url)
    try:
        with ctx.database.reading() as session:
            ids = list(
                session.scalars(
                    select(OfficerModel.id)
                    .where(OfficerModel.contract_number.like("Y-%"))
                    .order_by(OfficerModel.id)
                )
            )
            assert len(ids) == 8
            appraisals = session.scalar(
                select(func.count()).select_from(InstanceModel).where(InstanceModel.process_id == "appraisal")
            )
            assert appraisals == 8
            grades = Counter(
                session.execute(select(AppraisalRecordModel.month, AppraisalRecordModel.grade)).all()
            )
            planned = plan(ids, 1)
            expected = Counter(
                (month, outcome.grade)
                for month, row in zip(result.months, planned, strict=True)
                for outcome in row
            )
            assert grades == expected
            checked, problems = audit.verify(session, ctx.settings.audit_key)
            assert problems == []
            assert checked == session.scalar(select(func.count()).select_from(AuditEventModel))
    finally:
        ctx.database.dispose()
