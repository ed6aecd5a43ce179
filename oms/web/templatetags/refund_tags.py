"""The order page's refunds section: what a cancelled paid order still has to refund."""

from __future__ import annotations

from django import template

from oms.payments.refunds import cancellation_refundable

register = template.Library()


@register.simple_tag
def cancellation_refund_left(order):
    """What is left of a cancelled paid order's payment to refund (zero for any other order)."""
    return cancellation_refundable(order)
