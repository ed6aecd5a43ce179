"""Errors of refund actions; codes are stable and documented in docs/after-sales.md."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from oms.core.errors import BusinessRuleViolation, ValidationFailed


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
