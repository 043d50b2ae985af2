"""The walks' page checks find what they look for, and pass names: a check that cannot fail is a defect."""

from __future__ import annotations

from tests.e2e.walk_steps import CHINESE_PUNCTUATION_AFTER_ENGLISH, raw_codes


def test_codes_are_found_on_chinese_and_english_pages() -> None:
    assert raw_codes("部门待办：police_bureau", "zh-CN")
    assert raw_codes("recruitment\t起草用人计划", "zh-CN")
    assert raw_codes("您不属于部门 finance，无权查看", "zh-CN")
    assert raw_codes("空缺岗位 2026-recruitment/by-c01/1", "zh-CN")
    assert raw_codes("状态：claimed（bureau）", "zh-CN")
    assert raw_codes("Step: vet_candidate", "en")
    assert raw_codes("Claimed by\tgushan_station", "en")
    assert raw_codes("Process\nappraisal\n", "en")


def test_names_pass() -> None:
    assert raw_codes("部门待办：公安分局\t招聘流程\t起草用人计划\t崮山派出所 刘警官", "zh-CN") == []
    assert raw_codes("Finance Bureau\tMonthly appraisal\tOpen tasks\tCompleted", "en") == []


def test_chinese_punctuation_on_english_pages_is_found() -> None:
    assert CHINESE_PUNCTUATION_AFTER_ENGLISH.search("Handled by：公安分局 王警官")
    assert CHINESE_PUNCTUATION_AFTER_ENGLISH.search("Completed（bureau）")
    assert not CHINESE_PUNCTUATION_AFTER_ENGLISH.search("Handled by: 公安分局 王警官 (Completed)")
    assert not CHINESE_PUNCTUATION_AFTER_ENGLISH.search("Reason: 薪酬标准偏低，请重新测算")
