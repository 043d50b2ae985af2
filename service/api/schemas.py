"""Marshmallow schemas: the HTTP edge only."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from service.api.fields import PageNumber, Text
from service.usecases.id_numbers import ID_TYPE_CODES
from workflows.rules.eligibility import DISQUALIFIER_CODES, EDUCATION_CODES, PRIORITY_GROUP_CODES


class PageArgs(Schema):
    page = PageNumber()
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class ErrorSchema(Schema):
    code = fields.Integer(metadata={"description": "HTTP status"})
    status = fields.String()
    message = fields.String(metadata={"description": "中文说明：原因与处理办法"})
    message_en = fields.String(metadata={"description": "The same in English"})
    errors = fields.Raw(metadata={"description": "By field: [中文, English]; Excel: by row and column"})


class DefinitionSchema(Schema):
    id = fields.Integer()
    process_id = fields.String()
    version = fields.Integer()
    name = fields.String()
    bundle_sha256 = fields.String()
    deployed_by = fields.String()
    deployed_at = fields.DateTime()


class DeployRequestSchema(Schema):
    files = fields.Dict(
        keys=Text(128, min_length=1),
        values=fields.String(),
        required=True,
        metadata={"description": "file name -> content (.bpmn, .dmn, .json forms)"},
    )


class InstanceStartSchema(Schema):
    process_id = Text(128, min_length=1, required=True)
    business_key = Text(
        256,
        load_default=None,
        metadata={"description": "业务编号；不填则由系统生成（如 2026-recruitment、2026-recruitment-2）"},
    )
    data = fields.Dict(load_default=dict)


class InstanceListArgs(PageArgs):
    process_id = Text(128, load_default=None)
    # The open instances waiting at this step (its id in the model, e.g. submit_injury_materials).
    step = Text(128, load_default=None)
    state = fields.String(load_default=None, validate=validate.OneOf(["open", "ended", "archived"]))
    town = Text(32, load_default=None)
    # A training record's recorded result (with business_key "<training id>/": one training's records).
    result = fields.String(load_default=None, validate=validate.OneOf(["passed", "failed", "absent"]))
    status = fields.String(load_default=None, validate=validate.OneOf(["running", "completed", "error"]))
    business_key = Text(256, load_default=None)


class HumanTaskSchema(Schema):
    id = fields.String()
    instance_id = fields.Integer()
    process_id = fields.String()
    spec_name = fields.String()
    name_zh = fields.String()
    name_en = fields.String()
    department_code = fields.String()
    form = fields.String(allow_none=True)
    subject = fields.String()
    state = fields.String()
    claimed_by = fields.String(allow_none=True)
    completed_by = fields.String(allow_none=True)
    due_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    claimed_at = fields.DateTime(allow_none=True)
    completed_at = fields.DateTime(allow_none=True)
    head_only = fields.Boolean()
    overdue = fields.Boolean()
    on_behalf_of = fields.String(
        allow_none=True,
        metadata={"description": "the person's own queue it was taken from, to enter for them"},
    )


class RecordFieldSchema(Schema):
    key = fields.String()
    title_zh = fields.String()
    title_en = fields.String()
    value_zh = fields.String(metadata={"description": "the value as a label: enum labels, 是/否"})
    value_en = fields.String()
    children = fields.List(fields.Nested(lambda: RecordFieldSchema()))


class FollowingTaskSchema(Schema):
    id = fields.String()
    name_zh = fields.String()
    name_en = fields.String()
    department_code = fields.String()
    department_name_zh = fields.String()
    department_name_en = fields.String()
    state = fields.String()


class TaskRecordSchema(Schema):
    """What a completed task recorded (from its task_completed audit event) and where the work went next."""

    submitted_by = fields.String()
    submitted_by_name = fields.String()
    submitted_at = fields.DateTime()
    fields_ = fields.List(fields.Nested(RecordFieldSchema), data_key="fields", attribute="fields")
    next_tasks = fields.List(fields.Nested(FollowingTaskSchema))
    instance_completed = fields.Boolean()


class TaskDetailSchema(HumanTaskSchema):
    form_schema = fields.Dict(allow_none=True)
    data = fields.Dict()  # the task's context (read-only): what it inherited
    form_values = fields.Dict()  # what its form opens with: only its declared defaults
    # The grounds of the decision (the panels its model declares), bilingual, formatted for reading.
    grounds = fields.List(fields.Dict())
    record = fields.Nested(TaskRecordSchema, allow_none=True)  # a completed task's record


class InstanceSchema(Schema):
    id = fields.Integer()
    definition_id = fields.Integer()
    process_id = fields.String()
    business_key = fields.String(allow_none=True)
    status = fields.String()
    subject = fields.String()
    started_by = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    completed_at = fields.DateTime(allow_none=True)
    # When retention dropped the engine state (the data is then the final data the audit log keeps).
    archived_at = fields.DateTime(allow_none=True)


class InstanceStepSchema(Schema):
    """A step an open instance waits at: the task, its department, who holds it and its due date."""

    id = fields.String()
    spec_name = fields.String()
    name_zh = fields.String()
    name_en = fields.String()
    department_code = fields.String()
    claimed_by = fields.String(allow_none=True)
    due_at = fields.DateTime(allow_none=True)


class InstanceRowSchema(InstanceSchema):
    state = fields.String(metadata={"description": "open, ended or archived"})
    current_steps = fields.List(fields.Nested(InstanceStepSchema))


class InstanceDetailSchema(InstanceSchema):
    data = fields.Dict()
    tasks = fields.List(fields.Nested(HumanTaskSchema))


class AuditEventSchema(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    actor = fields.String()
    action = fields.String()
    instance_id = fields.Integer(allow_none=True)
    task_id = fields.String(allow_none=True)
    department_code = fields.String(allow_none=True)
    payload = fields.Dict()


def page_of(item_schema: type[Schema]) -> type[Schema]:
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item_schema)),
            "total": fields.Integer(),
            "page": fields.Integer(),
            "per_page": fields.Integer(),
        },
        name=f"{item_schema.__name__.removesuffix('Schema')}Page",
    )


class QueueSchema(Schema):
    department = fields.String()
    name_zh = fields.String()
    name_en = fields.String()
    open = fields.Integer()
    claimed_by_me = fields.Integer()
    overdue = fields.Integer()


class ReassignSchema(Schema):
    username = Text(64, min_length=1, required=True)
    reason = Text(
        1000,
        min_length=1,
        required=True,
        metadata={"description": "改派或接手的理由，记入审计 Why, kept in the task_reassigned event"},
    )


class QueueTaskArgs(PageArgs):
    overdue = fields.Boolean(load_default=False)
    q = Text(256, load_default="", metadata={"description": "任务名或事由包含的文字"})
    sort = fields.String(load_default="created", validate=validate.OneOf(["created", "due", "name"]))
    state = fields.String(
        load_default=None, validate=validate.OneOf(["open", "claimed", "completed", "cancelled"])
    )


class CompleteSchema(Schema):
    data = fields.Dict(required=True)


class ApplicationRequestSchema(Schema):
    name = Text(64, min_length=1, required=True)
    # The number's shape is checked per document type by the use case (service/usecases/id_numbers.py).
    id_type = fields.String(load_default="resident_id", validate=validate.OneOf(ID_TYPE_CODES))
    id_number = fields.String(required=True, validate=validate.Regexp(r"^[0-9A-Za-z]{6,18}$"))
    birth_date = fields.Date(required=True)
    sex = fields.String(load_default=None, validate=validate.OneOf(["male", "female"]))
    village_code = Text(32, required=True)
    home_village_code = Text(32, load_default=None)
    # ISO 3166-1 alpha-2; which codes exist is the use case's check (service/usecases/nationalities.py).
    nationality = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z]{2}$"))
    weihai_residence = fields.Boolean(required=True)
    education = fields.String(required=True, validate=validate.OneOf(EDUCATION_CODES))
    healthy = fields.Boolean(required=True)
    good_conduct = fields.Boolean(required=True)
    meets_post_requirements = fields.Boolean(load_default=True)
    related_experience = fields.Boolean(load_default=False)
    special_skills = fields.Boolean(load_default=False)
    professional_skills = fields.Boolean(load_default=False)
    military_service = fields.Boolean(load_default=False)
    party_member = fields.Boolean(load_default=False)
    priority = fields.List(fields.String(validate=validate.OneOf(PRIORITY_GROUP_CODES)), load_default=list)
    disqualifiers = fields.List(fields.String(validate=validate.OneOf(DISQUALIFIER_CODES)), load_default=list)


class ApplicationSchema(Schema):
    id = fields.Integer()
    campaign_id = fields.Integer()
    village_code = fields.String()
    name = fields.String()
    id_type = fields.String()
    birth_date = fields.Date()
    status = fields.String()
    reasons = fields.List(fields.String())
    score = fields.Float(allow_none=True)
    rank = fields.Integer(allow_none=True)
    screening_instance_id = fields.Integer(allow_none=True)
    applied_at = fields.DateTime()


class OfficerSchema(Schema):
    id = fields.Integer()
    # The application the officer was hired from: the link, never the name (issue 13).
    application_id = fields.Integer(allow_none=True)
    name = fields.String()
    village_code = fields.String()
    town = fields.String()
    role = fields.String()
    party_member = fields.Boolean()
    contract_number = fields.String()
    contract_start = fields.Date()
    contract_end = fields.Date()
    status = fields.String()
    status_since = fields.Date()
    left_on = fields.Date(allow_none=True)


class CampaignSchema(Schema):
    id = fields.Integer()
    instance_id = fields.Integer()
    business_key = fields.String()
    title = fields.String()
    status = fields.String()
    registration_start = fields.Date(allow_none=True)
    registration_end = fields.Date(allow_none=True)
    age_reference_date = fields.Date(allow_none=True)
    closes_at = fields.DateTime(allow_none=True)


class CampaignReportSchema(Schema):
    campaign = fields.Nested(CampaignSchema)
    posts_total = fields.Integer()
    posts_filled = fields.Integer()
    posts_vacant = fields.List(fields.String())
    posts_in_progress = fields.Integer()
    applicants_by_status = fields.Dict(keys=fields.String(), values=fields.Integer())
    rejections_by_reason = fields.Dict(keys=fields.String(), values=fields.Integer())
    officers = fields.List(fields.Nested(OfficerSchema))
    applications = fields.List(fields.Nested(ApplicationSchema))


# The campaign calendar (issue 13, point 2; service/usecases/recruitment/calendar.py).
class CalendarReasonSchema(Schema):
    reason = Text(
        1000,
        min_length=1,
        required=True,
        metadata={"description": "调整理由，记入审计 Why, kept in the calendar's audit event"},
    )


class RegistrationExtendSchema(CalendarReasonSchema):
    registration_end = fields.Date(
        required=True, metadata={"description": "新的报名截止日期（当日北京时间24时截止）"}
    )


class NoticeExtendSchema(CalendarReasonSchema):
    ends_on = fields.Date(required=True, metadata={"description": "新的公示结束日期（当日北京时间24时结束）"})


class TaskDueSchema(CalendarReasonSchema):
    due_on = fields.Date(required=True, metadata={"description": "新的完成期限（当日北京时间24时）"})


class RegistrationDatesSchema(Schema):
    campaign_id = fields.Integer()
    registration_end = fields.String(allow_none=True)
    closes_at = fields.String(allow_none=True)


class NoticeEndSchema(Schema):
    campaign_id = fields.Integer()
    instance_id = fields.Integer()
    ends_at = fields.String()


class TaskDueAtSchema(Schema):
    task_id = fields.String()
    due_at = fields.String()


class CalendarTimerSchema(Schema):
    instance_id = fields.Integer()
    task_id = fields.String()
    spec_name = fields.String()
    name_zh = fields.String()
    name_en = fields.String()
    subject = fields.String()
    kind = fields.String(metadata={"description": "registration | notice"})
    due_at = fields.DateTime()
    may_end_early = fields.Boolean()


class CalendarTaskSchema(Schema):
    id = fields.String()
    instance_id = fields.Integer()
    name_zh = fields.String()
    name_en = fields.String()
    subject = fields.String()
    department_code = fields.String()
    due_at = fields.DateTime(allow_none=True)
    can_extend = fields.Boolean()


class CalendarChangeSchema(Schema):
    at = fields.DateTime()
    actor = fields.String()
    action = fields.String()
    instance_id = fields.Integer(allow_none=True)
    subject = fields.String()
    reason = fields.String()
    before = fields.Dict()
    after = fields.Dict()


class CampaignCalendarSchema(Schema):
    campaign_id = fields.Integer()
    status = fields.String()
    registration_start = fields.Date(allow_none=True)
    registration_end = fields.Date(allow_none=True)
    closes_at = fields.DateTime(allow_none=True)
    notice_days = fields.Integer()
    registration_open = fields.Boolean()
    can_change = fields.Boolean()
    timers = fields.List(fields.Nested(CalendarTimerSchema))
    tasks = fields.List(fields.Nested(CalendarTaskSchema))
    history = fields.List(fields.Nested(CalendarChangeSchema))
