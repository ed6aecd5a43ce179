"""What finance must look at before settling: pure rules over an order's payment facts."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from oms.orders.status import PaymentMethod, PaymentStatus

AMOUNT_DIFFERS = "amount_differs"
MISSING_TRANSACTION_ID = "missing_transaction_id"
COD_NOT_COLLECTED = "cod_not_collected"
UNPAID = "unpaid"
REPORTED_DIFFERS = "reported_differs"

MISMATCH_LABELS = {
    AMOUNT_DIFFERS: _("Paid amount differs from the payable amount"),
    MISSING_TRANSACTION_ID: _("Paid without a transaction id"),
    COD_NOT_COLLECTED: _("Cash on delivery not collected"),
    UNPAID: _("Completed but not paid"),
    REPORTED_DIFFERS: _("The channel's reported amount differs from the computed net"),
}


def order_mismatches(*, payment_status: str, payment_method: str, paid_amount: Decimal, payable_amount: Decimal,
                     transaction_id: str) -> list[str]:
    """The mismatch codes of one completed order (empty when it can be settled as it is)."""
    if payment_status != PaymentStatus.PAID:
        return [COD_NOT_COLLECTED if payment_method == PaymentMethod.COD else UNPAID]
    found = []
    if paid_amount != payable_amount:
        found.append(AMOUNT_DIFFERS)
    if payment_method != PaymentMethod.COD and not transaction_id.strip():
        found.append(MISSING_TRANSACTION_ID)
    return found


def reported_difference(*, reported: Decimal | None, net: Decimal) -> Decimal | None:
    """Reported minus computed net, or None when nothing was reported or they agree."""
    if reported is None or reported == net:
        return None
    return reported - net
