"""Issue 11, point 2: each appraisal task shows the grounds of its decision beside its form (SQLite and
PostgreSQL): whom and what month it scores, both scores with their items for the veto, the suggested grade
with its inputs and the veto for the grade, the overdue task for an escalation."""

from __future__ import annotations

from datetime import timedelta

from service.context import ServiceContext
from service.scheduler import run_once as fire_due_timers
from tests.api.appraisal_steps import add_officers, decide_vetoes, rubric, score_all, tasks_of
from tests.api.grounds_steps import panels, table, values
from tests.conftest import User
from workflows.ports import ManualClock

MONTH = "2026-11"
VETO_REASON = "本月发生群众投诉且未及时处置"  # what decide_vetoes gives


def one_officer_month(users: dict[str, User], ctx: ServiceContext) -> None:
    """One officer (测试辅警00000 of 崮山后村, 崮山镇) in service; the bureau starts 2026-11."""
    add_officers(ctx, 1)
    users["bureau_head"].post("/api/v1/appraisals/months", {"month": MONTH}, expect=201)


def test_station_and_town_scoring_show_the_officer_village_month_and_due_date(
    users: dict[str, User], ctx: ServiceContext
) -> None:
    one_officer_month(users, ctx)
    station, town = users["gushan_station"], users["gushan_gov"]
    (station_task,) = tasks_of(station, "police_station:gushan", "station_score")
    (town_task,) = tasks_of(town, "town_gov:gushan", "town_score")
    for user, task in ((station, station_task), (town, town_task)):
        shown = panels(user, task["id"])
        # The station's scoring also shows the officer's field report of the month (issue 17, point 7).
        assert list(shown) == ["scoring_subject", "field_report"] if user is station else ["scoring_subject"]
        subject = values(shown["scoring_subject"])
        assert subject == {
            "辅警": "测试辅警00000",
            "村（社区）": "崮山后村",
            "所属镇": "崮山镇",
            "考核月份": "2026年11月",
            "评分期限": "2026-12-05（北京时间当日24时前）",
        }
        english = values(shown["scoring_subject"], "en")
        assert english["Village or community"] == "Gushanhou Village" and english["Town"] == "Gushan Town"
        assert english["Scoring due"] == "2026-12-05 (by the end of the day, Beijing time)"


def test_the_veto_shows_both_scores_with_their_items_and_totals(
    users: dict[str, User], ctx: ServiceContext
) -> None:
    one_officer_month(users, ctx)
    score_all(users)
    town = users["gushan_gov"]
    (task,) = tasks_of(town, "town_gov:gushan", "veto_decision")
    shown = panels(town, task["id"])
    assert list(shown) == ["scoring_subject", "station_scores", "town_scores"]
    station_items = rubric("station_score.json", "station_items", 0.9)
    town_items = rubric("town_score.json", "town_items", 0.92)
    station = shown["station_scores"]
    assert station["title_zh"] == "派出所日常管理考核"
    assert table(station)[0] == ["评分项", "得分", "满分"]
    assert ["出勤与纪律", str(station_items["attendance_discipline"]), "15"] in table(station)
    assert ["服务人民群众", str(station_items["resident_service"]), "5"] in table(station)
    assert len(table(station)) == 1 + len(station_items)
    assert values(station)["合计"] == f"{sum(station_items.values())} / 100 分"
    town_scores = shown["town_scores"]
    assert ["港船管理", str(town_items["port_and_ship"]), "10"] in table(town_scores)
    assert values(town_scores)["合计"] == f"{sum(town_items.values())} / 100 分"
    assert values(town_scores)["村委会意见"] == "满意"
    assert values(town_scores, "en")["Village committee opinion"] == "Satisfied"
    assert ["Port and ship management", str(town_items["port_and_ship"]), "10"] in table(town_scores, "en")


def test_the_grade_shows_the_suggestion_its_inputs_and_the_veto(
    users: dict[str, User], ctx: ServiceContext
) -> None:
    one_officer_month(users, ctx)
    score_all(users)
    town = users["gushan_gov"]
    (veto_task,) = tasks_of(town, "town_gov:gushan", "veto_decision")
    officer_id = int(town.get(f"/api/v1/tasks/{veto_task['id']}")["data"]["officer_id"])
    decide_vetoes(users, {officer_id})
    bureau = users["bureau"]
    (task,) = tasks_of(bureau, "police_bureau", "confirm_grade")
    detail = bureau.get(f"/api/v1/tasks/{task['id']}")
    station_total = sum(rubric("station_score.json", "station_items", 0.9).values())
    town_total = sum(rubric("town_score.json", "town_items", 0.92).values())
    combined = round(station_total * 0.4 + town_total * 0.6, 1)
    suggested = detail["data"]["suggested_grade"]
    assert detail["form_values"] == {"grade": suggested}  # formDefaults still opens the form at it
    shown = {p["name"]: p for p in detail["grounds"]}
    assert list(shown) == ["scoring_subject", "grade_suggestion"]
    grade = values(shown["grade_suggestion"])
    labels = {
        "excellent": "优秀",
        "competent": "称职",
        "basically_competent": "基本称职",
        "incompetent": "不称职",
    }
    assert grade["建议考核等次"] == labels[suggested]
    assert grade["综合得分（派出所40%、镇政府60%）"] == f"{combined:g} 分"
    assert grade["派出所日常管理考核得分"] == f"{station_total} 分"
    assert grade["镇政府月度考核得分"] == f"{town_total} 分"
    assert grade["行使一票否决"] == "是"
    assert grade["否决理由"] == VETO_REASON
    assert grade["否决人"] == "崮山镇政府 孙科员"
    assert grade["否决时间"].endswith(" 北京时间")
    english = values(shown["grade_suggestion"], "en")
    assert english["Exercise the veto"] == "Yes"
    assert english["Police station daily-management appraisal score"] == f"{station_total} points"
    assert english["Suggested grade"] in {"Excellent", "Competent", "Basically competent", "Incompetent"}


def test_the_grade_without_a_veto_says_so(users: dict[str, User], ctx: ServiceContext) -> None:
    one_officer_month(users, ctx)
    score_all(users)
    decide_vetoes(users, set())
    bureau = users["bureau"]
    (task,) = tasks_of(bureau, "police_bureau", "confirm_grade")
    grade = values(panels(bureau, task["id"])["grade_suggestion"])
    assert grade["建议考核等次"] == "优秀"  # 90% and 92% of the items
    assert grade["行使一票否决"] == "否"
    assert "否决理由" not in grade


def test_an_escalation_shows_the_overdue_task_who_holds_it_and_since_when(
    users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    one_officer_month(users, ctx)
    station, head = users["gushan_station"], users["gushan_station_head"]
    (scoring,) = tasks_of(station, "police_station:gushan", "station_score")
    created = clock.now()
    clock.advance(timedelta(days=1))
    station.post(f"/api/v1/tasks/{scoring['id']}/claim")
    claimed = clock.now()
    due = station.get(f"/api/v1/tasks/{scoring['id']}")["due_at"]
    clock.advance(timedelta(days=10))  # past the end of 5 December
    assert fire_due_timers(ctx) >= 2
    (escalation,) = tasks_of(head, "police_station:gushan", "station_escalation")
    shown = panels(head, escalation["id"])
    assert list(shown) == ["overdue_task", "scoring_subject"]
    overdue = values(shown["overdue_task"])
    assert overdue["逾期任务"] == "派出所日常管理考核"
    assert overdue["办理人"] == "崮山派出所 刘警官"
    assert overdue["待办生成时间"] == f"{created + timedelta(hours=8):%Y-%m-%d %H:%M} 北京时间"
    assert overdue["认领时间"] == f"{claimed + timedelta(hours=8):%Y-%m-%d %H:%M} 北京时间"
    assert overdue["完成期限"] == "2026-12-05（北京时间当日24时前）"
    assert due.startswith("2026-12-05T16:00") or due.startswith("2026-12-06T00:00")
    english = values(shown["overdue_task"], "en")
    assert english["Overdue task"] == "Police station appraisal"
    # The town's escalation: its scoring task was never claimed.
    town_head = users["gushan_gov_head"]
    (town_escalation,) = tasks_of(town_head, "town_gov:gushan", "town_escalation")
    town_overdue = panels(town_head, town_escalation["id"])["overdue_task"]
    assert values(town_overdue)["办理人"] == "待认领"
    assert values(town_overdue, "en")["Held by"] == "Unclaimed"
