"""The officer roster: listing and detail, status changes, and the contract renewal's start and operators.

Importing this package registers the renewal's, the rewards', training's and the dismissal's operators.
"""

from service.usecases.dismissal_records import dismissal_history
from service.usecases.roster import dismissal
from service.usecases.roster.access import can_read_roster, roster_towns
from service.usecases.roster.listing import filter_options, list_officers, officer_detail
from service.usecases.roster.renewal import start_due_renewals, start_renewal
from service.usecases.roster.rewards import reward_history
from service.usecases.roster.status import change_status
from service.usecases.roster.training import officers_without_undertaking

__all__ = [
    "can_read_roster",
    "change_status",
    "dismissal",
    "dismissal_history",
    "filter_options",
    "list_officers",
    "officer_detail",
    "reward_history",
    "officers_without_undertaking",
    "roster_towns",
    "start_due_renewals",
    "start_renewal",
]
