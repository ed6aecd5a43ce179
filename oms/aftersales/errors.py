"""Errors of after-sales requests, receiving and exchanges; codes are stable (docs/after-sales.md)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from oms.core.errors import BusinessRuleViolation, Conflict, NotFound, PermissionDenied, ValidationFailed


class RequestNotFound(NotFound):
    code = "after_sales_request_not_found"
    default_message = _("No after-sales request has this number.")


class InvalidRequestInput(ValidationFailed):
    code = "invalid_after_sales_request"
    default_message = _("The after-sales request is not complete or names things that do not exist.")


class NotEligible(BusinessRuleViolation):
    """Outside the after-sales rules: a supervisor may still accept it, with a reason."""

    code = "after_sales_not_eligible"
    default_message = _("This request is outside the after-sales rules; a supervisor can accept it with a reason.")


class QuantityNotAvailable(BusinessRuleViolation):
    """More units than the line has left: never accepted, not even by a supervisor."""

    code = "after_sales_quantity_not_available"
    default_message = _("More units than the order line has left for after-sales (refunded or in other requests).")


class NotShippedUseCancellation(BusinessRuleViolation):
    code = "after_sales_before_shipment"
    default_message = _("Nothing of this order has shipped yet: cancel the order or its lines instead.")


class OverrideNeedsSupervisor(PermissionDenied):
    code = "after_sales_override_not_allowed"
    default_message = _("Only a supervisor can accept a request outside the rules.")


class WrongKindForAction(Conflict):
    code = "after_sales_wrong_kind"
    default_message = _("This action does not apply to this kind of after-sales request.")


class InspectionIncomplete(ValidationFailed):
    code = "inspection_incomplete"
    default_message = _("Account for every requested unit of every line: received in a condition, or missing.")


class ExchangeOutOfStock(Conflict):
    code = "exchange_out_of_stock"
    default_message = _("The warehouse does not have enough free stock of the exchange item.")


class NoDifferenceToCollect(Conflict):
    code = "no_difference_to_collect"
    default_message = _("This request has no price difference waiting to be collected.")


class InvalidPhoto(ValidationFailed):
    code = "invalid_photo"
    default_message = _("Photos must be JPEG, PNG, GIF or WebP images within the size limit.")


class TooManyPhotos(ValidationFailed):
    code = "too_many_photos"
    default_message = _("This request already has as many photos as allowed.")


class PhotoNotFound(NotFound):
    code = "after_sales_photo_not_found"
    default_message = _("No such photo on this request.")
