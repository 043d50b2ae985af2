"""SQLAlchemy 2 models: definitions, instances and their projections, people, the village register.

An instance's state JSON is the source of truth; human tasks, timers and audit events are projections
written in the same transaction as the state.

One module a part (base, identity, register, processes, audit, recruitment, appraisal); every name is
re-exported here, so ``from service.persistence.models import X`` is the way to import one, and importing
this package registers every table on ``Base.metadata`` (Alembic and the tests rely on it).
"""

from service.persistence.models.appraisal import (
    AppraisalCountModel,
    AppraisalRecordModel,
    AppraisalStartModel,
)
from service.persistence.models.attachments import AttachmentBlobModel, AttachmentModel, CommentModel
from service.persistence.models.audit import (
    AuditEventModel,
    AuditHeadModel,
    AuditVerificationModel,
    InstanceSubjectModel,
)
from service.persistence.models.base import Base, CompressedJSON, UTCDateTime, encode_state
from service.persistence.models.contracts import OfficerContractModel
from service.persistence.models.dismissal import DismissalCaseModel
from service.persistence.models.drafts import DraftModel
from service.persistence.models.field_reports import FieldReportModel
from service.persistence.models.identity import (
    ApiTokenModel,
    DepartmentModel,
    LoginFailureModel,
    MembershipModel,
    UserModel,
    WebSessionModel,
)
from service.persistence.models.inbox import SavedFilterModel
from service.persistence.models.notifications import (
    NOTIFICATION_KINDS,
    NotificationMarkModel,
    NotificationModel,
    NotificationReadModel,
)
from service.persistence.models.payroll import PayrollLineModel
from service.persistence.models.processes import (
    ACTIVE_TASK,
    OPEN_STATES,
    BundleModel,
    DefinitionModel,
    HumanTaskFacts,
    HumanTaskModel,
    IncidentModel,
    InstanceModel,
    TimerModel,
)
from service.persistence.models.recruitment import (
    ApplicationModel,
    CampaignModel,
    ContractRenewalStartModel,
    OfficerModel,
)
from service.persistence.models.register import TownModel, VillageModel, VillageVersionModel
from service.persistence.models.welfare import InjuryLeaveModel
from service.persistence.models.workbench import DraftScenarioModel, SandboxRunModel

__all__ = [
    "ACTIVE_TASK",
    "NOTIFICATION_KINDS",
    "OPEN_STATES",
    "ApiTokenModel",
    "ApplicationModel",
    "AppraisalCountModel",
    "AppraisalRecordModel",
    "AppraisalStartModel",
    "AttachmentBlobModel",
    "AttachmentModel",
    "AuditEventModel",
    "AuditHeadModel",
    "AuditVerificationModel",
    "Base",
    "BundleModel",
    "CampaignModel",
    "CommentModel",
    "CompressedJSON",
    "ContractRenewalStartModel",
    "DefinitionModel",
    "DepartmentModel",
    "DismissalCaseModel",
    "DraftModel",
    "DraftScenarioModel",
    "FieldReportModel",
    "HumanTaskFacts",
    "HumanTaskModel",
    "IncidentModel",
    "InjuryLeaveModel",
    "InstanceModel",
    "InstanceSubjectModel",
    "LoginFailureModel",
    "MembershipModel",
    "NotificationMarkModel",
    "NotificationModel",
    "NotificationReadModel",
    "OfficerContractModel",
    "OfficerModel",
    "PayrollLineModel",
    "SandboxRunModel",
    "SavedFilterModel",
    "TimerModel",
    "TownModel",
    "UTCDateTime",
    "UserModel",
    "VillageModel",
    "VillageVersionModel",
    "WebSessionModel",
    "encode_state",
]
