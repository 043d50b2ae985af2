"""Issue 15, point 4 in the browser (1366x768 and 390x844, Chinese and English): the vetting clerk leaves a
comment (意见) at the vetting, uploads a labelled file, replaces it and removes it (the task needs a file
again); the findings' checkboxes are one named group; the service company is refused the contract without
the signed contract, uploads it with a label, sees it listed with its size and uploader, adds a file to
the instance as a whole (removable while it runs), signs; the instance page shows the comment with its step
and both files on record (no removing nor replacing them once the instance has ended). The
steps before are seeded through the API."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import Page, expect

from service.context import ServiceContext
from service.scheduler import run_once as fire_due_timers
from tests.api.clean_form_steps import first_candidate_failed, next_vetting
from tests.api.recruitment_steps import SMALL_PDF, complete, the_task
from tests.conftest import User
from tests.e2e.conftest import Pages, login, shot
from tests.e2e.walk_steps import switch_language
from workflows.ports import ManualClock

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
COMMENT = "已到户籍地走访，邻里反映良好，建议录用。"
CONTRACT_FILE = "劳动合同（已签字）.pdf"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40


def fill_contract(page: Page) -> None:
    page.fill("[name='contract_number']", "WH-FJ-2026-001")
    page.fill("[name='contract_start']", "2027-01-01")
    page.fill("[name='contract_end']", "2029-12-31")


def fits(page: Page, name: str) -> None:
    """At a phone's width nothing scrolls sideways; the screenshot, then back to the desktop."""
    page.set_viewport_size(PHONE)
    page.reload()
    shot(page, name)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url
    page.set_viewport_size(DESKTOP)


def test_the_contract_waits_for_the_signed_contract_and_the_comment_shows_its_step(
    pages: Pages, users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    first_candidate_failed(users, ctx, clock)
    vetting = next_vetting(users["bureau"])

    # The vetting clerk comments at the vetting, on its page.
    clerk = pages.new()
    clerk.set_viewport_size(DESKTOP)
    login(clerk, "bureau")
    clerk.goto(f"/tasks/{vetting['id']}")
    expect(clerk.locator("#required-file")).to_contain_text("考察政审材料")
    clerk.fill("#comment-text", COMMENT)
    clerk.click("#comment-submit")
    comment = clerk.locator("#comment-list li").filter(has_text=COMMENT)
    expect(comment).to_contain_text("公安分局 王警官")
    expect(comment).to_contain_text("考察政审")
    expect(comment).to_contain_text("北京时间")

    # The findings' checkboxes are one group named by the field's title (a fieldset and its legend).
    findings = clerk.get_by_role("group", name="发现的不得聘用情形")
    expect(findings).to_be_visible()
    expect(findings.get_by_role("checkbox")).to_have_count(12)

    # A labelled file, replaced by a better scan, then removed: the task needs a file again.
    first = {"name": "scan-01.pdf", "mimeType": "application/pdf", "buffer": SMALL_PDF}
    clerk.set_input_files("#attach-file", files=[first])
    clerk.fill("#attach-label", "政审材料（初稿）")
    clerk.click("#attach-submit")
    rows = clerk.locator("#attachment-list tbody tr")
    row = rows.filter(has_text="scan-01.pdf")
    expect(row.locator(".attachment-label")).to_have_text("政审材料（初稿）")
    expect(clerk.locator("#required-file-state")).to_contain_text("已上传")
    row.locator("summary").click()
    png = {"name": "scan-02.png", "mimeType": "image/png", "buffer": PNG}
    row.get_by_label("新文件").set_input_files(files=[png])
    row.get_by_label("附件说明（可选）").fill("政审材料")
    shot(clerk, "15-attach-replace-open-zh")
    row.get_by_role("button", name="替换文件").click()
    expect(clerk.locator(".flash.success")).to_contain_text("已替换附件，新文件：政审材料（scan-02.png）")
    expect(clerk.locator("#attachment-list")).not_to_contain_text("scan-01.pdf")
    row = rows.filter(has_text="scan-02.png")
    expect(row.locator(".attachment-label")).to_have_text("政审材料")
    expect(row).to_contain_text("PNG")
    shot(clerk, "15-attach-replaced-zh")
    fits(clerk, "15-attach-replaced-phone")
    row.get_by_role("button", name=re.compile("^删除")).click()
    expect(clerk.locator(".flash.success")).to_contain_text("已删除附件：政审材料（scan-02.png）")
    expect(clerk.locator("#attachment-list")).not_to_contain_text("scan-02.png")
    expect(clerk.locator("#required-file-state")).to_contain_text("尚未上传")
    shot(clerk, "15-attach-removed-zh")
    complete(
        users["bureau"], "police_bureau", "vet_candidate", {"findings": [], "notes": "未发现不得聘用情形"}
    )
    clock.advance(timedelta(days=8))
    assert fire_due_timers(ctx) >= 1
    contract = the_task(users["company"], "service_company", "sign_contract")

    # The service company tries to sign without the signed contract: refused, with the reason, in both
    # languages.
    company = pages.new()
    company.set_viewport_size(DESKTOP)
    login(company, "company")
    company.goto(f"/tasks/{contract['id']}")
    expect(company.locator("#required-file-state")).to_contain_text("尚未上传")
    fill_contract(company)
    company.click("#complete")
    expect(company.locator("#form-message")).to_contain_text("办结该任务前须上传附件：已签字的劳动合同")
    shot(company, "15-attach-refused-zh")
    switch_language(company, "en")
    fill_contract(company)
    company.click("#complete")
    expect(company.locator("#form-message")).to_contain_text("Attach the signed labour contract")
    expect(company.locator("#required-file")).to_contain_text("Not uploaded yet")
    shot(company, "15-attach-refused-en")
    switch_language(company, "zh-CN")

    # An executable named .pdf is refused by its content; the signed PDF is listed with size and uploader.
    exe = {"name": "合同.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00" + b"\x00" * 64}
    company.set_input_files("#attach-file", files=[exe])
    company.click("#attach-submit")
    expect(company.locator(".flash.error")).to_contain_text("按文件内容（而非文件名）判断")
    listed = company.locator("#attachment-list tbody tr")
    expect(listed.filter(has_text="签订劳动合同")).to_have_count(0)  # only the vetting's file so far
    expect(company.locator(".remove-attachment")).to_have_count(0)  # the clerk's file is the clerk's
    pdf = {"name": CONTRACT_FILE, "mimeType": "application/pdf", "buffer": SMALL_PDF}
    company.set_input_files("#attach-file", files=[pdf])
    company.fill("#attach-label", "签字合同扫描件")
    company.click("#attach-submit")
    row = company.locator("#attachment-list tbody tr").filter(has_text=CONTRACT_FILE)
    expect(row.locator(".attachment-label")).to_have_text("签字合同扫描件")
    expect(row.get_by_role("button", name=re.compile("^删除"))).to_be_visible()
    expect(row).to_contain_text("劳务派遣公司 赵经理")
    expect(row).to_contain_text(f"{len(SMALL_PDF)} B")
    expect(row).to_contain_text("PDF 文档")
    expect(row).to_contain_text("签订劳动合同")
    expect(company.locator("#required-file-state")).to_contain_text("已上传")
    shot(company, "15-attach-uploaded-zh")
    fits(company, "15-attach-uploaded-phone")
    with company.expect_download() as download:
        row.locator("a").click()
    assert download.value.suggested_filename == CONTRACT_FILE

    # A file on the instance as a whole, while it runs: its uploader may still remove it.
    company.goto(f"/instances/{contract['instance_id']}#attachments")
    note = {"name": "补充说明.pdf", "mimeType": "application/pdf", "buffer": SMALL_PDF}
    company.set_input_files("#attach-file", files=[note])
    company.click("#attach-submit")
    whole = company.locator("#attachment-list tbody tr").filter(has_text="补充说明.pdf")
    expect(whole).to_contain_text("流程实例（整体）")
    expect(whole.get_by_role("button", name=re.compile("^删除"))).to_be_visible()

    company.goto(f"/tasks/{contract['id']}")
    fill_contract(company)
    company.click("#complete")
    expect(company.locator(".flash").filter(has_text="任务已办结：签订劳动合同")).to_be_visible()

    # The instance page: the clerk's comment with its step, the files with theirs.
    company.goto(f"/instances/{contract['instance_id']}#comments")
    comment = company.locator("#comment-list li").filter(has_text=COMMENT)
    expect(comment).to_contain_text("公安分局 王警官")
    expect(comment).to_contain_text("考察政审")
    expect(company.locator("#attachment-list")).to_contain_text(CONTRACT_FILE)
    expect(company.locator("#attachment-list")).to_contain_text("签字合同扫描件")
    # The signing ended the instance: its task's file and the file on the whole instance are on record,
    # offered neither for removal nor replacement (the service would refuse both with 409).
    expect(company.locator("#attachment-list")).to_contain_text("补充说明.pdf")
    expect(company.locator(".remove-attachment")).to_have_count(0)
    expect(company.locator(".replace-attachment")).to_have_count(0)
    shot(company, "15-attach-instance-zh")
    fits(company, "15-attach-instance-phone")
    switch_language(company, "en")
    comment = company.locator("#comment-list li").filter(has_text=COMMENT)
    expect(comment).to_contain_text("Vet candidate")
    expect(comment).to_contain_text("Beijing time")
    expect(company.locator("#comments-title")).to_have_text("Comments")
    expect(company.locator("#attachment-list")).to_contain_text("Sign labour contract")
    shot(company, "15-attach-instance-en")
