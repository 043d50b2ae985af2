"""What kind of file an upload is, read from its content alone (never its name or the client's type).

The kinds accepted are those a vetting file or a signed contract comes as: PDF, PNG and JPEG images, Word
and Excel documents (OOXML, and the older OLE2 .doc/.xls). An OOXML document is a ZIP whose member list
names its main part (``word/document.xml``, ``xl/workbook.xml``); only the ZIP's directory is read, no
member is decompressed, so a ZIP bomb costs nothing. A macro-enabled document (``vbaProject.bin``) is
refused. Anything else, an executable renamed ``.pdf`` included, is no kind at all.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    code: str
    mime: str
    extensions: tuple[str, ...]
    label_zh: str
    label_en: str


KINDS = {
    kind.code: kind
    for kind in (
        Kind("pdf", "application/pdf", (".pdf",), "PDF 文档", "PDF document"),
        Kind("png", "image/png", (".png",), "PNG 图片", "PNG image"),
        Kind("jpeg", "image/jpeg", (".jpg", ".jpeg"), "JPEG 图片", "JPEG image"),
        Kind(
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            (".docx",),
            "Word 文档",
            "Word document",
        ),
        Kind(
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            (".xlsx",),
            "Excel 表格",
            "Excel workbook",
        ),
        Kind("doc", "application/msword", (".doc",), "Word 文档（97-2003）", "Word 97-2003 document"),
        Kind("xls", "application/vnd.ms-excel", (".xls",), "Excel 表格（97-2003）", "Excel 97-2003 workbook"),
    )
}

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"


def sniff(content: bytes) -> Kind | None:
    """The kind of ``content`` by its signature and structure, or None when it is none we accept."""
    if content.startswith(b"%PDF-") and b"%%EOF" in content[-2048:]:
        return KINDS["pdf"]
    if content.startswith(b"\x89PNG\r\n\x1a\n") and content[12:16] == b"IHDR":
        return KINDS["png"]
    if content.startswith(b"\xff\xd8\xff") and len(content) > 4:
        return KINDS["jpeg"]
    if content.startswith(_ZIP):
        return _office_open_xml(content)
    if content.startswith(_OLE2):
        return _ole2(content)
    return None


def _office_open_xml(content: bytes) -> Kind | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return None
    if "[Content_Types].xml" not in members or any(m.endswith("vbaProject.bin") for m in members):
        return None
    if "word/document.xml" in members:
        return KINDS["docx"]
    if "xl/workbook.xml" in members:
        return KINDS["xlsx"]
    return None


def _ole2(content: bytes) -> Kind | None:
    # The compound file's directory names its streams in UTF-16: a Word file has "WordDocument", an Excel
    # file "Workbook" (or "Book" before Excel 97). A macro storage ("Macros", "_VBA_PROJECT") is refused.
    if "Macros".encode("utf-16-le") in content or "_VBA_PROJECT".encode("utf-16-le") in content:
        return None
    if "WordDocument".encode("utf-16-le") in content:
        return KINDS["doc"]
    if "Workbook".encode("utf-16-le") in content or "Book\x00".encode("utf-16-le") in content:
        return KINDS["xls"]
    return None
