"""My work (issue 15, point 1): one inbox across all the caller's departments, its counts for the
navigation, saved filters and bulk claim. Pages and the API call these; docs/design.md, "Inbox"."""

from service.usecases.inbox.bounded import Count
from service.usecases.inbox.claims import claim_many
from service.usecases.inbox.counting import nav_counts, section_counts
from service.usecases.inbox.filters import choices
from service.usecases.inbox.listing import DUE_CHOICES, SECTIONS, SORTS, InboxPage, InboxQuery, inbox_page
from service.usecases.inbox.saved import delete_filter, save_filter, saved_filters

__all__ = [
    "DUE_CHOICES",
    "SECTIONS",
    "SORTS",
    "Count",
    "InboxPage",
    "InboxQuery",
    "choices",
    "claim_many",
    "delete_filter",
    "inbox_page",
    "nav_counts",
    "save_filter",
    "saved_filters",
    "section_counts",
]
