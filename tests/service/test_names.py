"""Names in place of codes (issue 11, part 4): what pages, exports and diagrams show for each code."""

from __future__ import annotations

from service.context import ServiceContext
from service.usecases.names import Name, department_names, person_names, process_names, village_names


def test_each_process_has_its_chinese_and_english_name(ctx: ServiceContext) -> None:
    with ctx.database.reading() as session:
        known = process_names(ctx, session)
    assert known["appraisal"] == Name("月度考核", "Monthly appraisal")
    assert known["post_hiring"] == Name("岗位录用", "Hiring for a post")
    assert known["recruitment"].in_language("en") == "Recruitment"


def test_people_departments_and_villages_by_name(ctx: ServiceContext) -> None:
    with ctx.database.reading() as session:
        people = person_names(session, ["gushan_station", "system", "scheduler", "nobody", ""])
        departments = department_names(session)
        villages = village_names(session, ["gs-v01", "no-such-village"])
    assert people["gushan_station"].zh == "崮山派出所 刘警官"
    assert people["system"] == Name("系统", "System")
    assert people["scheduler"].in_language("en") == "Scheduler"
    assert "nobody" not in people and "" not in people
    assert departments["police_bureau"] == Name("公安分局", "Public Security Sub-bureau")
    assert departments["finance"] == Name("财政金融局", "Finance Bureau")
    assert villages == {"gs-v01": Name("崮山后村", "Gushanhou Village")}
