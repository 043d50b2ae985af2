"""A form as the columns of a table: one row per task of a step completed in bulk (``bulkComplete``).

A form can be flattened when each of its fields is a single value (text, number, whole number, date, a
choice of an ``enum``, yes/no) or an object of such values (a rubric: ``station_items`` with one integer per
item). Each value becomes one column, titled by its own title, under its object's title; an array, an
object inside an object or a reference cannot be a cell, so such a form cannot be completed in a table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

_SCALARS = ("string", "integer", "number", "boolean")


class ColumnError(ValueError):
    """A field that cannot be a cell of the table, said in Chinese and English."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.zh, self.en = zh, en


@dataclass(frozen=True)
class Column:
    """One cell of a row: the field at ``path`` (``("station_items", "attendance_discipline")``)."""

    path: tuple[str, ...]
    title_zh: str
    title_en: str
    kind: str  # text integer number boolean select date
    required: bool
    group_zh: str = ""  # the title of the object the field belongs to (empty for a top-level field)
    group_en: str = ""
    minimum: Any = None
    maximum: Any = None
    max_length: int | None = None
    options: tuple[tuple[str, str, str], ...] = field(default_factory=tuple)  # (value, zh, en)

    @property
    def name(self) -> str:
        return ".".join(self.path)


def _titles(node: dict[str, Any], key: str) -> tuple[str, str]:
    zh = str(node.get("title") or key)
    return zh, str(node.get("x-title-en") or zh)


def _column(key: str, node: Any, path: tuple[str, ...], required: bool, group: tuple[str, str]) -> Column:
    if not isinstance(node, dict) or "$ref" in node:
        where = ".".join(path)
        raise ColumnError(
            f"{where}：引用的字段不能作为表格的一列", f"{where}: a referenced field cannot be a column"
        )
    kind = node.get("type")
    if "enum" in node:
        labels = node.get("x-enum-labels") or {}
        zh, en = labels.get("zh") or {}, labels.get("en") or {}
        options = tuple(
            (str(v), str(zh.get(str(v), v)), str(en.get(str(v), zh.get(str(v), v)))) for v in node["enum"]
        )
        column_kind = "select"
    elif kind in _SCALARS:
        options = ()
        column_kind = "date" if node.get("format") == "date" else ("text" if kind == "string" else kind)
    else:
        where = ".".join(path)
        raise ColumnError(
            f"{where}：{kind or '无类型'}字段不能作为表格的一列",
            f"{where}: a field of type {kind} cannot be a column",
        )
    title_zh, title_en = _titles(node, key)
    return Column(
        path=path,
        title_zh=title_zh,
        title_en=title_en,
        kind=column_kind,
        required=required,
        group_zh=group[0],
        group_en=group[1],
        minimum=node.get("minimum"),
        maximum=node.get("maximum"),
        max_length=node.get("maxLength"),
        options=options,
    )


def form_columns(schema: dict[str, Any]) -> list[Column]:
    """The columns of ``schema``; ColumnError when a field cannot be a cell."""
    columns: list[Column] = []
    required = set(schema.get("required") or [])
    for key, node in (schema.get("properties") or {}).items():
        if isinstance(node, dict) and node.get("type") == "object" and "enum" not in node:
            group = _titles(node, key)
            inner = set(node.get("required") or [])
            for child, child_node in (node.get("properties") or {}).items():
                if isinstance(child_node, dict) and child_node.get("type") in ("object", "array"):
                    raise ColumnError(
                        f"{key}.{child}：嵌套两层以上的字段不能作为表格的一列",
                        f"{key}.{child}: a field nested more than one level cannot be a column",
                    )
                columns.append(
                    _column(child, child_node, (key, child), key in required and child in inner, group)
                )
        else:
            columns.append(_column(key, node, (key,), key in required, ("", "")))
    if not columns:
        raise ColumnError("表单没有任何字段", "the form has no fields")
    return columns


def column_problem(schema: dict[str, Any]) -> ColumnError | None:
    """Why ``schema`` cannot be completed in a table, None when it can."""
    try:
        form_columns(schema)
    except ColumnError as error:
        return error
    return None


def is_blank(value: Any) -> bool:
    """Whether a row's data was left completely empty (nothing typed in any cell): such a row is skipped."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return True
    if isinstance(value, dict):
        return all(is_blank(each) for each in value.values())
    if isinstance(value, list):
        return all(is_blank(each) for each in value)
    return False
