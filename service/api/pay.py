"""An officer's pay month by month from the confirmed payrolls (issue 17, point 8), for those who read pay:
the service company, Finance, the sub-bureau and auditors (service/usecases/payroll_lines.py)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from service.api import caller, context
from service.auth import allow
from service.usecases import payroll_lines

blp = Blueprint("officer_pay", __name__, url_prefix="/api/v1/officers", description="辅警工资 Officer pay")


class PayLineSchema(Schema):
    month = fields.String(metadata={"description": "发放月份 YYYY-MM"})
    month_label = fields.String(metadata={"description": "2026年11月"})
    wage = fields.Float(metadata={"description": "工资（元）"})
    insurances = fields.Float(metadata={"description": "五险合计（元）"})
    pension = fields.Float()
    medical = fields.Float()
    unemployment = fields.Float()
    work_injury = fields.Float()
    maternity = fields.Float()
    housing_fund = fields.Float(metadata={"description": "住房公积金（元）"})
    awards = fields.Float(metadata={"description": "奖励（元）"})
    total = fields.Float(metadata={"description": "合计（元）"})
    state = fields.String(metadata={"description": "confirmed 财政金融局已确认"})
    state_label = fields.String()
    state_label_en = fields.String()
    confirmed_on = fields.String()
    instance_id = fields.Integer(allow_none=True, metadata={"description": "工资表流程实例（可查看时）"})


class OfficerPaySchema(Schema):
    officer_id = fields.Integer()
    name = fields.String()
    lines = fields.List(fields.Nested(PayLineSchema))


@blp.route("/<int:officer_id>/pay")
class OfficerPay(MethodView):
    @allow("staff", "auditor")
    @blp.response(200, OfficerPaySchema)
    def get(self, officer_id: int) -> Any:
        """The officer's pay by month from the payrolls Finance confirmed, newest first."""
        return payroll_lines.officer_pay(context(), caller(), officer_id)
