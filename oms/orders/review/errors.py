"""Errors of the coupon list and the block list; codes are part of the API."""

from django.utils.translation import gettext_lazy as _

from oms.core.errors import NotFound, ValidationFailed


class CouponNotFound(NotFound):
    code = "coupon_not_found"
    default_message = _("No such coupon.")


class BlockListEntryNotFound(NotFound):
    code = "block_list_entry_not_found"
    default_message = _("No such block-list entry.")


class AlreadyListed(ValidationFailed):
    """The coupon code, or the phone number or address, is on the list already; details name the field."""

    code = "already_listed"
    default_message = _("This is on the list already.")
