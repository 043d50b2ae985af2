"""Excel sheets for the sub-bureau: templates with Chinese headers, and cell-by-cell parsing with
errors located by row and column (no database access here)."""

from __future__ import annotations

import io
import math
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NoReturn

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from service.usecases.errors import ConflictError, InvalidInputError, NotFoundError
from service.usecases.export_cells import xlsx_row
from service.usecases.id_numbers import ID_TYPES, RESIDENT_ID
from service.usecases.nationalities import code_of
from workflows.rules.eligibility import DISQUALIFIERS, EDUCATION_LEVELS, PRIORITY_GROUPS

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000
YES, NO = {"是", "y", "yes", "true", "1", "√", "✓"}, {"否", "n", "no", "false", "0", "×", "✗"}
SEPARATORS = re.compile(r"[、，,;；/\s]+")
EDUCATION_ALIASES = {"中专": "vocational", "职高": "vocational", "技校": "vocational", "专科": "associate"}
EDUCATION_ALIASES |= {"大学本科": "bachelor", "硕士": "master", "博士": "doctorate"}


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    # text id id_type sex date code village country bool education priority disqualifiers int score raw
    kind: str
    required: bool = False
    default: Any = None
    aliases: tuple[str, ...] = ()  # earlier headers of the column, still read
    # Its header must be there although its cells may be blank (a form's field in the bulk scoring sheet).
    expected: bool = False


NOTES = {
    "id": "按文本填写；身份证号18位",
    "id_type": "居民身份证（默认）、护照、港澳居民来往内地通行证或台湾居民来往大陆通行证",
    "sex": "男/女，可不填；填写时与身份证号核对",
    "date": "如 1998-05-20",
    "code": "如 gs-v01",
    "village": "村（社区）名称，如 涝台村；也可填代码，如 gs-v04",
    "bool": "是/否",
    "score": "0至100",
}
NOTES |= {"country": "国家代码（ISO 3166-1，如 CN、US）或国名（如 中国、美国）"}
NOTES |= {"education": "名称或代码", "priority": "代码或名称，以、分隔"}
NOTES |= {"disqualifiers": NOTES["priority"], "int": "正整数"}
APPLICANT_COLUMNS = (
    Column("name", "姓名", "Name", "text", True),
    Column("id_type", "证件类型", "Document type", "id_type", False, RESIDENT_ID),
    Column("id_number", "身份证号", "ID number", "id", True, aliases=("证件号码",)),
    Column("birth_date", "出生日期", "Birth date", "date", True),
    Column("sex", "性别", "Sex", "sex"),
    # A village by its name, as clerks know it (its code is read too; excel_import turns names into codes).
    Column(
        "village_code",
        "报考村（社区）",
        "Village applied for",
        "village",
        True,
        aliases=("报考村（社区）代码",),
    ),
    Column("home_village_code", "户籍村（社区）", "Home village", "village", aliases=("户籍村（社区）代码",)),
    Column("nationality", "国籍", "Nationality", "country", True),
    Column("weihai_residence", "威海常住户口", "Weihai permanent residence", "bool", True),
    Column("education", "学历", "Education", "education", True),
    Column("healthy", "身体健康", "Healthy", "bool", True),
    Column("good_conduct", "品行端正", "Good conduct", "bool", True),
    Column("meets_post_requirements", "符合岗位要求", "Meets post requirements", "bool", False, True),
    Column("related_experience", "相关工作经验", "Related work experience", "bool", False, False),
    Column("special_skills", "特长", "Special skills", "bool", False, False),
    Column("professional_skills", "专业技能", "Professional skills", "bool", False, False),
    Column("military_service", "服役经历", "Military service", "bool", False, False),
    Column("party_member", "中共党员", "CPC member", "bool", False, False),
    Column("priority", "优先条件", "Priority groups", "priority", False, ()),
    Column("disqualifiers", "不得聘用情形", "Disqualifiers", "disqualifiers", False, ()),
)
SCORE_COLUMNS = (
    Column("application_id", "报名编号", "Application id", "int", True),
    Column("name", "姓名", "Name (checked against the id)", "text"),
    Column("score", "成绩", "Score", "score", True),
)
KINDS = {"applicants": APPLICANT_COLUMNS, "scores": SCORE_COLUMNS}
LISTS = {"priority": PRIORITY_GROUPS, "disqualifiers": DISQUALIFIERS}


class CellError(ValueError):
    def __init__(self, zh: str, en: str) -> None:
        super().__init__(zh)
        self.zh, self.en = zh, en


def error(row: int | None, column: Column | None, zh: str, en: str) -> dict[str, Any]:
    """One problem of an uploaded file; ``row`` None and ``column`` "" for the file as a whole."""
    names = {"column": column.zh, "column_en": column.en} if column else {"column": "", "column_en": ""}
    return {"row": row, **names, "message": zh, "message_en": en}


class Problems(list[dict[str, Any]]):
    def add(self, row: int | None, column: Column | str | None, zh: str, en: str) -> None:
        self.append(error(row, _column(column) if isinstance(column, str) else column, zh, en))


def refuse(kind: type[InvalidInputError | ConflictError | NotFoundError], zh: str, en: str) -> NoReturn:
    raise kind(zh, errors=[error(None, None, zh, en)])


def template(kind: str, rows: list[tuple[Any, ...]] | None = None) -> bytes:
    """An empty import sheet (or one with ``rows`` filled in), with a sheet 说明 explaining each column."""
    columns = KINDS[kind]
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # noqa: S101 - a new workbook always has one sheet
    sheet.title = "报名人员" if kind == "applicants" else "考试成绩"
    sheet.append([c.zh for c in columns])
    for row in rows or []:
        sheet.append(xlsx_row(sheet, row))
    yes_no = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
    sheet.add_data_validation(yes_no)
    for index, column in enumerate(columns, start=1):
        letter, cell = get_column_letter(index), sheet.cell(row=1, column=index)
        cell.font = Font(bold=True, color="B42318" if column.required else "000000")  # required in red
        sheet.column_dimensions[letter].width = max(12, len(column.zh) * 2 + 4)
        if column.kind in ("id", "code", "village", "date"):
            sheet.column_dimensions[letter].number_format = "@"  # text: Excel keeps all 18 digits
        if column.kind == "bool":
            yes_no.add(f"{letter}2:{letter}1001")
    sheet.freeze_panes = "A2"
    notes = book.create_sheet("说明")
    notes.append(["列名", "Column", "必填（红色列名）", "填写说明"])
    for column in columns:
        notes.append([column.zh, column.en, "是" if column.required else "否", NOTES.get(column.kind, "")])
    lists = (
        ("证件类型代码", ID_TYPES),
        ("学历代码", EDUCATION_LEVELS),
        ("优先条件代码", PRIORITY_GROUPS),
        ("不得聘用情形代码", DISQUALIFIERS),
    )
    for title, items in lists if kind == "applicants" else ():
        for line in ([], [title, "Code", "名称"], *([code, en, zh] for code, zh, en in items)):
            notes.append(line)
    for letter, width in (("A", 24), ("B", 34), ("C", 10), ("D", 60)):
        notes.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def parse_cell(column: Column, value: Any) -> Any:
    """Read one cell as ``column`` says, or raise CellError; blank gives the column's default."""
    if isinstance(value, str):
        value = value.strip()
    if value is None or value == "":
        if column.required:
            raise CellError("必填，不能为空", "Required; must not be empty")
        return list(column.default) if isinstance(column.default, tuple) else column.default
    text, kind = str(value), column.kind
    if kind == "text" and len(text) > 64:
        raise CellError("不能超过64个字", "At most 64 characters")
    if kind in ("text", "code", "village"):
        return text
    if kind == "raw":  # read by its caller (bulk_workbook converts a form's field by its JSON Schema)
        return value
    if kind == "id":
        if not isinstance(value, str):
            raise CellError("身份证号须按文本填写（数字格式会丢失末位）", "Enter the ID number as text")
        if not re.fullmatch(r"[0-9A-Za-z]{6,18}", text):
            raise CellError(
                "应为18位身份证号（末位可为X）或6至18位证件号码", "Must be an ID or document number"
            )
        return text.upper()
    if kind == "id_type":
        types = {name: code for code, zh, en in ID_TYPES for name in (code, zh, en.lower())}
        types |= {"身份证": RESIDENT_ID, "回乡证": "hk_macao_permit", "台胞证": "taiwan_permit"}
        if text.lower() in types:
            return types[text.lower()]
        raise CellError(f"无法识别的证件类型“{text}”", f"Unknown document type '{text}'")
    if kind == "sex":
        sexes = {"男": "male", "女": "female", "male": "male", "female": "female", "m": "male", "f": "female"}
        if text.lower() in sexes:
            return sexes[text.lower()]
        raise CellError(f"“{text}”应填“男”或“女”", f"'{text}' must be 男 (male) or 女 (female)")
    if kind == "date":
        if isinstance(value, datetime | date):
            return value.date() if isinstance(value, datetime) else value
        for pattern in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"):
            try:
                return datetime.strptime(text, pattern).date()
            except ValueError:
                continue
        raise CellError(f"“{text}”不是有效日期，应为 YYYY-MM-DD", f"'{text}' is not a valid YYYY-MM-DD date")
    if kind == "country":
        code = code_of(text)
        if code is None:
            raise CellError(
                f"无法识别的国籍“{text}”，应为国家代码（如 CN）或国名", f"Unknown nationality '{text}'"
            )
        return code
    if kind == "bool":
        if isinstance(value, bool) or text.lower() in YES | NO:
            return value if isinstance(value, bool) else text.lower() in YES
        raise CellError(f"“{text}”应填“是”或“否”", f"'{text}' must be 是 (yes) or 否 (no)")
    if kind == "education":
        names = {name: code for code, zh, en in EDUCATION_LEVELS for name in (code, zh, en.lower())}
        if text.lower() in names | EDUCATION_ALIASES:
            return (names | EDUCATION_ALIASES)[text.lower()]
        raise CellError(f"无法识别的学历“{text}”", f"Unknown education '{text}'")
    if kind in LISTS:
        found = []
        for code, zh, en in sorted(LISTS[kind], key=lambda item: -len(item[1])):
            if zh in text or en in text:  # labels may contain separators: take whole labels out first
                found.append(code)
                text = text.replace(zh, " ").replace(en, " ")
        codes = {code for code, _zh, _en in LISTS[kind]}
        for token in filter(None, SEPARATORS.split(text)):
            if token not in codes:
                raise CellError(f"无法识别的“{token}”", f"Unknown entry '{token}'")
            found.append(token)
        return [code for code, _zh, _en in LISTS[kind] if code in found]
    try:
        number = None if isinstance(value, bool) else float(value)
    except ValueError:
        number = None
    number = number if number is not None and math.isfinite(number) else None
    if kind == "int" and (number is None or number != int(number) or number < 1):
        raise CellError(f"“{text}”应为正整数", f"'{text}' must be a positive whole number")
    if kind == "int":
        return int(number)  # type: ignore[arg-type]
    if number is None or not 0 <= number <= 100:
        raise CellError(f"“{text}”应为0至100之间的数", f"'{text}' must be a number from 0 to 100")
    return int(number) if number == int(number) else number


def _sheet_lines(xlsx_bytes: bytes) -> list[tuple[Any, ...]]:
    """The lines of the first sheet, header first, blank lines dropped (their numbers kept in front)."""
    if len(xlsx_bytes) > MAX_BYTES:
        refuse(InvalidInputError, "文件过大（不超过5MB）", "The file is too large (5 MB at most)")
    lines: list[tuple[Any, ...]] = []
    try:
        book = load_workbook(io.BytesIO(xlsx_bytes), read_only=True, data_only=True)
        for number, line in enumerate(book.worksheets[0].iter_rows(values_only=True), start=1):
            if number == 1 or any(cell is not None and str(cell).strip() != "" for cell in line):
                lines.append((number, *line))
            if len(lines) > MAX_ROWS + 1:
                refuse(InvalidInputError, f"一次最多导入{MAX_ROWS}行", f"At most {MAX_ROWS} rows per file")
        book.close()
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, IndexError, OSError, SyntaxError):
        refuse(InvalidInputError, "无法读取该文件，请上传 .xlsx 格式的文件", "Not a readable .xlsx file")
    return lines


def read_rows(
    xlsx_bytes: bytes, columns: tuple[Column, ...]
) -> tuple[list[tuple[int, dict[str, Any]]], Problems]:
    """The parsed data rows of the first sheet, each with its Excel row number, and every problem found."""
    lines = _sheet_lines(xlsx_bytes)
    header = lines[0][1:] if lines else ()
    by_name = {name: c for c in columns for name in (c.zh, c.en.lower(), *c.aliases)}
    errors, positions = Problems(), {}
    for index, title in enumerate(header):
        name = str(title or "").strip().rstrip("*＊").strip()
        column = by_name.get(name) or by_name.get(name.lower())
        if column is None and name:
            errors.add(1, None, f"第{index + 1}列“{name}”无法识别", f"Unknown column '{name}'")
        elif column is not None and column.key in positions:
            errors.add(1, column, "列重复", "Duplicate column")
        elif column is not None:
            positions[column.key] = index
    for column in columns:
        if column.required and column.key not in positions:
            errors.add(1, column, "缺少必填列", "Required column missing")
        elif column.expected and column.key not in positions:
            errors.add(1, column, "缺少该列", "Column missing")
    rows: list[tuple[int, dict[str, Any]]] = []
    for number, *line in lines[1:]:
        values: dict[str, Any] = {}
        for column in columns:
            at = positions.get(column.key)
            value = line[at] if at is not None and at < len(line) else None
            try:
                values[column.key] = parse_cell(column, value)
            except CellError as problem:
                errors.add(number, column, problem.zh, problem.en)
        rows.append((number, values))
    if not rows and not errors:
        errors.add(None, None, "文件中没有数据行", "The file has no data rows")
    return rows, errors


def _fail_on(errors: list[dict[str, Any]]) -> None:
    if errors:
        errors.sort(key=lambda e: e["row"] or 0)
        raise InvalidInputError("文件中有 {count} 处错误，未导入任何数据", errors=errors, count=len(errors))


def _column(key: str) -> Column:
    return next(c for c in APPLICANT_COLUMNS + SCORE_COLUMNS if c.key == key)
