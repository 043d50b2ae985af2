"""``requiresAttachment`` on a user task (issue 15, point 4): read in workflows/extensions.py, an unknown
label refused by the lint in both languages; set on the vetting and the contract of post_hiring.bpmn."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from workflows.extensions import ATTACHMENT_LABELS, attachment_problem, user_task_info
from workflows.specs import DefinitionError, attach_forms, parse_bundle, read_bundle

ROOT = Path(__file__).resolve().parents[2]


def task(value: str | None) -> SimpleNamespace:
    properties = {} if value is None else {"requiresAttachment": value}
    return SimpleNamespace(
        extensions={"properties": properties}, bpmn_id="t", name="t", bpmn_name="任务", lane="police_bureau"
    )


def test_the_key_is_read_and_an_unknown_label_refused() -> None:
    assert user_task_info(task(None)).requires_attachment is None
    assert user_task_info(task("false")).requires_attachment is None
    assert user_task_info(task(" TRUE ")).requires_attachment == "true"
    assert user_task_info(task("signed_contract")).requires_attachment == "signed_contract"
    assert attachment_problem(user_task_info(task("signed_contract"))) is None
    zh, en = attachment_problem(user_task_info(task("passport_copy"))) or ("", "")
    assert "passport_copy" in zh and "不是已知的附件类别" in zh
    assert "unknown attachment 'passport_copy'" in en and "signed_contract" in en
    assert set(ATTACHMENT_LABELS) == {
        "true",
        "signed_contract",
        "vetting_file",
        "medical_records",  # the work injury's claim (issue 17, point 4)
        "confidentiality_undertaking",  # issue 17, point 6
        "signed_field_report",  # a field report entered on the officer's behalf (issue 17, point 7)
    }


def test_the_vetting_and_the_contract_require_their_files_and_deploy_refuses_an_unknown_one() -> None:
    files = attach_forms(read_bundle(ROOT / "bpmn" / "recruitment"), ROOT / "forms")
    specs = parse_bundle(files)
    required = {
        spec: info.requires_attachment
        for spec in specs.top_level["post_hiring"].task_specs
        if (info := specs.user_task("post_hiring", spec)) is not None
    }
    assert required == {"vet_candidate": "vetting_file", "sign_contract": "signed_contract"}
    declared = '<spiffworkflow:property name="requiresAttachment" value="signed_contract" />'
    files["post_hiring.bpmn"] = files["post_hiring.bpmn"].replace(declared, declared.replace("signed_", "x_"))
    with pytest.raises(DefinitionError) as refused:
        parse_bundle(files)
    assert [p for p in refused.value.problems if "x_contract" in p] == [
        "post_hiring/sign_contract: requiresAttachment 的值 'x_contract' 不是已知的附件类别"
        "（可用：confidentiality_undertaking, medical_records, signed_contract, signed_field_report, true, "
        "vetting_file）"
        " / requiresAttachment names unknown attachment 'x_contract'"
        " (known: confidentiality_undertaking, medical_records, signed_contract, signed_field_report, true,"
        " vetting_file)"
    ]
