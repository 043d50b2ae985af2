"""Login, logout, the caller's profile, and administration of users, tokens and departments."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from service.api import answer, bearer_token, caller, context
from service.api.admin import AdminUserSchema, UserDetailSchema
from service.api.fields import Id, Text
from service.auth import allow
from service.usecases import accounts
from service.usecases.admin import departments, users
from service.usecases.directory import ROLES
from service.usecases.login_throttle import LoginThrottledError

blp = Blueprint("accounts", __name__, url_prefix="/api/v1", description="账号 Accounts")


class LoginSchema(Schema):
    username = Text(64, min_length=1, required=True)
    password = Text(256, min_length=1, required=True, load_only=True)


class CallerSchema(Schema):
    user_id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    departments = fields.List(fields.String())
    heads_of = fields.List(fields.String())
    roles = fields.List(fields.String())
    language = fields.String()


class LoginResultSchema(Schema):
    token = fields.String()
    expires_at = fields.DateTime()
    user = fields.Nested(CallerSchema)


class LanguageSchema(Schema):
    language = fields.String(required=True, validate=validate.OneOf(["zh-CN", "en"]))


class NewUserSchema(Schema):
    username = Text(64, required=True, validate=[validate.Regexp(r"^[a-z][a-z0-9_.-]{1,63}$")])
    display_name = Text(128, min_length=1, required=True)
    password = Text(256, min_length=10, load_default=None, load_only=True)
    departments = fields.List(Text(64), load_default=list)
    heads_of = fields.List(Text(64), load_default=list)
    roles = fields.List(fields.String(validate=validate.OneOf(ROLES)), load_default=list)
    officer_id = Id(load_default=None)


class UserChangeSchema(Schema):
    display_name = Text(128, min_length=1)
    password = Text(256, min_length=10, load_only=True)
    departments = fields.List(Text(64))
    heads_of = fields.List(Text(64))
    roles = fields.List(fields.String(validate=validate.OneOf(ROLES)))
    is_active = fields.Boolean()


class NewUserResultSchema(Schema):
    user = fields.Nested(CallerSchema)
    token = fields.String()


class TokenRequestSchema(Schema):
    name = Text(128, min_length=1, required=True)
    # Unset: AUXPOLICE_TOKEN_DAYS; more than AUXPOLICE_TOKEN_MAX_DAYS is refused by the use case.
    days = fields.Integer(load_default=None, validate=validate.Range(min=1, max=365))


class TokenSchema(Schema):
    id = fields.Integer()
    token = fields.String()
    expires_at = fields.DateTime()


class OwnTokenSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    created_at = fields.DateTime()
    expires_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True)
    state = fields.String(metadata={"enum": ["active", "expired", "revoked"]})
    current = fields.Boolean(metadata={"description": "the token this request was made with"})


class DepartmentSchema(Schema):
    code = Text(64, required=True, validate=[validate.Regexp(r"^[a-z_]+(:[a-z0-9_-]+)?$")])
    name_zh = Text(128, min_length=1, required=True)
    name_en = Text(128, min_length=1, required=True)
    kind = Text(32, min_length=1, required=True)
    town = Text(32, load_default=None, allow_none=True)


def _caller_dict(user: Any) -> dict[str, Any]:
    return {
        "user_id": user.user_id,
        "username": user.username,
        "display_name": user.display_name,
        "departments": sorted(user.departments),
        "heads_of": sorted(user.heads_of),
        "roles": sorted(user.roles),
        "language": user.language,
    }


@blp.route("/auth/login")
class Login(MethodView):
    @allow("public")
    @blp.arguments(LoginSchema)
    @blp.response(200, LoginResultSchema)
    @blp.alt_response(429, description="Too many recent failures: retry after the Retry-After seconds")
    def post(self, body: dict[str, Any]) -> Any:
        """Exchange a username and password for a bearer token (AUXPOLICE_LOGIN_TOKEN_HOURS, 12 by default).

        After repeated failures from a source or for a username further tries wait longer and longer
        (429 with Retry-After); there is no lock, so nobody can keep another person out.
        """
        try:
            result = accounts.login(context(), body["username"], body["password"], request.remote_addr or "")
        except LoginThrottledError as error:
            response, status = answer(error.status, error.message, error.message_en)
            response.headers["Retry-After"] = str(error.retry_after)
            return response, status
        return {**result, "user": _caller_dict(result["user"])}


@blp.route("/auth/logout")
class Logout(MethodView):
    @allow("authenticated")
    @blp.response(204)
    def post(self) -> None:
        """Revoke the token of this request."""
        accounts.logout(context(), caller(), bearer_token() or "")


@blp.route("/me")
class Me(MethodView):
    @allow("authenticated")
    @blp.response(200, CallerSchema)
    def get(self) -> Any:
        """Who I am: departments, the ones I head, roles and language."""
        return _caller_dict(caller())


@blp.route("/me/tokens")
class MyTokens(MethodView):
    @allow("authenticated")
    @blp.response(200, OwnTokenSchema(many=True))
    def get(self) -> Any:
        """My tokens, newest first: name, creation, expiry, revocation, state; never the token itself."""
        return accounts.own_tokens(context(), caller(), bearer_token())


@blp.route("/me/tokens/<int:token_id>/revoke")
class RevokeMyToken(MethodView):
    @allow("authenticated")
    @blp.response(204)
    def post(self, token_id: int) -> None:
        """Revoke one of my tokens at once (a lost laptop, a script no longer used)."""
        accounts.revoke_own_token(context(), caller(), token_id)


@blp.route("/me/language")
class MyLanguage(MethodView):
    @allow("authenticated")
    @blp.arguments(LanguageSchema)
    @blp.response(204)
    def put(self, body: dict[str, Any]) -> None:
        """Remember my interface language (zh-CN or en)."""
        accounts.set_language(context(), caller(), body["language"])


@blp.route("/admin/users")
class Users(MethodView):
    @allow("admin")
    @blp.response(200, AdminUserSchema(many=True))
    def get(self) -> Any:
        """Every user with departments, the ones they head, roles, and whether active."""
        return [asdict(row) for row in users.user_rows(context())]

    @allow("admin")
    @blp.arguments(NewUserSchema)
    @blp.response(201, NewUserResultSchema)
    def post(self, body: dict[str, Any]) -> Any:
        """Create a user; the first token is shown once."""
        result = accounts.admin_create_user(context(), caller(), body)
        return {**result, "user": _caller_dict(result["user"])}


# One rule per URL: Werkzeug answers 405 instead of 404 for an unknown id when GET and PATCH of one path
# are two rules (it sees the PATCH rule's path before the GET rule's converter refuses the id).
@blp.route("/admin/users/<int:user_id>")
class User(MethodView):
    @allow("admin")
    @blp.response(200, UserDetailSchema)
    def get(self, user_id: int) -> Any:
        """One user with memberships, roles, whether active, and their tokens (never the token itself)."""
        detail = users.user_detail(context(), user_id)
        return {**detail, "user": asdict(detail["user"])}

    @allow("admin")
    @blp.arguments(UserChangeSchema)
    @blp.response(200, CallerSchema)
    def patch(self, body: dict[str, Any], user_id: int) -> Any:
        """Change roles, memberships, activity or password."""
        return _caller_dict(accounts.admin_update_user(context(), caller(), user_id, body))


@blp.route("/admin/users/<int:user_id>/tokens")
class UserTokens(MethodView):
    @allow("admin")
    @blp.arguments(TokenRequestSchema)
    @blp.response(201, TokenSchema)
    def post(self, body: dict[str, Any], user_id: int) -> Any:
        """Issue an API token for a user (shown once)."""
        return accounts.admin_issue_token(context(), caller(), user_id, body["name"], body["days"])


@blp.route("/admin/tokens/<int:token_id>/revoke")
class RevokeToken(MethodView):
    @allow("admin")
    @blp.response(204)
    def post(self, token_id: int) -> None:
        """Revoke a token at once."""
        accounts.admin_revoke_token(context(), caller(), token_id)


@blp.route("/admin/departments")
class Departments(MethodView):
    @allow("admin", "auditor")
    @blp.response(200, DepartmentSchema(many=True))
    def get(self) -> Any:
        """Every department."""
        return accounts.list_departments(context())

    @allow("admin")
    @blp.arguments(DepartmentSchema)
    @blp.response(201, DepartmentSchema)
    def post(self, body: dict[str, Any]) -> Any:
        """Create a department; a police station or town government is per town: code ``<kind>:<town>``."""
        return departments.create_department(context(), caller(), body)
