"""Issue 15, point 4: comments (意见) and attachments on instances and tasks, through the API, on SQLite and
PostgreSQL: a file checked by its content, stored once by its hash, the hash in the audit event, the
download's headers; the contract and the vetting refused until their file is attached; who reads and who
adds follows who reads the instance."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any
from urllib.parse import quote

from flask import Flask
from sqlalchemy import func, select

from service.context import ServiceContext
from service.persistence.models import AttachmentBlobModel, AttachmentModel, AuditEventModel
from service.scheduler import run_once as fire_due_timers
from tests.api.clean_form_steps import first_candidate_failed, next_vetting
from tests.api.recruitment_steps import SMALL_PDF, attach, complete, the_task
from tests.api.test_api_errors import assert_error_shape
from tests.conftest import User
from workflows.ports import ManualClock

CONTRACT = {"contract_number": "WH-FJ-2026-001", "contract_start": "2027-01-01", "contract_end": "2029-12-31"}
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40


def contract_ready(users: dict[str, User], ctx: ServiceContext, clock: ManualClock) -> dict[str, Any]:
    """A hired candidate whose contract waits for the service company (the vetting file attached)."""
    first_candidate_failed(users, ctx, clock)
    complete(
        users["bureau"], "police_bureau", "vet_candidate", {"findings": [], "notes": "未发现不得聘用情形"}
    )
    clock.advance(timedelta(days=8))
    assert fire_due_timers(ctx) >= 1
    return the_task(users["company"], "service_company", "sign_contract")


def events(ctx: ServiceContext, action: str) -> list[AuditEventModel]:
    with ctx.database.reading() as session:
        return list(session.scalars(select(AuditEventModel).where(AuditEventModel.action == action)))


def test_the_contract_is_refused_until_the_signed_contract_is_attached(
    app: Flask, users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    company = users["company"]
    task = contract_ready(users, ctx, clock)
    url = f"/api/v1/tasks/{task['id']}/complete"
    refused = company.post(url, {"data": CONTRACT}, expect=422)
    assert_error_shape(refused, 422)
    assert "已签字的劳动合同" in refused["message"]
    assert "signed labour contract" in refused["message_en"]
    assert refused["errors"]["attachments"] == [
        "须上传：已签字的劳动合同",
        "Required: the signed labour contract",
    ]
    assert the_task(company, "service_company", "sign_contract")["state"] == "open"  # nothing changed

    # By content, not by name: an executable called .pdf, an empty file, a file past the limit.
    fake = attach(company, task["id"], EXE, "劳动合同.pdf", expect=422)
    assert_error_shape(fake, 422)
    assert "不是" in fake["message"] and "not its name" in fake["message_en"]
    assert_error_shape(attach(company, task["id"], b"", "空.pdf", expect=422), 422)
    ctx.settings.max_attachment_bytes = 1024
    large = attach(company, task["id"], SMALL_PDF + b"%" * 2000 + b"\n%%EOF\n", "大.pdf", expect=413)
    assert_error_shape(large, 413)
    assert "1 KB" in large["message"] and "1 KB" in large["message_en"]
    ctx.settings.max_attachment_bytes = 10 * 1024 * 1024
    assert company.post(url, {"data": CONTRACT}, expect=422)

    added = attach(company, task["id"], SMALL_PDF, "劳动合同（已签字）.pdf")
    assert added["kind"] == "pdf" and added["size"] == len(SMALL_PDF)
    assert added["step_zh"] == "签订劳动合同" and added["uploader_name"] == "劳务派遣公司 赵经理"
    assert added["created_at"].endswith("+08:00")
    company.post(url, {"data": CONTRACT})
    # A completed task takes no more files (its record stays as it was completed).
    assert_error_shape(attach(company, task["id"], PNG, "补充.png", expect=409), 409)

    # Stored once by its hash; each upload a row; the hash in the audit event.
    listed = company.get(f"/api/v1/instances/{task['instance_id']}/attachments")
    assert [a["step_zh"] for a in listed] == [
        "考察政审",
        "考察政审",
        "签订劳动合同",
    ]  # both candidates' vetting
    with ctx.database.reading() as session:
        assert session.scalar(select(func.count()).select_from(AttachmentModel)) == 3  # 2 vettings + 1
        assert session.scalar(select(func.count()).select_from(AttachmentBlobModel)) == 1
    recorded = [e for e in events(ctx, "attachment_added") if e.task_id == task["id"]]
    assert len(recorded) == 1 and recorded[0].payload["sha256"] == added["sha256"]
    assert recorded[0].payload["file_name"] == "劳动合同（已签字）.pdf" and recorded[0].actor == "company"

    # The download: the sniffed type, never sniffed again, the Chinese name in RFC 5987.
    response = app.test_client().get(
        f"/api/v1/attachments/{added['id']}/content", headers={"Authorization": "Bearer test-token-auditor"}
    )
    assert response.status_code == 200 and response.data == SMALL_PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename=")
    assert f"filename*=UTF-8''{quote('劳动合同（已签字）.pdf', safe='')}" in disposition


def test_vetting_is_refused_until_the_vetting_file_is_attached(
    users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    first_candidate_failed(users, ctx, clock)
    bureau = users["bureau"]
    task = next_vetting(bureau)
    url = f"/api/v1/tasks/{task['id']}/complete"
    body = {"data": {"findings": [], "notes": "未发现不得聘用情形"}}
    refused = bureau.post(url, body, expect=422)
    assert "考察政审材料" in refused["message"] and "the vetting file" in refused["message_en"]
    # The previous candidate's vetting file (an earlier pass of the loop) is no file for this one.
    assert len(bureau.get(f"/api/v1/instances/{task['instance_id']}/attachments")) == 1
    # Only the task's department attaches at it; the file is a PNG whatever its name says.
    attach(users["company"], task["id"], PNG, "x.png", expect=403)
    added = attach(bureau, task["id"], PNG, "政审材料.pdf")
    assert added["kind"] == "png" and added["content_type"] == "image/png"
    bureau.post(url, body)


def test_comments_carry_author_time_and_step_and_follow_the_instance(
    app: Flask, users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    first_candidate_failed(users, ctx, clock)
    bureau, auditor, party = users["bureau"], users["auditor"], users["party"]
    task = next_vetting(bureau)
    instance = task["instance_id"]
    made = bureau.post(
        f"/api/v1/tasks/{task['id']}/comments", {"text": "  该候选人户籍已核实。\n征信正常。 "}, 201
    )
    assert made["text"] == "该候选人户籍已核实。\n征信正常。"
    assert made["step_zh"] == "考察政审" and made["step_en"] == "Vet candidate"
    assert made["author"] == "bureau" and made["author_name"] == "公安分局 王警官"
    assert made["created_at"].endswith("+08:00")
    clock.advance(timedelta(minutes=5))
    whole = bureau.post(f"/api/v1/instances/{instance}/comments", {"text": "请尽快办理"}, 201)
    assert whole["task_id"] is None and whole["step_zh"] is None

    listed = auditor.get(f"/api/v1/instances/{instance}/comments")  # auditors read ...
    assert [c["text"] for c in listed] == [made["text"], "请尽快办理"]
    assert [c["id"] for c in bureau.get(f"/api/v1/tasks/{task['id']}/comments")] == [made["id"]]
    users["designer"].get(f"/api/v1/instances/{instance}/comments")
    assert_error_shape(auditor.post(f"/api/v1/instances/{instance}/comments", {"text": "x"}, 403), 403)
    # ... a department with no task in the hiring reads nothing of it.
    assert_error_shape(party.get(f"/api/v1/instances/{instance}/comments", expect=403), 403)
    assert_error_shape(party.post(f"/api/v1/tasks/{task['id']}/comments", {"text": "x"}, 403), 403)
    party.get(f"/api/v1/instances/{instance}/attachments", expect=403)

    for text, field in (("   ", "text"), ("长" * 2001, "text")):
        refused = bureau.post(f"/api/v1/tasks/{task['id']}/comments", {"text": text}, 422)
        assert_error_shape(refused, 422)
        assert field in refused["errors"]
    bureau.post(f"/api/v1/tasks/{task['id']}/comments", {"text": "a\u0000b"}, 422)
    bureau.post("/api/v1/tasks/no-such-task/comments", {"text": "x"}, 404)
    bureau.get("/api/v1/attachments/999999/content", expect=404)

    recorded = events(ctx, "comment_added")
    assert [(e.payload["step"], e.payload["text"]) for e in recorded] == [
        ("考察政审", made["text"]),
        (None, "请尽快办理"),
    ]


def test_an_upload_without_a_file_is_refused_not_failed(app: Flask, users: dict[str, User]) -> None:
    client = app.test_client()
    headers = {"Authorization": "Bearer test-token-bureau"}
    response = client.post("/api/v1/instances/1/attachments", data={}, headers=headers)
    assert response.status_code == 422
    assert_error_shape(response.get_json(), 422)
    response = client.post(
        "/api/v1/instances/999999/attachments",
        data={"file": (io.BytesIO(SMALL_PDF), "a.pdf")},
        headers=headers,
        content_type="multipart/form-data",
    )
    assert response.status_code == 404


def upload(
    user: User, url: str, content: bytes, name: str, label: str | None = None, expect: int = 201
) -> Any:
    """A multipart upload with an optional label, as a page's form or a client sends it."""
    data: dict[str, Any] = {"file": (io.BytesIO(content), name)}
    if label is not None:
        data["label"] = label
    response = user.client.post(url, data=data, headers=user._headers(), content_type="multipart/form-data")
    assert response.status_code == expect, (url, response.status_code, response.get_json(silent=True))
    return response.get_json()


def remove(user: User, attachment_id: int, expect: int = 200) -> Any:
    response = user.client.delete(f"/api/v1/attachments/{attachment_id}", headers=user._headers())
    assert response.status_code == expect, (attachment_id, response.status_code, response.get_json())
    return response.get_json()


def test_a_file_is_labelled_replaced_and_removed_by_its_uploader_while_its_task_is_open(
    app: Flask, users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    first_candidate_failed(users, ctx, clock)
    bureau, head, auditor = users["bureau"], users["bureau_head"], users["auditor"]
    task = next_vetting(bureau)
    at_task, listing = (
        f"/api/v1/tasks/{task['id']}/attachments",
        f"/api/v1/instances/{task['instance_id']}/attachments",
    )
    complete_url, body = f"/api/v1/tasks/{task['id']}/complete", {"data": {"findings": [], "notes": "无"}}

    too_long = upload(bureau, at_task, SMALL_PDF, "a.pdf", label="长" * 101, expect=422)
    assert_error_shape(too_long, 422)
    assert too_long["errors"]["label"] == ["最多 100 个字", "At most 100 characters"]
    first = upload(bureau, at_task, SMALL_PDF, "scan-001.pdf", label="  政审材料\n（第一版） ")
    assert first["label"] == "政审材料 （第一版）" and first["deleted_at"] is None

    # Another member of the department, a department with no task in it, an auditor: refused, said why.
    refused = remove(head, first["id"], expect=403)
    assert_error_shape(refused, 403)
    assert "只有上传人" in refused["message"] and "Only the person who uploaded" in refused["message_en"]
    assert_error_shape(
        upload(head, f"/api/v1/attachments/{first['id']}/replacement", PNG, "x.png", expect=403), 403
    )
    assert_error_shape(remove(users["party"], first["id"], expect=403), 403)
    assert_error_shape(remove(auditor, first["id"], expect=403), 403)
    assert_error_shape(remove(bureau, 999999, expect=404), 404)

    # Replaced: the new file keeps the step and (none given) the label; the old one leaves the list.
    clock.advance(timedelta(minutes=1))
    second = upload(bureau, f"/api/v1/attachments/{first['id']}/replacement", PNG, "scan-002.png")
    assert second["label"] == "政审材料 （第一版）" and second["step_zh"] == "考察政审"
    assert second["task_id"] == task["id"] and second["kind"] == "png"
    shown_now = [a for a in bureau.get(listing) if a["task_id"] == task["id"]]
    assert [a["id"] for a in shown_now] == [second["id"]]
    assert_error_shape(remove(bureau, first["id"], expect=409), 409)  # replaced already: nothing to change

    # Removed: the list and requiresAttachment forget it; the row, the bytes and the hash stay on record.
    removed = remove(bureau, second["id"])
    assert removed["deleted_by"] == "bureau" and removed["deleted_at"].endswith("+08:00")
    assert [a for a in bureau.get(listing) if a["task_id"] == task["id"]] == []
    again = bureau.post(complete_url, body, expect=422)
    assert again["errors"]["attachments"] == ["须上传：考察政审材料", "Required: the vetting file"]
    bureau.get(f"/api/v1/attachments/{second['id']}/content", expect=404)  # gone for staff ...
    kept = app.test_client().get(  # ... still there for the auditor, by its hash
        f"/api/v1/attachments/{second['id']}/content", headers={"Authorization": "Bearer test-token-auditor"}
    )
    assert kept.status_code == 200 and kept.data == PNG
    with ctx.database.reading() as session:
        rows = {row.id: row for row in session.scalars(select(AttachmentModel))}
    assert rows[first["id"]].replaced_by == second["id"] and rows[first["id"]].deleted_by == "bureau"
    assert rows[second["id"]].deleted_at is not None and rows[second["id"]].sha256 == second["sha256"]

    added = [e for e in events(ctx, "attachment_added") if e.payload["attachment_id"] == second["id"]]
    assert added[0].payload["replaces"] == first["id"]
    assert added[0].payload["replaces_sha256"] == first["sha256"]
    (replaced,) = events(ctx, "attachment_replaced")
    assert replaced.payload["attachment_id"] == first["id"] and replaced.payload["sha256"] == first["sha256"]
    assert replaced.payload["new_sha256"] == second["sha256"] and replaced.task_id == task["id"]
    (gone,) = events(ctx, "attachment_removed")
    assert gone.payload["sha256"] == second["sha256"] and gone.payload["label"] == "政审材料 （第一版）"
    assert gone.actor == "bureau" and gone.department_code == "police_bureau"

    # Once the task is completed its file is the record of it: neither removed nor replaced.
    final = upload(bureau, at_task, SMALL_PDF, "政审材料.pdf", label="政审材料")
    bureau.post(complete_url, body)
    closed = remove(bureau, final["id"], expect=409)
    assert_error_shape(closed, 409)
    assert "已办结" in closed["message"] and "completed or cancelled" in closed["message_en"]
    upload(bureau, f"/api/v1/attachments/{final['id']}/replacement", PNG, "x.png", expect=409)
    assert [a["label"] for a in auditor.get(listing) if a["task_id"] == task["id"]] == ["政审材料"]

    # A file on the instance as a whole: its uploader may remove it while the instance runs.
    whole = upload(bureau, listing, SMALL_PDF, "补充材料.pdf", label="补充材料")
    assert whole["task_id"] is None and whole["label"] == "补充材料"
    assert_error_shape(remove(head, whole["id"], expect=403), 403)
    assert remove(bureau, whole["id"])["deleted_by"] == "bureau"
    assert whole["id"] not in [a["id"] for a in bureau.get(listing)]
