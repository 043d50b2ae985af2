"""The bureau's list of a campaign's applications at the HTTP edge: its filters and its rows."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from service.api.fields import Text
from service.api.schemas import PageArgs
from service.usecases.recruitment.application_list import STATUS_CODES


class ApplicationListArgs(PageArgs):
    village = Text(32, load_default=None, metadata={"description": "报考村（社区）代码"})
    result = fields.String(
        load_default=None,
        validate=validate.OneOf(STATUS_CODES),
        metadata={"description": "报名状态（资格审查结果及其后各环节）"},
    )


class ApplicationRowSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    id_type = fields.String()
    id_type_label = fields.String()
    id_type_label_en = fields.String()
    id_number_masked = fields.String(metadata={"description": "证件号码，隐去中间位"})
    sex = fields.String(allow_none=True)
    birth_date = fields.Date()
    age = fields.Integer(allow_none=True, metadata={"description": "年龄（周岁），按本批次年龄计算截止日期"})
    nationality = fields.String(metadata={"description": "ISO 3166-1 alpha-2"})
    nationality_name = fields.String()
    nationality_name_en = fields.String()
    village_code = fields.String()
    village_name = fields.String()
    village_name_en = fields.String()
    status = fields.String()
    status_label = fields.String()
    status_label_en = fields.String()
    reasons = fields.List(fields.String())
    reasons_en = fields.List(fields.String())
    score = fields.Float(allow_none=True)
    rank = fields.Integer(allow_none=True)
    applied_at = fields.DateTime()
    screening_instance_id = fields.Integer(allow_none=True)


class ApplicationListCampaignSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    business_key = fields.String()
    status = fields.String()
    age_reference_date = fields.Date()
    registration_start = fields.Date(allow_none=True)
    registration_end = fields.Date(allow_none=True)


class ApplicationListSchema(Schema):
    campaign = fields.Nested(ApplicationListCampaignSchema)
    items = fields.List(fields.Nested(ApplicationRowSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
