"""Training and the confidentiality undertaking in the browser (issue 17, point 6), zh-CN at 1366x768: the
sub-bureau's head plans a training from the home page (another head approves it: one sign-in keeps the walk
short; the approval's page is the API test's), records the cohort's attendance and results in one table,
then registers an officer's signed undertaking from the officer's page; the officer's page shows both, the
month's start and the missing list the other officer (also on a phone: a new page). Screenshots:
17-training-*.png."""

from __future__ import annotations

from playwright.sync_api import expect

from service.context import ServiceContext
from tests.api.appraisal_steps import tasks_of
from tests.api.test_identity import new_user
from tests.api.test_training import PLAN, two_gushan_officers_and_one_in_boyu
from tests.conftest import User
from tests.e2e.conftest import Pages, login, shot
from tests.e2e.walk_steps import attach_file

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def test_a_training_is_planned_approved_and_recorded_and_an_undertaking_registered(
    pages: Pages, users: dict[str, User], ctx: ServiceContext
) -> None:
    first, second, _ = two_gushan_officers_and_one_in_boyu(ctx)
    clerk = pages.new()
    clerk.set_viewport_size(DESKTOP)
    login(clerk, "bureau_head")
    clerk.click("#tool-start-training")
    expect(clerk.locator("h1")).to_have_text("制定培训计划")
    for name in ("title", "start_date", "end_date", "place", "content"):
        clerk.fill(f"[name='{name}']", PLAN[name])
    clerk.select_option("[name='cohort_town']", "gushan")
    shot(clerk, "17-training-plan-zh")
    clerk.set_viewport_size(PHONE)  # a new page: it fits a phone
    assert clerk.evaluate("document.documentElement.scrollWidth") <= 390
    clerk.set_viewport_size(DESKTOP)
    clerk.click("#start-process")
    # The planner is taken to the plan, not to its approval, which another head gives.
    expect(clerk.locator(".flash").first).to_contain_text("已启动“辅警培训”")
    deputy = new_user(users, "bureau_deputy", ["police_bureau"], heads_of=["police_bureau"])
    [approval] = tasks_of(deputy, "police_bureau", "approve_training_plan")
    deputy.post(f"/api/v1/tasks/{approval['id']}/complete", {"data": {"approve": True}})

    # After the training, the clerk records the cohort in one table: one attended and passed, one absent.
    clerk.goto("/queues/police_bureau")
    link = clerk.locator("a.bulk-link[data-step=record_training_result]")
    expect(link).to_contain_text("批量办理：登记培训考勤与结果")
    link.click()
    rows = clerk.locator("#bulk-table tbody tr")
    expect(rows).to_have_count(2)
    # Attendance and results are no scores: the page offers no full marks and speaks of filling in.
    expect(clerk.locator("#bulk-title")).to_have_text("批量办理：登记培训考勤与结果")
    expect(clerk.locator("#bulk-meta")).to_contain_text("待办理 2 人")
    expect(clerk.locator("#bulk-fill-max")).to_have_count(0)
    expect(clerk.locator("#bulk-download-full")).to_have_count(0)
    expect(clerk.locator("#bulk-help")).not_to_contain_text("满分")
    for index, (attended, result, remarks) in enumerate(
        [("true", "passed", "结业考试92分"), ("false", "absent", "病假")]
    ):
        row = rows.nth(index)
        row.locator("select").nth(0).select_option(attended)
        row.locator("select").nth(1).select_option(result)
        row.locator("input[type='text']").first.fill(remarks)
    shot(clerk, "17-training-results-zh")
    clerk.click("#bulk-submit")
    expect(clerk.locator("#bulk-empty")).to_be_visible()

    # The first officer's page: the training passed, no undertaking yet; the clerk registers it.
    clerk.goto(f"/officers/{first}")
    training = clerk.locator("#officer-training tbody tr")
    expect(training).to_contain_text(PLAN["title"])
    expect(training).to_contain_text("合格")
    expect(clerk.locator("#officer-undertaking")).to_contain_text("未登记")
    clerk.click("#register-undertaking")
    expect(clerk.locator("h1")).to_contain_text("上传签字的保密承诺书")
    expect(clerk.locator("[data-panel='undertaking_officer']")).to_contain_text("测试辅警00000")
    attach_file(clerk, "保密承诺书-签字.pdf")
    clerk.fill("[name='signed_on']", "2026-11-20")
    shot(clerk, "17-training-undertaking-zh")
    clerk.click("#complete")
    expect(clerk.locator("#form-message")).to_have_count(0)
    clerk.goto(f"/officers/{first}")
    expect(clerk.locator("#officer-undertaking")).to_contain_text("已签署（2026-11-20）")
    shot(clerk, "17-training-officer-zh")

    # Starting a month's appraisal names the officers without one (appraised, not paid); the list has them:
    # the second officer and Boyu's, not the first.
    clerk.goto("/appraisals/months/start")
    expect(clerk.locator("#month-missing-undertakings")).to_contain_text(
        "2 名在岗辅警未登记保密承诺书：照常考核，但登记前不予发放工资。"
    )
    clerk.locator("#month-missing-undertakings a").click()
    listed = clerk.locator("#missing-undertakings tbody tr")
    expect(listed).to_have_count(2)
    expect(clerk.locator(f"#missing-undertakings tr[data-officer='{second}']")).to_be_visible()
    expect(clerk.locator(f"#missing-undertakings tr[data-officer='{first}']")).to_have_count(0)
    shot(clerk, "17-training-missing-zh")
    clerk.set_viewport_size(PHONE)
    assert clerk.evaluate("document.documentElement.scrollWidth") <= 390
    shot(clerk, "17-training-missing-phone-zh")
