"""A police station refers a serious breach from the officer's page; after the review and the town's opinion
the sub-bureau's head decides on the case's grounds (the breach reported, the opinions, the appraisals); the
officer's page then shows the dismissal and that it bars re-hiring (issue 17, point 1). zh-CN and en, axe on
the decision page and the officer page. Screenshots: 17-dismissal-*.png."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from service.context import ServiceContext
from service.persistence.models import OfficerModel
from tests.api.appraisal_steps import add_history, add_officers
from tests.api.test_dismissal import STATION, TOWN_GOV, complete, the_task
from tests.conftest import User
from tests.e2e.axe_check import assert_accessible
from tests.e2e.conftest import Pages, login, shot

DESKTOP = {"width": 1366, "height": 768}
FACTS = "11月20日值班期间饮酒，与村民发生冲突"


def test_a_station_refers_a_breach_and_the_head_dismisses_on_its_grounds(
    pages: Pages, users: dict[str, User], ctx: ServiceContext
) -> None:
    add_officers(ctx, 1)
    with ctx.database.reading() as session:
        officer = session.scalars(select(OfficerModel.id)).one()
    add_history(ctx, [(officer, "2026-09", "basically_competent"), (officer, "2026-10", "competent")])

    page = pages.new()
    page.set_viewport_size(DESKTOP)
    login(page, "gushan_station")
    page.goto(f"/officers/{officer}")
    page.click("#officer-actions #refer-dismissal")
    expect(page.locator("h1")).to_contain_text("提请清退")
    page.select_option("[name='category']", "serious_breach")
    page.fill("[name='facts']", FACTS)
    page.fill("[name='found_on']", "2026-11-20")
    page.click("#refer-submit")
    expect(page.locator("#officer-dismissals tbody tr")).to_contain_text("办理中")

    bureau, town, head = users["bureau"], users["gushan_gov"], users["bureau_head"]
    review = the_task(bureau, "police_bureau", "bureau_review", officer)
    complete(bureau, review, {"propose": True, "review_opinion": "事实清楚，情节严重，提请清退"})
    opinion = the_task(town, TOWN_GOV, "town_opinion", officer)
    complete(town, opinion, {"town_agrees": True, "town_opinion": "同意清退，尽快补充人员"})
    decision = the_task(head, "police_bureau", "decide_dismissal", officer)

    login(page, "bureau_head")
    page.goto(f"/tasks/{decision['id']}")
    expect(page.locator("h1")).to_contain_text("公安分局清退决定")
    case = page.locator("[data-panel='dismissal_case']")
    expect(case).to_contain_text("严重违纪违规")
    expect(case).to_contain_text(FACTS)
    expect(case).to_contain_text("崮山派出所 刘警官")  # the referrer, by name
    opinions = page.locator("[data-panel='dismissal_opinions']")
    expect(opinions).to_contain_text("事实清楚，情节严重，提请清退")
    expect(opinions).to_contain_text("同意清退，尽快补充人员")
    expect(page.locator("[data-panel='appraisal_history']")).to_contain_text("基本称职")
    assert_accessible(page, "the dismissal decision (zh-CN)")
    shot(page, "17-dismissal-decision-zh")
    page.select_option("[name='dismiss']", "true")
    page.fill("[name='decision_reason']", "值班饮酒滋事，情节严重，依规清退")
    page.click("#complete")
    expect(page.locator("#form-message")).to_have_count(0)

    station, company = users["gushan_station"], users["company"]
    today = ctx.clock.now().date().isoformat()
    notice = the_task(station, STATION, "notify_officer", officer)
    complete(station, notice, {"notified_on": today, "notice_method": "in_person"})
    complete(
        company, the_task(company, "service_company", "end_contract", officer), {"contract_ended_on": today}
    )

    page.goto(f"/officers/{officer}")
    row = page.locator("#officer-dismissals tbody tr")
    expect(row).to_contain_text("严重违纪违规")
    expect(row).to_contain_text("值班饮酒滋事，情节严重，依规清退")
    expect(row).to_contain_text("不得再次聘用")
    expect(page.locator("#refer-dismissal")).to_have_count(0)  # no longer in service
    assert_accessible(page, "the officer's dismissal (zh-CN)")
    shot(page, "17-dismissal-officer-zh")
    page.click("#switch-language")
    page.wait_for_selector("html[lang=en]")
    table = page.locator("#officer-dismissals")
    expect(table).to_contain_text("Serious breach of discipline")
    expect(table).to_contain_text("May not be hired again")
    # The reason for leaving the service wrote reads in English too; the grounds as the head typed them.
    reason = page.locator("#officer-leave-reason")
    expect(reason).to_contain_text("Dismissed (Serious breach of discipline): ")
    assert_accessible(page, "the officer's dismissal (en)")
    shot(page, "17-dismissal-officer-en")
