"""Every API endpoint against every role, the unauthenticated caller included: deny by default."""

from __future__ import annotations

from typing import Any

from flask import Flask

from service.context import ServiceContext
from tests.api.recruitment_steps import start_recruitment, the_task
from tests.conftest import User, token_of

ROLES = ("anonymous", "staff", "head", "designer", "auditor", "admin")
USER_OF = {
    "staff": "bureau",
    "head": "bureau_head",
    "designer": "designer",
    "auditor": "auditor",
    "admin": "admin",
}
EVERYONE = set(ROLES) - {"anonymous"}
MEMBERS = {"staff", "head"}  # both are members of police_bureau in the demo data

# (method, rule) -> the roles that get past access control. Everyone else gets 401 (anonymous) or 403.
EXPECTED: dict[tuple[str, str], set[str]] = {
    ("POST", "/api/v1/auth/login"): set(ROLES),
    ("GET", "/api/v1/me"): EVERYONE,
    ("PUT", "/api/v1/me/language"): EVERYONE,
    ("GET", "/api/v1/me/tokens"): EVERYONE,
    ("POST", "/api/v1/me/tokens/<int:token_id>/revoke"): EVERYONE,
    ("GET", "/api/v1/admin/users"): {"admin"},
    ("POST", "/api/v1/admin/users"): {"admin"},
    ("PATCH", "/api/v1/admin/users/<int:user_id>"): {"admin"},
    ("POST", "/api/v1/admin/users/<int:user_id>/tokens"): {"admin"},
    ("POST", "/api/v1/admin/tokens/<int:token_id>/revoke"): {"admin"},
    ("GET", "/api/v1/admin/departments"): {"admin", "auditor"},
    ("POST", "/api/v1/admin/departments"): {"admin"},
    ("GET", "/api/v1/admin/users/<int:user_id>"): {"admin"},
    ("POST", "/api/v1/admin/users/<int:user_id>/deactivate"): {"admin"},
    ("POST", "/api/v1/admin/users/<int:user_id>/reactivate"): {"admin"},
    ("POST", "/api/v1/admin/users/<int:user_id>/password"): {"admin"},
    ("POST", "/api/v1/admin/users/<int:user_id>/revoke-tokens"): {"admin"},
    ("PATCH", "/api/v1/admin/departments/<department>"): {"admin"},
    ("GET", "/api/v1/admin/towns"): {"admin", "auditor"},
    ("POST", "/api/v1/admin/towns"): {"admin"},
    ("PATCH", "/api/v1/admin/towns/<town>"): {"admin"},
    ("GET", "/api/v1/admin/villages"): {"admin", "auditor"},
    ("POST", "/api/v1/admin/villages"): {"admin"},
    ("GET", "/api/v1/admin/villages/<village>"): {"admin", "auditor"},
    ("POST", "/api/v1/admin/villages/<village>/versions"): {"admin"},
    ("GET", "/api/v1/admin/campaign-registers"): {"admin", "auditor"},
    ("GET", "/api/v1/definitions"): {"designer", "auditor", "admin"},
    ("POST", "/api/v1/definitions"): {"designer"},
    ("POST", "/api/v1/definitions/<int:definition_id>/retire"): {"designer"},
    ("POST", "/api/v1/migrations/dry-run"): {"designer"},
    ("POST", "/api/v1/migrations"): {"designer"},
    ("GET", "/api/v1/drafts"): {"designer"},
    ("POST", "/api/v1/drafts"): {"designer"},
    ("DELETE", "/api/v1/drafts/<int:draft_id>"): {"designer"},
    ("GET", "/api/v1/drafts/<int:draft_id>/files/<name>"): {"designer"},
    ("PUT", "/api/v1/drafts/<int:draft_id>/files/<name>"): {"designer"},
    ("POST", "/api/v1/drafts/<int:draft_id>/check"): {"designer"},
    ("POST", "/api/v1/drafts/<int:draft_id>/publish"): {"designer"},
    ("GET", "/api/v1/definitions/diff"): {"designer", "auditor", "admin"},
    ("POST", "/api/v1/drafts/<int:draft_id>/sandbox-runs"): {"designer"},
    ("GET", "/api/v1/sandbox-runs/<int:run_id>"): {"designer"},
    ("POST", "/api/v1/sandbox-runs/<int:run_id>/tasks/<task_id>/complete"): {"designer"},
    ("POST", "/api/v1/sandbox-runs/<int:run_id>/timers/skip"): {"designer"},
    ("GET", "/api/v1/drafts/<int:draft_id>/scenarios"): {"designer"},
    ("POST", "/api/v1/drafts/<int:draft_id>/scenarios"): {"designer"},
    ("DELETE", "/api/v1/drafts/<int:draft_id>/scenarios/<int:scenario_id>"): {"designer"},
    ("POST", "/api/v1/drafts/<int:draft_id>/scenarios/replay"): {"designer"},
    ("POST", "/api/v1/drafts/import"): {"designer"},
    ("GET", "/api/v1/incidents"): {"designer", "admin"},
    ("POST", "/api/v1/incidents/<int:incident_id>/resolve"): {"designer", "admin"},
    ("GET", "/api/v1/instances"): MEMBERS | {"auditor", "designer"},
    ("POST", "/api/v1/instances"): MEMBERS,
    ("GET", "/api/v1/instances/<int:instance_id>"): MEMBERS | {"auditor", "designer"},
    ("GET", "/api/v1/instances/<int:instance_id>/history"): MEMBERS | {"auditor", "designer"},
    ("GET", "/api/v1/queues"): MEMBERS,
    ("GET", "/api/v1/queues/<department>/tasks"): MEMBERS | {"auditor"},
    ("GET", "/api/v1/tasks/<task_id>"): MEMBERS | {"auditor"},
    ("POST", "/api/v1/tasks/<task_id>/claim"): MEMBERS,
    ("POST", "/api/v1/tasks/<task_id>/release"): MEMBERS,
    ("POST", "/api/v1/tasks/<task_id>/complete"): MEMBERS,
    ("POST", "/api/v1/tasks/<task_id>/reassign"): {"head"},
    ("GET", "/api/v1/campaigns/<int:campaign_id>"): MEMBERS | {"auditor"},
    ("POST", "/api/v1/campaigns/<int:campaign_id>/applications"): MEMBERS,
    ("GET", "/api/v1/campaigns/<int:campaign_id>/calendar"): MEMBERS | {"auditor"},
    ("POST", "/api/v1/campaigns/<int:campaign_id>/calendar/close-registration"): {"head"},
    ("POST", "/api/v1/campaigns/<int:campaign_id>/calendar/extend-registration"): {"head"},
    ("POST", "/api/v1/campaigns/<int:campaign_id>/notices/<int:instance_id>/extend"): {"head"},
    ("POST", "/api/v1/campaigns/<int:campaign_id>/notices/<int:instance_id>/end"): {"head"},
    ("POST", "/api/v1/tasks/<task_id>/due-date"): {"head"},
    ("GET", "/api/v1/campaigns/<int:campaign_id>/applications"): MEMBERS | {"auditor"},
    ("POST", "/api/v1/appraisals/months"): {"head", "admin"},  # the bureau's head (or an admin)
    ("GET", "/api/v1/appraisals/reports/<month>"): MEMBERS | {"auditor"},
    ("GET", "/api/v1/officers/<int:officer_id>/appraisals"): MEMBERS | {"auditor"},
    ("GET", "/api/v1/officers"): MEMBERS | {"auditor", "admin"},
    ("GET", "/api/v1/officers/<int:officer_id>"): MEMBERS | {"auditor", "admin"},
    ("POST", "/api/v1/officers/<int:officer_id>/status"): MEMBERS,
    # Issue 17, points 4-5: the officer's station reports (the use case: that town's station only).
    ("POST", "/api/v1/officers/<int:officer_id>/work-injuries"): MEMBERS,
    ("POST", "/api/v1/officers/<int:officer_id>/deaths"): MEMBERS,
    # Issue 17, point 8: an officer's pay (the use case: the service company, Finance, the sub-bureau).
    ("GET", "/api/v1/officers/<int:officer_id>/pay"): MEMBERS | {"auditor"},
    ("GET", "/api/v1/undertakings/missing"): MEMBERS | {"auditor", "admin"},
    ("GET", "/api/v1/me/appraisals"): EVERYONE,
    ("GET", "/api/v1/me/field-reports"): EVERYONE,
    # Issue 17, point 7: a station enters an officer's paper report (others list none; take: 409 here).
    ("GET", "/api/v1/field-reports/awaiting-entry"): MEMBERS,
    ("POST", "/api/v1/tasks/<task_id>/take-on-behalf"): MEMBERS,
    ("GET", "/api/v1/audit/verify"): {"auditor"},
    ("GET", "/api/v1/audit/events"): {"auditor"},
    ("GET", "/api/v1/audit/events/export"): {"auditor"},
    # Issue 15, point 5: one's own notifications.
    # Issue 15, point 4: comments and attachments, read as the instance is; only staff add.
    ("GET", "/api/v1/instances/<int:instance_id>/comments"): MEMBERS | {"auditor", "designer"},
    ("POST", "/api/v1/instances/<int:instance_id>/comments"): MEMBERS,
    ("GET", "/api/v1/tasks/<task_id>/comments"): MEMBERS | {"auditor", "designer"},
    ("POST", "/api/v1/tasks/<task_id>/comments"): MEMBERS,
    ("POST", "/api/v1/tasks/<task_id>/attachments"): MEMBERS,
    ("GET", "/api/v1/instances/<int:instance_id>/attachments"): MEMBERS | {"auditor", "designer"},
    ("POST", "/api/v1/instances/<int:instance_id>/attachments"): MEMBERS,
    ("GET", "/api/v1/attachments/<int:attachment_id>/content"): MEMBERS | {"auditor", "designer"},
    ("DELETE", "/api/v1/attachments/<int:attachment_id>"): MEMBERS,  # the use case: its uploader only
    ("POST", "/api/v1/attachments/<int:attachment_id>/replacement"): MEMBERS,
    ("GET", "/api/v1/notifications"): EVERYONE,
    ("GET", "/api/v1/notifications/count"): EVERYONE,
    ("POST", "/api/v1/notifications/<int:notification_id>/read"): EVERYONE,
    ("POST", "/api/v1/notifications/read-all"): EVERYONE,
    # My work (issue 15, point 1): the caller's own inbox, claims and saved filters.
    ("GET", "/api/v1/inbox"): MEMBERS,
    ("POST", "/api/v1/inbox/claim"): MEMBERS,
    ("GET", "/api/v1/inbox/filters"): MEMBERS,
    ("POST", "/api/v1/inbox/filters"): MEMBERS,
    ("DELETE", "/api/v1/inbox/filters/<int:filter_id>"): MEMBERS,
    # Bulk scoring (issue 15, point 1): a step's table, for the members of the department.
    ("GET", "/api/v1/queues/<department>/bulk-steps"): MEMBERS,
    ("GET", "/api/v1/queues/<department>/steps/<step>/bulk"): MEMBERS,
    ("POST", "/api/v1/queues/<department>/steps/<step>/bulk-complete"): MEMBERS,
    ("GET", "/api/v1/queues/<department>/steps/<step>/bulk-workbook"): MEMBERS,
    ("POST", "/api/v1/queues/<department>/steps/<step>/bulk-workbook"): MEMBERS,
    # Last: it revokes the token the caller uses.
    ("POST", "/api/v1/auth/logout"): EVERYONE,
}


def api_rules(app: Flask) -> set[tuple[str, str]]:
    return {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
        for method in rule.methods or ()
        if method not in ("HEAD", "OPTIONS")
    }


def test_every_endpoint_has_an_expectation(app: Flask) -> None:
    assert api_rules(app) == set(EXPECTED)


def concrete(rule: str, values: dict[str, Any]) -> str:
    for name, value in values.items():
        rule = rule.replace(f"<int:{name}>", str(value)).replace(f"<{name}>", str(value))
    return rule


def test_role_by_endpoint_matrix(app: Flask, users: dict[str, User], ctx: ServiceContext) -> None:
    instance = start_recruitment(users["bureau"])
    task = the_task(users["bureau"], "police_bureau", "draft_plan")
    values = {
        "instance_id": instance["id"],
        "task_id": task["id"],
        "department": "police_bureau",
        "town": "gushan",
        "village": "gs-v01",
        "definition_id": 999_999,
        "campaign_id": 999_999,
        "officer_id": 999_999,
        "user_id": 999_999,
        "token_id": 999_999,
        "incident_id": 999_999,
        "notification_id": 999_999,
        "filter_id": 999_999,
        "draft_id": 999_999,
        "run_id": 999_999,
        "attachment_id": 999_999,
        "scenario_id": 999_999,
        "name": "model.bpmn",
        "month": "2026-11",
        "step": "draft_plan",
    }
    client = app.test_client()
    failures = []
    for role in ROLES:
        headers = {} if role == "anonymous" else {"Authorization": f"Bearer {token_of(USER_OF[role])}"}
        for method, rule in EXPECTED:  # dict order: logout last
            url = concrete(rule, values)
            query = "?until=2026-11" if "officers" in rule else ""
            response = client.open(
                url + query,
                method=method,
                headers=headers,
                json={} if method in ("POST", "PUT", "PATCH") else None,
            )
            allowed = role in EXPECTED[(method, rule)]
            status = response.status_code
            body = response.get_json(silent=True) or {}
            if allowed and status in (401, 403):
                failures.append(f"{role} {method} {rule}: refused {status} {body.get('message')}")
            if not allowed and status != (401 if role == "anonymous" else 403):
                failures.append(f"{role} {method} {rule}: expected refusal, got {status}")
            if status >= 500:
                failures.append(f"{role} {method} {rule}: server error {status}")
    assert failures == [], "\n".join(failures)
