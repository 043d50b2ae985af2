"""Issue 14, point 6: models from other tools. Deploy (POST /api/v1/definitions) is honest with them: a
`.bpmn20.xml` file is BPMN."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import User
from workflows.specs import attach_forms, read_bundle

ROOT = Path(__file__).parents[2]
FINANCE_LANE = '<bpmn:lane id="lane_finance" name="finance">'


def recruitment_files() -> dict[str, str]:
    return attach_forms(read_bundle(ROOT / "bpmn" / "recruitment"), ROOT / "forms")


def with_finance_lane(name: str) -> dict[str, str]:
    files = recruitment_files()
    assert files["recruitment.bpmn"].count(FINANCE_LANE) == 1
    files["recruitment.bpmn"] = files["recruitment.bpmn"].replace(
        FINANCE_LANE, f'<bpmn:lane id="lane_finance" name="{name}">'
    )
    return files


def lane_problems(body: dict) -> list[str]:
    return [p for p in body["errors"]["problems"] if "lane" in p]


def test_a_bpmn20_xml_file_deploys_as_bpmn(users: dict[str, User]) -> None:
    files = recruitment_files()
    files["recruitment.bpmn20.xml"] = files.pop("recruitment.bpmn")
    deployed = users["designer"].post("/api/v1/definitions", {"files": files}, expect=201)
    assert "recruitment" in {d["process_id"] for d in deployed}
