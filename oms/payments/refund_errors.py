"""Errors of refund actions; codes are stable and documented in docs/after-sales.md."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from oms.core.errors import BusinessRuleViolation, NotFound, ValidationFailed


class RefundExceedsPaid(BusinessRuleViolation):
    code = "refund_exceeds_paid"
    default_message = _("This refund would pay back more than the buyer paid for the order.")


class RefundQuantityTooLarge(BusinessRuleViolation):
    code = "refund_quantity_too_large"
    default_message = _("More units than the line has left to refund.")


class NothingToRefund(BusinessRuleViolation):
    code = "nothing_to_refund"
    default_message = _("There is nothing to refund: the amount is zero.")


class InvalidRefundLines(ValidationFailed):
    code = "invalid_refund_lines"
    default_message = _("Refund lines must name lines of this order with a positive quantity.")


class RefundNotFound(NotFound):
    code = "refund_not_found"
    default_message = _("No refund has this number.")


class RefundNeedsAnotherPerson(BusinessRuleViolation):
    code = "refund_needs_another_person"
    default_message = _("Someone who did not raise, verify or first approve this refund has to approve it.")


class RefundReasonRequired(ValidationFailed):
    code = "refund_reason_required"
    default_message = _("Say why the refund is rejected.")


class UnknownRefundAdapter(ValidationFailed):
    code = "unknown_refund_adapter"
    default_message = _("There is no payment adapter of this name.")


class RefundReferenceRequired(ValidationFailed):
    code = "refund_reference_required"
    default_message = _("Enter the reference of the refund made in the payment platform.")


class PriceDifferenceTooLarge(BusinessRuleViolation):
    code = "price_difference_too_large"
    default_message = _("The price difference per unit is more than the unit's net price.")


class PriceAdjustmentExceedsLine(BusinessRuleViolation):
    code = "price_adjustment_exceeds_line"
    default_message = _("With the earlier refunds and price adjustments of this line, this adjustment would pay "
                        "back more than the line's net amount.")


class OrderNotShippedForReturnPostage(BusinessRuleViolation):
    code = "order_not_shipped"
    default_message = _("Return postage is only compensated for goods that were shipped.")


class ReturnPostageCapReached(BusinessRuleViolation):
    code = "return_postage_cap_reached"
    default_message = _("This order's return postage compensation has reached its limit.")


class OrderNotCancelledForRefund(BusinessRuleViolation):
    code = "order_not_cancelled"
    default_message = _("Only a cancelled order's payment can be refunded as a cancellation.")
