from django.utils.translation import gettext_lazy as _

from oms.core.errors import Conflict, NotFound, PermissionDenied


class ExternalOrderChanged(Conflict):
    code = "external_order_changed"
    default_message = _("The channel sent this order again with different content; the stored order is unchanged.")


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key_reused"
    default_message = _("This Idempotency-Key was already used for a different request.")


class OrderNotFound(NotFound):
    code = "order_not_found"
    default_message = _("No such order.")


class ChannelNotAllowed(PermissionDenied):
    code = "channel_not_allowed"
    default_message = _("You may not act for this channel.")


class SelfCheckNotAllowed(PermissionDenied):
    code = "second_person_required"
    default_message = _(
        "A hand-entered order must be checked by someone other than the person who entered or last edited it."
    )


class NotADraft(Conflict):
    code = "not_a_draft"
    default_message = _("Only draft orders awaiting their second check can be changed this way.")
