"""Login, logout, the caller's profile, own tokens and language. The administration of users, tokens
and departments is in service/api/admin.py."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from service.api import answer, bearer_token, caller, context
from service.api.fields import Text
from service.auth import allow
from service.usecases import accounts
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


class UserTokenSchema(Schema):
    """A token as its owner and the administrator see it; never the token itself."""

    id = fields.Integer()
    name = fields.String()
    created_at = fields.DateTime()
    expires_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True)
    state = fields.String(metadata={"enum": ["active", "expired", "revoked"]})


class OwnTokenSchema(UserTokenSchema):
    current = fields.Boolean(metadata={"description": "the token this request was made with"})


def caller_dict(user: Any) -> dict[str, Any]:
    return {
        "user_id": user.user_id,
        "username": user.username,
        "display_name": user.display_name,
        "departments": sorted(user.memberships),
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
        return {**result, "user": caller_dict(result["user"])}


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
        return caller_dict(caller())


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
