"""The station reports an injury on duty from the officer's page; science_tech's head recognises it on the
report's grounds; the station then reports the officer's death on duty; the officer's page shows the injury's
duty status and recognition, the status 牺牲, the martyr evaluation and the family's benefits (issue 17,
points 4-5). zh-CN and en; the new report form also at phone width. Screenshots: 17-welfare-*.png."""

from __future__ import annotations

from playwright.sync_api import expect

from service.context import ServiceContext
from tests.api.test_welfare import DEATH, INJURY, STATION, complete, officers, submit_claim, task_of
from tests.conftest import User
from tests.e2e.conftest import Pages, login, shot

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def test_the_station_reports_and_the_officer_page_shows_injury_and_death(
    pages: Pages, users: dict[str, User], ctx: ServiceContext
) -> None:
    [officer] = officers(ctx, 1)

    station = pages.new()
    station.set_viewport_size(PHONE)
    login(station, "gushan_station")
    station.goto(f"/officers/{officer}")
    # The reports are in the bar of actions under the officer's facts, side by side.
    expect(station.locator("#officer-actions #report-death")).to_be_visible()
    station.click("#officer-actions #report-injury")
    expect(station.locator("h1")).to_have_text("报告因公受伤")
    for name in ("injury_date", "injury_place", "circumstances", "injury"):
        station.fill(f"[name='{name}']", INJURY[name])
    assert station.evaluate("document.documentElement.scrollWidth") <= 390
    shot(station, "17-welfare-report-phone-zh")
    station.set_viewport_size(DESKTOP)
    station.click("#submit-report")
    expect(station.locator("h1")).to_contain_text("提交工伤认定材料")  # the station's next step
    [instance] = [
        t["instance_id"] for t in users["gushan_station"].get(f"/api/v1/queues/{STATION}/tasks")["items"]
    ]
    submit_claim(users, instance)

    # science_tech's head decides on the report's grounds.
    science = pages.new()
    science.set_viewport_size(DESKTOP)
    login(science, "science_tech")
    science.goto(
        f"/tasks/{task_of(users['science_tech'], 'science_tech', 'recognise_injury', instance)['id']}"
    )
    expect(science.locator("h1")).to_contain_text("工伤认定")
    report = science.locator("[data-panel='injury_report']")
    expect(report).to_contain_text(INJURY["circumstances"])
    expect(report).to_contain_text("崮山派出所 刘警官")
    expect(science.locator("[data-panel='injury_claim']")).to_contain_text("区人民医院")
    shot(science, "17-welfare-recognition-zh")
    science.select_option("[name='recognised']", "true")
    science.select_option("[name='disability_grade']", "grade_9")
    science.fill("[name='recognition_grounds']", "执行职务时受到暴力伤害")
    science.click("#complete")
    expect(science.locator("#form-message")).to_have_count(0)

    # The death: reported on the web, decided through the API, shown on the page with the injury.
    station.goto(f"/officers/{officer}")
    station.click("#report-death")
    for name in ("death_date", "death_place", "death_circumstances"):
        station.fill(f"[name='{name}']", DEATH[name])
    station.click("#submit-report")
    expect(station.locator("#death-outcome")).to_have_text("办理中")  # back on the officer's page
    [death] = [
        t["instance_id"]
        for t in users["bureau_head"].get("/api/v1/queues/police_bureau/tasks")["items"]
        if t["spec_name"] == "confirm_death_facts"
    ]
    facts = {"died_on_duty": True, "facts_finding": "经核实，系救助落水群众时牺牲", "recommend_martyr": True}
    complete(users["bureau_head"], "police_bureau", "confirm_death_facts", death, facts)
    evaluation = {"martyr": True, "evaluation_grounds": "为抢救群众生命牺牲，符合烈士评定条件"}
    complete(users["social_work"], "social_work", "evaluate_martyr", death, evaluation)
    benefits = {
        "beneficiary_name": "李梅",
        "relationship": "spouse",
        "one_time_pension": 800000,
        "funeral_grant": 20000,
        "monthly_pension": 2500,
    }
    complete(users["social_work"], "social_work", "record_family_benefits", death, benefits)
    complete(users["finance"], "finance", "confirm_family_funding", death, {"funding_decision": "approve"})

    station.reload()
    row = station.locator("#officer-injuries tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("已牺牲（自 2026-11-21 起）")  # the leave ended with the officer's death
    expect(row).to_contain_text("认定为工伤")
    expect(row).to_contain_text("九级伤残")
    expect(row).to_contain_text("执行职务时受到暴力伤害")
    expect(station.locator("#officer-status")).to_contain_text("牺牲")
    expect(station.locator("#report-death")).to_have_count(0)  # no report for one out of service
    expect(station.locator("#death-outcome")).to_have_text("评定为烈士")
    expect(station.locator("#death-grounds")).to_have_text(evaluation["evaluation_grounds"])
    expect(station.locator("#death-beneficiary")).to_contain_text("李梅（配偶）")
    shot(station, "17-welfare-officer-zh")
    station.click("#switch-language")
    station.wait_for_selector("html[lang=en]")
    expect(station.locator("#officer-status")).to_contain_text("Died on duty")
    expect(station.locator("#officer-injuries")).to_contain_text("Grade 9 disability")
    expect(station.locator("#death-outcome")).to_have_text("Evaluated as a martyr")
    expect(station.locator("#officer-death")).to_contain_text("Survivor pension (yuan a month)")
    shot(station, "17-welfare-officer-en")
