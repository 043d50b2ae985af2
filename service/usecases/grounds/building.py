"""What a grounds panel is made of, and the formatting every panel shares.

A panel is a neutral, bilingual structure (the API returns it as is, the task page renders it in the page
language): a title, labelled ``fields`` and/or a table (``columns``, ``rows``) and/or a ``text``. Values
are formatted as people read them: names not codes, masked ID numbers, money in 元, times in Beijing time
with the zone named.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.persistence.models import DepartmentModel, HumanTaskModel, TownModel, UserModel, VillageModel
from service.usecases.names import towns
from workflows.ports import CHINA

# A text in both languages: (Chinese, English).
Text = tuple[str, str]
Panel = dict[str, Any]


@dataclass(frozen=True)
class Reading:
    """What a panel reads: the task's row, its data (already loaded), a read-only session and the forms of
    the task's bundle."""

    task: HumanTaskModel
    data: Mapping[str, Any]
    session: Session
    forms: Mapping[str, dict[str, Any]]


PanelBuilder = Callable[[Reading], Panel | None]


def field(label: Text, value: Text) -> dict[str, str]:
    return {"label_zh": label[0], "label_en": label[1], "value_zh": value[0], "value_en": value[1]}


def column(label: Text, numeric: bool = False) -> dict[str, Any]:
    return {"label_zh": label[0], "label_en": label[1], "numeric": numeric}


def cell(value: Text) -> dict[str, str]:
    return {"value_zh": value[0], "value_en": value[1]}


def panel(
    title: Text,
    fields: Iterable[dict[str, str]] = (),
    columns: Iterable[dict[str, Any]] = (),
    rows: Iterable[Iterable[Text]] = (),
    text: Text | None = None,
) -> Panel:
    """One panel; ``kind`` names its main part (a table, labelled fields or a text), every part present is
    shown."""
    fields, columns = list(fields), list(columns)
    table = [[cell(value) for value in row] for row in rows]
    kind = "table" if columns else "fields" if fields else "text"
    return {
        "title_zh": title[0],
        "title_en": title[1],
        "kind": kind,
        "fields": fields,
        "columns": columns,
        "rows": table,
        "text_zh": text[0] if text else "",
        "text_en": text[1] if text else "",
    }


def same(value: Any) -> Text:
    """A value that reads the same in both languages (a name, a number)."""
    return (str(value), str(value))


def number(value: Any) -> str:
    """87 rather than 87.0; one or two decimals where there are some."""
    if value is None or value == "":
        return "—"
    amount = float(value)
    return str(int(amount)) if amount.is_integer() else f"{amount:.2f}".rstrip("0")


def points(value: Any) -> Text:
    return (f"{number(value)} 分", f"{number(value)} points")


def money(value: Any) -> Text:
    amount = float(value)
    shown = f"{amount:,.0f}" if amount.is_integer() else f"{amount:,.2f}"
    return (f"{shown} 元", f"{shown} yuan")


def yes_no(value: Any) -> Text:
    return ("是", "Yes") if value else ("否", "No")


def beijing_time(value: datetime | str | None) -> Text:
    """A stored (UTC) time in Beijing time, the zone named: ``2026-12-05 09:30 北京时间``."""
    if not value:
        return ("—", "—")
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    shown = moment.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")
    return (f"{shown} 北京时间", f"{shown} Beijing time")


def deadline_date(moment: datetime) -> date:
    """The Beijing day a deadline ends: one at midnight (the end of the 5th is 00:00 on the 6th) is the day
    before, as people read "due on the 5th". Every page and panel shows deadlines by this one rule."""
    local = moment.astimezone(CHINA)
    return (local - timedelta(days=1)).date() if local.time() == time(0, 0) else local.date()


def deadline(value: datetime | str | None) -> Text:
    """The Beijing day a deadline ends, said so."""
    if not value:
        return ("—", "—")
    day = deadline_date(datetime.fromisoformat(value) if isinstance(value, str) else value)
    return (
        f"{day:%Y-%m-%d}（北京时间当日24时前）",
        f"{day:%Y-%m-%d} (by the end of the day, Beijing time)",
    )


def month_text(month: Any) -> Text:
    """``2026-11`` as 2026年11月 / 2026-11."""
    text = str(month or "")
    year, _, number_ = text.partition("-")
    return (f"{year}年{int(number_)}月", text) if year.isdigit() and number_.isdigit() else same(text)


def masked_id(id_number: str | None) -> str:
    """370602********1234: the region and the last four digits, as lists show resident ID numbers."""
    text = str(id_number or "")
    return f"{text[:6]}{'*' * 8}{text[-4:]}" if len(text) >= 14 else "*" * len(text)


# Labels from the bundle's forms: the panels show a form's own titles and enum labels, not a second copy.


def schema_at(forms: Mapping[str, dict[str, Any]], form: str, *path: str) -> dict[str, Any]:
    """The JSON Schema of ``path`` (property names; ``[]`` steps into an array's items) in ``form``."""
    schema = forms.get(form) or {}
    for step in path:
        schema = (schema.get("items") if step == "[]" else (schema.get("properties") or {}).get(step)) or {}
    return schema


def title_of(forms: Mapping[str, dict[str, Any]], form: str, *path: str) -> Text:
    schema = schema_at(forms, form, *path)
    title = str(schema.get("title") or (path[-1] if path else form))
    return (title, str(schema.get("x-title-en") or title))


def enum_label(forms: Mapping[str, dict[str, Any]], form: str, path: tuple[str, ...], code: Any) -> Text:
    labels = schema_at(forms, form, *path).get("x-enum-labels") or {}
    zh = (labels.get("zh") or {}).get(code, str(code))
    return (zh, (labels.get("en") or {}).get(code, zh))


# Names, not codes: villages, towns, departments and people as the register and the directory name them.


def village_names(session: Session, codes: Iterable[str]) -> dict[str, Text]:
    wanted = sorted(set(codes))
    rows = session.execute(
        select(VillageModel.code, VillageModel.name_zh, VillageModel.name_en).where(
            VillageModel.code.in_(wanted)
        )
    )
    return {row.code: (row.name_zh, row.name_en) for row in rows}


def town_names(session: Session) -> dict[str, Text]:
    """Every town's name by code, in the register's order."""
    return {town["code"]: (town["name_zh"], town["name_en"]) for town in towns(session)}


def town_name(names: Mapping[str, Text], code: str | None) -> Text:
    """The town's name from ``names`` (``town_names``); its code if the register has no such town."""
    return names.get(code or "") or same(code or "—")


def village_town(session: Session, village_code: str | None) -> tuple[Text, Text]:
    """The village's name and its town's name, from the village register."""
    village = session.get(VillageModel, village_code) if village_code else None
    if village is None:
        return same(village_code or "—"), same("—")
    town = session.get(TownModel, village.town)
    return (village.name_zh, village.name_en), (town.name_zh, town.name_en) if town else same(village.town)


def department_name(session: Session, code: str | None) -> Text:
    department = session.get(DepartmentModel, code) if code else None
    return (department.name_zh, department.name_en) if department else same(code or "—")


def display_name(session: Session, username: str | None) -> str:
    if not username:
        return "—"
    found = session.scalar(select(UserModel.display_name).where(UserModel.username == username))
    return str(found or username)
