"""Migrating running instances to another version of their process (issue 14, point 5): designers only."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from service.api import caller, context
from service.api.fields import Id, Text
from service.auth import allow
from service.usecases.migration import moves as instance_migration
from service.usecases.migration.moves import MAX_INSTANCES, MigrationRequest

blp = Blueprint(
    "migrations", __name__, url_prefix="/api/v1/migrations", description="实例迁移 Instance migration"
)


class MigrationRequestSchema(Schema):
    process_id = Text(128, min_length=1, required=True)
    from_definition = Id(required=True, metadata={"description": "the source version's definition id"})
    to_definition = Id(required=True, metadata={"description": "the target version's definition id"})
    instances = fields.List(
        Id(),
        allow_none=True,
        load_default=None,
        validate=validate.Length(max=MAX_INSTANCES),
        metadata={"description": "instance ids; null: every running instance of the source version"},
    )
    business_keys = fields.List(
        Text(256), allow_none=True, load_default=None, validate=validate.Length(max=MAX_INSTANCES)
    )
    waiting_at = Text(
        128, min_length=1, allow_none=True, load_default=None, metadata={"description": "a BPMN element id"}
    )


class ReasonSchema(Schema):
    zh = fields.String()
    en = fields.String()


class MigrationOutcomeSchema(Schema):
    instance_id = fields.Integer()
    business_key = fields.String(allow_none=True)
    can_move = fields.Boolean()
    migrated = fields.Boolean()
    failed = fields.Boolean(
        metadata={"description": "its move was attempted and undone (the reasons say why); others went on"}
    )
    reasons = fields.List(fields.Nested(ReasonSchema))
    changed = fields.List(fields.String(), metadata={"description": "elements the target version changes"})
    added = fields.List(fields.String())
    removed = fields.List(fields.String())


@blp.route("/dry-run")
class DryRun(MethodView):
    @allow("designer")
    @blp.arguments(MigrationRequestSchema)
    @blp.response(200, MigrationOutcomeSchema(many=True))
    def post(self, body: dict[str, Any]) -> Any:
        """List, per chosen instance, whether it can move to the target version and why not."""
        return instance_migration.dry_run(context(), caller().username, MigrationRequest(**body))


@blp.route("")
class Migrate(MethodView):
    @allow("designer")
    @blp.arguments(MigrationRequestSchema)
    @blp.response(200, MigrationOutcomeSchema(many=True))
    def post(self, body: dict[str, Any]) -> Any:
        """Move each chosen instance that can move, each in its own transaction; report every one."""
        return instance_migration.migrate_instances(context(), caller().username, MigrationRequest(**body))
