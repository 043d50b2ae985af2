"""What a notification says, in Chinese and English: its kind, the task by name, whom it is about and the
process by name (never codes)."""

from __future__ import annotations

from typing import Any

from service.usecases.names import Name

KIND_NAMES = {
    "new_task": Name("新任务", "New task"),
    "returned": Name("退回给您", "Returned to you"),
    "reassigned": Name("改派给您", "Handed to you"),
    "handed_away": Name("任务已改派", "Task handed over"),
    "moved": Name("流程调整转来", "Moved by a process change"),
    "due_today": Name("今日到期", "Due today"),
    "due_tomorrow": Name("明天到期", "Due tomorrow"),
    "overdue": Name("已逾期", "Overdue"),
    "escalation": Name("逾期督办", "Escalation"),
}


def texts(
    row: Any,
    process: Name | None,
    actor: Name | None,
    department: Name | None = None,
    subject_en: str | None = None,
) -> tuple[str, str]:
    """(Chinese, English) of a notification row: its kind, task names, subject and process."""
    kind = KIND_NAMES.get(row.kind, Name(row.kind, row.kind))
    if row.kind == "handed_away" and actor is not None:  # 任务已改派给 <name>: the one it went to
        zh, en = about(row, process, None, department, subject_en)
        return f"任务已改派给 {actor.zh}：{zh}", f"Task handed over to {actor.en}: {en}"
    zh, en = about(row, process, actor, department, subject_en)
    return f"{kind.zh}：{zh}", f"{kind.en}: {en}"


def about(
    row: Any,
    process: Name | None,
    actor: Name | None,
    department: Name | None = None,
    subject_en: str | None = None,
) -> tuple[str, str]:
    """(Chinese, English) of what a notification is about, without its kind; ``actor``: who returned,
    handed over or moved the task (for ``handed_away``: whom it went to); ``department``: the queue a moved
    task is now in; ``subject_en``: the subject in English (service/usecases/subjects.py)."""
    process = process or Name(row.process_id, row.process_id)
    subject_zh = f"——{row.subject}" if row.subject else ""
    subject_en = f" — {subject_en or row.subject}" if row.subject else ""
    zh = f"{row.task_name_zh}{subject_zh}（{process.zh}）"
    en = f"{row.task_name_en}{subject_en} ({process.en})"
    if row.kind == "moved" and department is not None:
        zh += f"，现由{department.zh}办理"
        en += f", now with {department.en}"
    if actor is not None and row.kind in ACTOR_LABELS:
        label = ACTOR_LABELS[row.kind]
        zh += f"，{label.zh}：{actor.zh}"
        en += f", {label.en} {actor.en}"
    return zh, en


# How the person behind a notification is named, by kind.
ACTOR_LABELS = {
    "returned": Name("退回人", "returned by"),
    "reassigned": Name("改派人", "handed over by"),
    "moved": Name("调整人", "moved by"),
    "handed_away": Name("已改派给", "handed over to"),
}
