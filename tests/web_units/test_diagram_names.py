"""The diagram served to the viewer names departments, and on English pages uses the models' English names
(issue 11, part 4); the stored bundle keeps its codes."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from lxml import etree
from sqlalchemy import select

from service.context import ServiceContext
from service.persistence.models import InstanceModel, OfficerModel
from service.usecases.diagrams import served_diagram
from service.usecases.names import department_names
from tests.api.appraisal_steps import seed
from tests.conftest import User
from tests.web_units.browser_session import web_login
from tests.web_units.visible_text import DEPARTMENT_CODES
from workflows.diagram import labelled_diagram

ROOT = Path(__file__).resolve().parents[2]
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


def served_xml(app: Flask, instance_id: int, lang: str) -> str:
    client = web_login(app, "auditor")
    with client.session_transaction() as session:
        session["lang"] = lang
    with client.get(f"/instances/{instance_id}") as response:
        assert response.status_code == 200
        page = response.get_data(as_text=True)
    found = re.search(r'<script type="application/json" id="diagram-data">(.*?)</script>', page, re.S)
    assert found is not None
    diagram: dict[str, Any] = json.loads(found.group(1))
    return str(diagram["bpmn_xml"])


def labels(xml: str, tag: str) -> dict[str, str]:
    root = etree.fromstring(xml.encode())
    return {node.get("id"): node.get("name") for node in root.iter(f"{BPMN}{tag}")}


@pytest.fixture
def gushan_appraisal(users: dict[str, User], ctx: ServiceContext) -> int:
    seed(ctx)
    users["bureau_head"].post("/api/v1/appraisals/months", {"month": "2026-11"}, expect=201)
    with ctx.database.reading() as session:
        officer = session.scalars(select(OfficerModel.id).where(OfficerModel.town == "gushan")).first()
        instance = session.scalars(
            select(InstanceModel.id).where(InstanceModel.business_key == f"2026-11/{officer}")
        ).one()
    return int(instance)


def test_lanes_are_the_instances_departments_by_name(app: Flask, gushan_appraisal: int) -> None:
    zh = labels(served_xml(app, gushan_appraisal, "zh-CN"), "lane")
    en = labels(served_xml(app, gushan_appraisal, "en"), "lane")
    assert sorted(zh.values()) == ["公安分局", "崮山派出所", "崮山镇人民政府"]
    assert sorted(en.values()) == [
        "Gushan Police Station",
        "Gushan Town Government",
        "Public Security Sub-bureau",
    ]
    for code in DEPARTMENT_CODES:
        assert code not in zh.values() and code not in en.values()


def test_english_pages_show_the_models_english_names(app: Flask, gushan_appraisal: int) -> None:
    zh = served_xml(app, gushan_appraisal, "zh-CN")
    en = served_xml(app, gushan_appraisal, "en")
    assert labels(zh, "userTask")["station_score"] == "派出所日常管理考核"
    english_tasks = labels(en, "userTask")
    assert english_tasks["station_score"] != "派出所日常管理考核"
    assert not re.search(r"[\u4e00-\u9fff]", english_tasks["station_score"])
    assert not re.search(r"[\u4e00-\u9fff]", labels(en, "process")["appraisal"])
    # The stored bundle is untouched: its lanes still name the codes the queues are resolved from.
    stored = (ROOT / "bpmn" / "appraisal" / "appraisal.bpmn").read_text(encoding="utf-8")
    assert 'name="police_station:{town}"' in stored and "崮山派出所" not in stored


def test_a_definition_without_an_instance_names_the_kind_of_department(ctx: ServiceContext) -> None:
    xml = (ROOT / "bpmn" / "appraisal" / "appraisal.bpmn").read_text(encoding="utf-8")
    with ctx.database.reading() as session:
        departments = department_names(session)
    assert sorted(labels(served_diagram(xml, {}, departments, "zh-CN"), "lane").values()) == [
        "公安分局",
        "派出所",
        "镇人民政府",
    ]
    assert sorted(labels(served_diagram(xml, {}, departments, "en"), "lane").values()) == [
        "Police station",
        "Public Security Sub-bureau",
        "Town government",
    ]


def test_the_diagram_is_parsed_without_entities() -> None:
    evil = (
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        f'<definitions xmlns="{BPMN[1:-1]}"><process id="p"><laneSet><lane id="l" name="&x;"/></laneSet>'
        "</process></definitions>"
    )
    with pytest.raises((ValueError, etree.XMLSyntaxError)):
        labelled_diagram(evil, lambda lane: lane)


@pytest.mark.parametrize("path", sorted((ROOT / "bpmn").glob("*/*.bpmn")), ids=lambda path: path.name)
def test_every_label_of_the_bundled_diagrams_has_an_english_name(path: Path) -> None:
    """On an English page no element of a bundled model keeps its Chinese label (each declares nameEn)."""
    english = labelled_diagram(path.read_text(encoding="utf-8"), lambda lane: "Department", english=True)
    root = etree.fromstring(english.encode())
    chinese = [
        (etree.QName(node).localname, node.get("id"), node.get("name"))
        for node in root.iter()
        if isinstance(node.tag, str) and re.search(r"[\u4e00-\u9fff]", node.get("name") or "")
    ]
    assert not chinese, chinese
