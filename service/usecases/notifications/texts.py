"""What a notification says, in Chinese and English: its kind, the task by name, whom it is about and the
process by name (never codes)."""

from __future__ import annotations

from typing import Any

from service.usecases.names import Name

KIND_NAMES = {
    "new_task": Name("新任务", "New task"),
    "returned": Name("退回给您", "Returned to you"),
    "due_tomorrow": Name("明天到期", "Due tomorrow"),
    "overdue": Name("已逾期", "Overdue"),
    "escalation": Name("逾期督办", "Escalation"),
}


def texts(row: Any, process: Name | None, actor: Name | None) -> tuple[str, str]:
    """(Chinese, English) of a notification row: its kind, task names, subject and process."""
    kind = KIND_NAMES.get(row.kind, Name(row.kind, row.kind))
    zh, en = about(row, process, actor)
    return f"{kind.zh}：{zh}", f"{kind.en}: {en}"


def about(row: Any, process: Name | None, actor: Name | None) -> tuple[str, str]:
    """(Chinese, English) of what a notification is about, without its kind."""
    process = process or Name(row.process_id, row.process_id)
    subject_zh = f"——{row.subject}" if row.subject else ""
    subject_en = f" — {row.subject}" if row.subject else ""
    zh = f"{row.task_name_zh}{subject_zh}（{process.zh}）"
    en = f"{row.task_name_en}{subject_en} ({process.en})"
    if row.kind == "returned" and actor is not None:
        zh += f"，退回人：{actor.zh}"
        en += f", returned by {actor.en}"
    return zh, en
