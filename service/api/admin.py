"""Administration: users (the list, one user, creating, changing, deactivating and reactivating, password
resets), their API tokens, departments, towns, and the village register with its history. For the global
role admin only (departments and the register may be read by auditors)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from service.api import caller, context
from service.api.accounts import CallerSchema, UserTokenSchema, caller_dict
from service.api.fields import Id, Text
from service.auth import allow
from service.usecases.admin import departments, register, tokens, users
from service.usecases.admin.account_rules import USERNAME
from service.usecases.directory import ROLES
from workflows.rules.posts import VILLAGE_KINDS

blp = Blueprint("admin", __name__, url_prefix="/api/v1/admin", description="系统管理 Administration")

CODE = validate.Regexp(
    r"^[a-z][a-z0-9-]{0,31}$", error="小写字母、数字和连字符 Lower-case letters, digits, hyphens"
)


class AdminUserSchema(Schema):
    user_id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    departments = fields.List(fields.String())
    heads_of = fields.List(fields.String())
    roles = fields.List(fields.String())
    is_active = fields.Boolean()
    has_password = fields.Boolean()
    created_at = fields.DateTime()


class UserDetailSchema(Schema):
    user = fields.Nested(AdminUserSchema)
    tokens = fields.List(fields.Nested(UserTokenSchema))


class NewUserSchema(Schema):
    username = Text(64, required=True, validate=[validate.Regexp(f"^{USERNAME}$")])
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


class DepartmentSchema(Schema):
    code = Text(64, required=True, validate=[validate.Regexp(r"^[a-z_]+(:[a-z0-9_-]+)?$")])
    name_zh = Text(128, min_length=1, required=True)
    name_en = Text(128, min_length=1, required=True)
    kind = Text(32, min_length=1, required=True)
    town = Text(32, load_default=None, allow_none=True)


class PasswordResetSchema(Schema):
    password = Text(256, load_default=None, load_only=True, metadata={"description": "空：生成一个"})


class PasswordResetResultSchema(Schema):
    generated_password = fields.String(
        allow_none=True, metadata={"description": "生成的新密码，只显示这一次；指定了密码时为空"}
    )


class RevokedSchema(Schema):
    revoked = fields.List(fields.Integer(), metadata={"description": "被吊销的令牌编号"})


class NamesSchema(Schema):
    name_zh = Text(128, min_length=1, required=True)
    name_en = Text(128, min_length=1, required=True)


class TownSchema(Schema):
    code = Text(32, required=True, validate=[CODE])
    name_zh = Text(64, min_length=1, required=True)
    name_en = Text(128, min_length=1, required=True)


class TownNamesSchema(Schema):
    name_zh = Text(64, min_length=1, required=True)
    name_en = Text(128, min_length=1, required=True)


class RegisterEntrySchema(Schema):
    code = fields.String()
    name_zh = fields.String()
    name_en = fields.String()
    town = fields.String()
    kind = fields.String(metadata={"enum": list(VILLAGE_KINDS)})
    households = fields.Integer()
    many_small_venues = fields.Boolean()
    effective_from = fields.Date()
    effective_to = fields.Date(allow_none=True, metadata={"description": "不含；空：现行"})
    reason = fields.String()
    recorded_by = fields.String()
    recorded_at = fields.DateTime()
    posts = fields.Integer(metadata={"description": "按政策计算的辅警编制数"})
    post_reasons = fields.List(fields.String())


class RegisterSchema(Schema):
    on = fields.Date()
    today = fields.Date()
    villages = fields.List(fields.Nested(RegisterEntrySchema))
    total_posts = fields.Integer()


class RegisterArgs(Schema):
    on = fields.Date(load_default=None, metadata={"description": "登记册在该日的状态；空：今天"})


class NewVillageSchema(Schema):
    code = Text(32, load_default=None, validate=[CODE], metadata={"description": "空：自动生成"})
    name_zh = Text(64, min_length=1, required=True)
    name_en = Text(128, min_length=1, required=True)
    town = Text(32, min_length=1, required=True)
    kind = fields.String(required=True, validate=validate.OneOf(VILLAGE_KINDS))
    households = fields.Integer(required=True, validate=validate.Range(min=0, max=1_000_000))
    many_small_venues = fields.Boolean(load_default=False)
    effective_from = fields.Date(
        load_default=None, metadata={"description": "生效日期，不晚于今天；空：今天"}
    )
    reason = Text(256, load_default="")


class VillageChangeSchema(Schema):
    name_zh = Text(64, min_length=1)
    name_en = Text(128, min_length=1)
    town = Text(32, min_length=1)
    kind = fields.String(validate=validate.OneOf(VILLAGE_KINDS))
    households = fields.Integer(validate=validate.Range(min=0, max=1_000_000))
    many_small_venues = fields.Boolean()
    effective_from = fields.Date(required=True, metadata={"description": "生效日期，不晚于今天"})
    reason = Text(256, load_default="")


class CampaignDateSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    planned_on = fields.Date(metadata={"description": "计算编制的日期：当日的登记册即其用人计划所依据的"})


@blp.route("/users")
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
        result = users.create_user_with_token(context(), caller(), body)
        return {**result, "user": caller_dict(result["user"])}


# One rule per URL: Werkzeug answers 405 instead of 404 for an unknown id when GET and PATCH of one path
# are two rules (it sees the PATCH rule's path before the GET rule's converter refuses the id).
@blp.route("/users/<int:user_id>")
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
        return caller_dict(users.update_user(context(), caller(), user_id, body))


@blp.route("/users/<int:user_id>/tokens")
class UserTokens(MethodView):
    @allow("admin")
    @blp.arguments(TokenRequestSchema)
    @blp.response(201, TokenSchema)
    def post(self, body: dict[str, Any], user_id: int) -> Any:
        """Issue an API token for a user (shown once)."""
        return tokens.issue(context(), caller(), user_id, body["name"], body["days"])


@blp.route("/tokens/<int:token_id>/revoke")
class RevokeToken(MethodView):
    @allow("admin")
    @blp.response(204)
    def post(self, token_id: int) -> None:
        """Revoke a token at once."""
        tokens.revoke(context(), caller(), token_id)


@blp.route("/departments")
class Departments(MethodView):
    @allow("admin", "auditor")
    @blp.response(200, DepartmentSchema(many=True))
    def get(self) -> Any:
        """Every department."""
        return departments.department_rows(context())

    @allow("admin")
    @blp.arguments(DepartmentSchema)
    @blp.response(201, DepartmentSchema)
    def post(self, body: dict[str, Any]) -> Any:
        """Create a department; a police station or town government is per town: code ``<kind>:<town>``."""
        return departments.create_department(context(), caller(), body)


@blp.route("/users/<int:user_id>/deactivate")
class Deactivate(MethodView):
    @allow("admin")
    @blp.response(200, AdminUserSchema)
    def post(self, user_id: int) -> Any:
        """Deactivate: sign-in refused, tokens revoked, browser sessions ended. The last admin stays."""
        return asdict(users.set_active(context(), caller(), user_id, False))


@blp.route("/users/<int:user_id>/reactivate")
class Reactivate(MethodView):
    @allow("admin")
    @blp.response(200, AdminUserSchema)
    def post(self, user_id: int) -> Any:
        """Reactivate an account (its old tokens stay revoked)."""
        return asdict(users.set_active(context(), caller(), user_id, True))


@blp.route("/users/<int:user_id>/password")
class ResetPassword(MethodView):
    @allow("admin")
    @blp.arguments(PasswordResetSchema)
    @blp.response(200, PasswordResetResultSchema)
    def post(self, body: dict[str, Any], user_id: int) -> Any:
        """Reset the password (given, or generated and shown once): the user is signed out everywhere."""
        return {"generated_password": users.reset_password(context(), caller(), user_id, body["password"])}


@blp.route("/users/<int:user_id>/revoke-tokens")
class RevokeTokens(MethodView):
    @allow("admin")
    @blp.response(200, RevokedSchema)
    def post(self, user_id: int) -> Any:
        """Revoke every live API token of the user."""
        return {"revoked": tokens.revoke_all(context(), caller(), user_id)}


@blp.route("/departments/<department>")
class Department(MethodView):
    @allow("admin")
    @blp.arguments(NamesSchema)
    @blp.response(200, NamesSchema)
    def patch(self, body: dict[str, Any], department: str) -> Any:
        """Rename a department (its code, which lanes and memberships name, stays)."""
        return departments.rename_department(context(), caller(), department, body)


@blp.route("/towns")
class Towns(MethodView):
    @allow("admin", "auditor")
    @blp.response(200, TownSchema(many=True))
    def get(self) -> Any:
        """The towns of the register."""
        return register.town_rows(context())

    @allow("admin")
    @blp.arguments(TownSchema)
    @blp.response(201, TownSchema)
    def post(self, body: dict[str, Any]) -> Any:
        """Add a town."""
        return register.create_town(context(), caller(), body)


@blp.route("/towns/<town>")
class Town(MethodView):
    @allow("admin")
    @blp.arguments(TownNamesSchema)
    @blp.response(200, TownSchema)
    def patch(self, body: dict[str, Any], town: str) -> Any:
        """Rename a town."""
        return register.rename_town(context(), caller(), town, body)


@blp.route("/villages")
class Villages(MethodView):
    @allow("admin", "auditor")
    @blp.arguments(RegisterArgs, location="query")
    @blp.response(200, RegisterSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """The village register in force on a day (today by default), each village with its posts."""
        found = register.register_on(context(), args["on"])
        return {**found, "villages": [asdict(entry) for entry in found["villages"]]}

    @allow("admin")
    @blp.arguments(NewVillageSchema)
    @blp.response(201, RegisterEntrySchema)
    def post(self, body: dict[str, Any]) -> Any:
        """Enter a village or community, in force from a day (today or earlier)."""
        return asdict(register.create_village(context(), caller(), body))


@blp.route("/villages/<village>")
class Village(MethodView):
    @allow("admin", "auditor")
    @blp.response(200, RegisterEntrySchema(many=True))
    def get(self, village: str) -> Any:
        """A village's history: each version of its entry with the days it was in force, newest first."""
        return [asdict(entry) for entry in register.village_history(context(), village)]


@blp.route("/villages/<village>/versions")
class VillageVersions(MethodView):
    @allow("admin")
    @blp.arguments(VillageChangeSchema)
    @blp.response(201, RegisterEntrySchema)
    def post(self, body: dict[str, Any], village: str) -> Any:
        """Change a village's entry from a day on (today or earlier, not before its entry in force began;
        the same day corrects that entry); fields left out keep their value."""
        return asdict(register.change_village(context(), caller(), village, body))


@blp.route("/campaign-registers")
class CampaignRegisters(MethodView):
    @allow("admin", "auditor")
    @blp.response(200, CampaignDateSchema(many=True))
    def get(self) -> Any:
        """Each campaign with the day it computed its posts: GET /admin/villages?on=<that day> shows the
        register it planned with."""
        return register.campaign_dates(context())
