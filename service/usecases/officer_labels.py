"""The officer statuses and roles, with their labels in both languages (read by the roster, the appraisal
and the welfare processes: a leaf module, so that none of them imports another to learn a label)."""

from __future__ import annotations

IN_SERVICE = "in_service"
# The statuses an officer may leave service with; only "in_service" holds a post (vacancies are the
# register's posts minus the officers in service, service/usecases/recruitment/plan.py).
LEAVING_STATUSES = ("resigned", "dismissed", "contract_ended")
# A death ends service too, but only the death-on-duty process records it (service/usecases/welfare/), never a
# status change by hand: died on duty (牺牲) when the sub-bureau confirms it, else deceased.
DEATH_STATUSES = ("died_on_duty", "deceased")
# A work injury graded 1-4 (一至四级伤残) ends service too (工伤保险条例 第三十五条: the labour relation is
# kept, the officer leaves the post), set only by the work-injury process
# (service/usecases/welfare/injury.py).
INJURY_EXIT = "left_post_injury"
STATUSES = (IN_SERVICE, *LEAVING_STATUSES, *DEATH_STATUSES, INJURY_EXIT)
# Not a status of its own but a state of an officer in service (who keeps the post): on injury leave
# (停工留薪期) today. The roster shows it in the status's place and filters on it.
ON_INJURY_LEAVE = "injury_leave"
ON_INJURY_LEAVE_LABEL = ("工伤休假", "On injury leave")
FILTER_STATUSES = (*STATUSES, ON_INJURY_LEAVE)
STATUS_LABELS: dict[str, tuple[str, str]] = {
    "in_service": ("在岗", "In service"),
    "contract_ended": ("合同终止", "Contract ended"),
    "dismissed": ("辞退", "Dismissed"),
    "resigned": ("辞职", "Resigned"),
    "died_on_duty": ("牺牲", "Died on duty"),
    "deceased": ("死亡", "Deceased"),
    INJURY_EXIT: ("因工伤退出岗位", "Left the post after a work injury"),
    ON_INJURY_LEAVE: ON_INJURY_LEAVE_LABEL,
}
ROLE_LABELS: dict[str, tuple[str, str]] = {
    "party_secretary_assistant": ("村（社区）党支部书记助理", "Assistant to the village Party secretary"),
    "director_assistant": ("村（社区）主任助理", "Assistant to the village director"),
}


def status_label(code: str) -> tuple[str, str]:
    return STATUS_LABELS.get(code, (code, code))


def role_label(code: str) -> tuple[str, str]:
    return ROLE_LABELS.get(code, (code, code))
