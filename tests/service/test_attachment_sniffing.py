"""An upload's kind is read from its content (issue 15, point 4), never from its name: the formats a vetting
file or a signed contract comes as are recognised, anything else (an executable, a plain ZIP, a
macro-enabled document, a truncated PDF) is none."""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook

from service.usecases.case_notes.attachments import download_name, safe_file_name
from service.usecases.case_notes.sniffing import sniff
from tests.api.recruitment_steps import SMALL_PDF


def zipped(*members: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in members:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


def workbook() -> bytes:
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100


def kind(content: bytes) -> str | None:
    found = sniff(content)
    return found.code if found else None


def test_the_accepted_kinds_are_recognised_by_their_content() -> None:
    assert kind(SMALL_PDF) == "pdf"
    assert kind(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 20) == "png"
    assert kind(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00") == "jpeg"
    assert kind(zipped("[Content_Types].xml", "word/document.xml")) == "docx"
    assert kind(workbook()) == "xlsx"
    assert kind(OLE2 + "WordDocument".encode("utf-16-le")) == "doc"
    assert kind(OLE2 + "Workbook".encode("utf-16-le")) == "xls"


def test_anything_else_is_no_kind() -> None:
    assert kind(b"MZ\x90\x00\x03" + b"\x00" * 100) is None  # a Windows executable, whatever its name
    assert kind(b"\x7fELF\x02\x01\x01") is None
    assert kind(b"<html><script>alert(1)</script></html>") is None
    assert kind(b"%PDF-1.4\n1 0 obj") is None  # cut short: no end of file
    assert kind(zipped("a.txt")) is None  # a plain ZIP
    assert kind(zipped("[Content_Types].xml", "word/document.xml", "word/vbaProject.bin")) is None  # .docm
    assert kind(b"PK\x03\x04 not really a zip") is None
    assert kind(OLE2 + "WordDocument".encode("utf-16-le") + "Macros".encode("utf-16-le")) is None
    assert kind(OLE2) is None  # a compound file that is neither Word nor Excel
    assert kind(b"") is None


def test_file_names_are_kept_safe_and_saved_with_their_kind() -> None:
    assert safe_file_name("C:\\Users\\王\\劳动合同.pdf") == "劳动合同.pdf"
    assert safe_file_name("../../etc/passwd") == "passwd"
    assert safe_file_name("a\r\nb\u202e.pdf") == "ab.pdf"
    assert safe_file_name("...") == "附件"
    assert download_name({"file_name": "合同.pdf", "kind": "png"}) == "合同.pdf.png"
    assert download_name({"file_name": "照片.JPG", "kind": "jpeg"}) == "照片.JPG"
