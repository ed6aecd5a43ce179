"""After-sales requests (售后单): returns, refund-only requests and exchanges, with receiving and inspection.

Refunds themselves live in payments (payments/models.py: Refund, RefundLine); a request raises them.
Quantities are kept per order line per event: requested here, received and inspected per condition
in InspectionLine, refunded in RefundLine, so partial flows add up.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from oms.aftersales.status import ItemCondition, RequestKind, RequestReason, RequestStatus
from oms.core.models import TimeStampedModel
from oms.core.money import MoneyField
from oms.core.no_delete import NoDeleteMixin


class AfterSalesRequest(NoDeleteMixin, TimeStampedModel):
    number = models.CharField(_("request number"), max_length=24, unique=True)
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="after_sales_requests")
    kind = models.CharField(_("type"), max_length=16, choices=RequestKind.choices)
    reason = models.CharField(_("reason"), max_length=24, choices=RequestReason.choices)
    description = models.TextField(_("buyer's description"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=RequestStatus.choices,
                              default=RequestStatus.SUBMITTED, db_index=True)
    # What the eligibility rules found when the request was submitted ([] when within the rules).
    ineligible = models.JSONField(_("outside the rules"), default=list, blank=True)
    override_reason = models.CharField(_("supervisor's reason"), max_length=500, blank=True)
    override_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    via = models.CharField(_("submitted via"), max_length=16, blank=True)  # back office, api, channel
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reject_reason = models.CharField(_("reason for rejection"), max_length=500, blank=True)
    return_warehouse = models.ForeignKey("inventory.Warehouse", null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="+", verbose_name=_("return to warehouse"))
    return_carrier = models.CharField(_("return carrier"), max_length=64, blank=True)
    return_tracking_no = models.CharField(_("return tracking number"), max_length=40, blank=True, db_index=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    # Exchange: the replacement package sent once inspection passed (fulfillment.Package).
    replacement_package = models.ForeignKey("fulfillment.Package", null=True, blank=True, on_delete=models.PROTECT,
                                            related_name="+", verbose_name=_("replacement package"))
    # Exchange for a dearer item: what the buyer still owes, until someone records it collected.
    difference_due = MoneyField(_("difference to collect"), default=0)
    difference_collected_at = models.DateTimeField(_("difference collected at"), null=True, blank=True)
    difference_reference = models.CharField(_("payment reference of the difference"), max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("after-sales request")
        verbose_name_plural = _("after-sales requests")
        permissions = [
            ("request_after_sales", _("Open after-sales requests for buyers")),
            ("review_after_sales", _("Approve or reject after-sales requests")),
            ("override_after_sales", _("Approve after-sales requests outside the rules (supervisor)")),
            ("receive_returns", _("Receive and inspect returned parcels")),
        ]

    def __str__(self) -> str:
        return self.number


class AfterSalesLine(NoDeleteMixin, models.Model):
    request = models.ForeignKey(AfterSalesRequest, on_delete=models.PROTECT, related_name="lines")
    line = models.ForeignKey("orders.OrderLine", on_delete=models.PROTECT, related_name="after_sales_lines")
    quantity = models.PositiveIntegerField(_("quantity"))
    # Exchange: the SKU the buyer wants instead (the same SKU for a like-for-like swap).
    exchange_sku = models.ForeignKey("inventory.Sku", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("exchange for"))
    # The exchange item's unit price today (the catalogue has no prices); the line's own price when blank.
    exchange_unit_price = MoneyField(_("exchange unit price"), null=True, blank=True)

    class Meta:
        ordering = ["request", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="after_sales_line_quantity_positive"),
            models.UniqueConstraint(fields=["request", "line"], name="uniq_after_sales_line_per_order_line"),
        ]
        verbose_name = _("after-sales line")
        verbose_name_plural = _("after-sales lines")


class InspectionLine(NoDeleteMixin, models.Model):
    """What the warehouse found for a request line: units in one condition, with a note."""

    request_line = models.ForeignKey(AfterSalesLine, on_delete=models.PROTECT, related_name="inspections")
    quantity = models.PositiveIntegerField(_("quantity"))
    condition = models.CharField(_("condition"), max_length=16, choices=ItemCondition.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    inspected_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    inspected_at = models.DateTimeField(_("inspected at"), auto_now_add=True)

    class Meta:
        ordering = ["request_line", "id"]
        verbose_name = _("inspection line")
        verbose_name_plural = _("inspection lines")


class AttachmentKind(models.TextChoices):
    BUYER = "buyer", _("From the buyer")
    INSPECTION = "inspection", _("Inspection")


class AfterSalesAttachment(models.Model):
    """A photo the buyer sent with the request, or one the warehouse took at inspection."""

    request = models.ForeignKey(AfterSalesRequest, on_delete=models.PROTECT, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=16, choices=AttachmentKind.choices)
    file = models.FileField(_("file"), upload_to="aftersales/%Y/%m/")
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["request", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")


class QuarantineStock(models.Model):
    """Damaged returned units kept apart in a warehouse: never on hand, never reserved or shipped."""

    sku = models.ForeignKey("inventory.Sku", on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.PROTECT, related_name="+")
    quantity = models.IntegerField(_("quantity"), default=0)

    class Meta:
        ordering = ["warehouse", "sku"]
        constraints = [
            models.UniqueConstraint(fields=["sku", "warehouse"], name="one_quarantine_level_per_sku_and_warehouse"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="quarantine_quantity_not_negative"),
        ]
        verbose_name = _("quarantined stock")
        verbose_name_plural = _("quarantined stock")


class QuarantineMovement(NoDeleteMixin, models.Model):
    """One row of the quarantine ledger; per SKU and warehouse the deltas add up to QuarantineStock."""

    sku = models.ForeignKey("inventory.Sku", on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.PROTECT, related_name="+")
    delta = models.IntegerField(_("change"))
    quantity_after = models.IntegerField(_("quantity after"))
    request = models.ForeignKey(AfterSalesRequest, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="quarantine_movements")
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    actor_username = models.CharField(_("user"), max_length=150)
    at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("quarantine movement")
        verbose_name_plural = _("quarantine movements")
