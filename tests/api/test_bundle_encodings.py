"""BPMN files declaring the encodings Chinese modelling tools export deploy with their text intact (issue 12).

A bundle's files arrive as text in JSON, already decoded; lxml trusted the declaration instead, so a file
declaring GBK was refused ("Invalid bytes in character encoding"), ISO-8859-1 deployed garbled (é became
Ã©) and UTF-16 was refused. On disk (``auxpolice deploy``) a file is read in the encoding it declares.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import User
from tests.model_steps import bundle, process, script
from workflows.specs import parse_bundle, read_bundle

NAMES = {"GBK": "辅警考核 甲", "GB18030": "辅警考核 乙𠀀", "UTF-16": "辅警考核 丙", "ISO-8859-1": "Café é"}


def declared(encoding: str, process_id: str) -> str:
    flows: list[tuple[str, str, str | None]] = [("start", "note", None), ("note", "end", None)]
    text = process(process_id, script("note", "记录", "x = 1"), flows, name=NAMES[encoding])
    return text.replace('encoding="UTF-8"', f'encoding="{encoding}"', 1)


@pytest.mark.parametrize("encoding", list(NAMES))
def test_a_declared_encoding_deploys_with_its_text_intact(users: dict[str, User], encoding: str) -> None:
    process_id = "enc_" + encoding.replace("-", "_").lower()
    files = bundle(declared(encoding, process_id))
    deployed = users["designer"].post("/api/v1/definitions", {"files": files}, expect=201)
    assert [(d["process_id"], d["name"]) for d in deployed] == [(process_id, NAMES[encoding])]
    started = users["bureau"].post("/api/v1/instances", {"process_id": process_id}, expect=201)
    assert started["status"] == "completed"


@pytest.mark.parametrize("encoding", list(NAMES))
def test_a_file_on_disk_is_read_in_the_encoding_it_declares(tmp_path: Path, encoding: str) -> None:
    process_id = "disk_" + encoding.replace("-", "_").lower()
    (tmp_path / f"{process_id}.bpmn").write_bytes(
        declared(encoding, process_id).encode(encoding, "xmlcharrefreplace")
    )
    files = read_bundle(tmp_path)
    assert NAMES[encoding] in files[f"{process_id}.bpmn"]
    files["test_start.json"] = bundle("")["test_start.json"]
    assert parse_bundle(files).process_names == {process_id: NAMES[encoding]}
