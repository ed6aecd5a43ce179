"""Units of an order line held back from review and allocation by the buyer's out-of-stock choice.

Order lines keep the quantities the buyer ordered: refunds count their units against them
(payments/refunds.py), so a line is never shortened. Cancelled units and units that wait for
stock after a partial shipment are rows here instead; review and allocation plan for the
line's quantity minus the units held back (`withheld_by_line`).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import models
from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _


class WithheldState(models.TextChoices):
    WAITING = "waiting", _("Waiting for stock")  # the rest of a partial shipment
    CANCELLED = "cancelled", _("Cancelled")  # for good, refunded when paid
    SUPPLIED = "supplied", _("Sent in a later package")  # a waiting rest, allocated once stock came


# States whose units review and allocation leave out of the order's next plan.
HELD_BACK = (WithheldState.WAITING, WithheldState.CANCELLED)


class WithheldUnits(models.Model):
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="withheld_units")
    line = models.ForeignKey("orders.OrderLine", on_delete=models.PROTECT, related_name="withheld_units")
    quantity = models.PositiveIntegerField(_("units"))
    state = models.CharField(_("state"), max_length=16, choices=WithheldState.choices, db_index=True)
    # The package that finally carried waiting units (state SUPPLIED), or the stopped (intercepted) package
    # whose units were cancelled (state CANCELLED, fulfillment/interception.py).
    package = models.ForeignKey("fulfillment.Package", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["order", "line", "id"]
        verbose_name = _("withheld units")
        verbose_name_plural = _("withheld units")
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="withheld_units_positive")]
        indexes = [models.Index(fields=["state", "order"], name="withheld_state_order")]


def withheld_by_line(order_ids: Iterable[int]) -> dict[int, int]:
    """Units per order line that review and allocation leave out (waiting or cancelled)."""
    ids = list(order_ids)
    if not ids:
        return {}
    rows = (WithheldUnits.objects.filter(order_id__in=ids, state__in=HELD_BACK)
            .values("line_id").annotate(units=Sum("quantity")))
    return {r["line_id"]: r["units"] for r in rows}
