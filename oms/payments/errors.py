from django.utils.translation import gettext_lazy as _

from oms.core.errors import BusinessRuleViolation, Conflict, NotFound


class ChannelNotFound(NotFound):
    code = "channel_not_found"
    default_message = _("No such channel.")


class NothingToSettle(Conflict):
    code = "nothing_to_settle"
    default_message = _("This channel has no unsettled completed orders on this day.")


class SettlementChanged(Conflict):
    code = "settlement_changed"
    default_message = _("The day's unsettled orders changed since you looked; review them again.")


class MismatchesNeedNote(BusinessRuleViolation):
    code = "mismatches_need_note"
    default_message = _("This batch has mismatches: settle it only with a note that says how they were resolved.")
