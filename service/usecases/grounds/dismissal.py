"""Grounds panels of the dismissal: the case as referred, and the opinions given on it so far."""

from __future__ import annotations

from service.usecases.dismissal_records import category_text
from service.usecases.grounds.building import (
    Panel,
    PanelBuilder,
    Reading,
    display_name,
    enum_label,
    field,
    panel,
    same,
    village_town,
    yes_no,
)


def dismissal_case(reading: Reading) -> Panel | None:
    """Whom the case is about, on what grounds (the category, the disqualifier or breach), who referred it."""
    data = reading.data
    if "category" not in data:
        return None
    village, town = village_town(reading.session, data.get("village_code"))
    fields = [
        field(("辅警", "Officer"), same(data.get("officer_name") or data.get("officer_id"))),
        field(("村（社区）", "Village"), village),
        field(("所属镇", "Town"), town),
        field(
            ("清退事由", "Grounds for dismissal"),
            category_text(str(data["category"]), data.get("disqualifier")),
        ),
        field(("事实经过", "Facts"), same(data.get("facts") or "—")),
    ]
    if data.get("found_on"):
        fields.append(field(("发现或发生日期", "Found or happened on"), same(data["found_on"])))
    fields.append(
        field(("提请人", "Referred by"), same(display_name(reading.session, data.get("proposed_by"))))
    )
    return panel(("清退案件", "Dismissal case"), fields)


def dismissal_opinions(reading: Reading) -> Panel | None:
    """The sub-bureau's review, the town government's opinion, the decision and the notice, as given."""
    data, forms = reading.data, reading.forms
    fields = []
    if "propose" in data:
        fields.append(
            field(
                ("公安分局审查：提请清退", "Sub-bureau's review: dismissal proposed"), yes_no(data["propose"])
            )
        )
        fields.append(field(("审查意见", "Review opinion"), same(data.get("review_opinion") or "—")))
    elif data.get("category") == "incompetent":
        fields.append(
            field(
                ("公安分局审查", "Sub-bureau's review"),
                ("月度考核清退审查结论为清退", "The appraisal's dismissal review concluded: dismiss"),
            )
        )
    if "town_agrees" in data:
        fields.append(field(("镇政府同意清退", "Town agrees"), yes_no(data["town_agrees"])))
        fields.append(
            field(("镇政府意见", "Town government's opinion"), same(data.get("town_opinion") or "—"))
        )
    if "dismiss" in data:
        fields.append(field(("决定清退", "Dismissal decided"), yes_no(data["dismiss"])))
        fields.append(
            field(("决定理由", "Grounds of the decision"), same(data.get("decision_reason") or "—"))
        )
    if "notified_on" in data:
        method = enum_label(forms, "dismissal_notice.json", ("notice_method",), data.get("notice_method"))
        fields.append(field(("送达日期", "Served on"), same(data["notified_on"])))
        fields.append(field(("送达方式", "Served by"), method))
    if not fields:
        return None
    return panel(("审查和决定意见", "Review and decision"), fields)


PANELS: dict[str, PanelBuilder] = {
    "dismissal_case": dismissal_case,
    "dismissal_opinions": dismissal_opinions,
}
