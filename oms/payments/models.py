"""Settlement (款项结清): finance's record that a channel's completed orders of one day are paid out.

A batch is written only when finance settles; until then the day's figures are computed live
(payments/selectors.py). Orders completed later for a day already settled go into another
batch of that day (sequence 2, 3, …), never into the settled one.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from oms.aftersales.status import RefundCause, RefundStatus
from oms.core.money import MoneyField
from oms.core.no_delete import NoDeleteMixin


class SettlementBatch(NoDeleteMixin, models.Model):
    channel = models.ForeignKey("channels.Channel", on_delete=models.PROTECT, related_name="settlement_batches",
                                verbose_name=_("channel"))
    day = models.DateField(_("business day"))  # of completion, in Asia/Shanghai
    sequence = models.PositiveSmallIntegerField(_("batch"), default=1)  # 2, 3, …: later adjustments of the day
    order_count = models.PositiveIntegerField(_("orders"))
    gross = MoneyField(_("received"))
    refunds = MoneyField(_("refunds"))
    net = MoneyField(_("net"))
    reported_amount = MoneyField(_("reported by the channel"), null=True, blank=True)
    mismatches = models.JSONField(_("mismatches"), default=list, blank=True)  # [{"code", "order"?, …}]
    note = models.TextField(_("note"), blank=True)
    settled_at = models.DateTimeField(_("settled at"))
    settled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("settled by"))

    class Meta:
        ordering = ["-day", "channel", "sequence"]
        verbose_name = _("settlement batch")
        verbose_name_plural = _("settlement batches")
        constraints = [
            models.UniqueConstraint(fields=["channel", "day", "sequence"], name="uniq_settlement_channel_day_seq"),
            models.CheckConstraint(condition=models.Q(net=models.F("gross") - models.F("refunds")),
                                   name="settlement_net_is_gross_minus_refunds"),
        ]

    def __str__(self) -> str:
        return f"{self.channel_id}/{self.day}/{self.sequence}"

    @property
    def difference(self):
        """Reported minus computed net; None when the channel's figure was not entered."""
        return None if self.reported_amount is None else self.reported_amount - self.net


class SettlementItem(NoDeleteMixin, models.Model):
    """One order in a batch, with the payment facts finance settled it on. An order is settled once."""

    batch = models.ForeignKey(SettlementBatch, on_delete=models.PROTECT, related_name="items")
    order = models.OneToOneField("orders.Order", on_delete=models.PROTECT, related_name="settlement")
    payable_amount = MoneyField(_("payable amount"))
    paid_amount = MoneyField(_("paid amount"))
    payment_method = models.CharField(_("payment method"), max_length=16)
    transaction_id = models.CharField(_("transaction id"), max_length=64, blank=True)
    completed_at = models.DateTimeField(_("completed at"))

    class Meta:
        ordering = ["batch", "order"]
        verbose_name = _("settled order")
        verbose_name_plural = _("settled orders")


class Refund(NoDeleteMixin, models.Model):
    """Money going back to the buyer by the original payment route, for one cause.

    Amounts are computed (payments/refund_amounts.py), never typed. Across an order the live refunds
    never exceed what was paid: every refund action locks the order row first.
    """

    number = models.CharField(_("refund number"), max_length=24, unique=True)
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="refunds")
    request = models.ForeignKey("aftersales.AfterSalesRequest", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="refunds")
    cause = models.CharField(_("cause"), max_length=24, choices=RefundCause.choices)
    status = models.CharField(_("status"), max_length=32, choices=RefundStatus.choices,
                              default=RefundStatus.REQUESTED, db_index=True)
    goods_amount = MoneyField(_("goods"), default=0)
    shipping_amount = MoneyField(_("shipping fee"), default=0)
    amount = MoneyField(_("amount"))
    # The original payment route, copied from the order when the refund is raised.
    payment_method = models.CharField(_("payment method"), max_length=16)
    original_transaction_id = models.CharField(_("original transaction id"), max_length=64, blank=True)
    adapter = models.CharField(_("payment adapter"), max_length=32, blank=True)
    external_reference = models.CharField(_("refund reference"), max_length=64, blank=True)
    failure = models.CharField(_("last failure"), max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    note = models.TextField(_("note"), blank=True)
    reject_reason = models.CharField(_("reason for rejection"), max_length=500, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    second_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                           on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    refunded_at = models.DateTimeField(_("refunded at"), null=True, blank=True, db_index=True)
    # A price adjustment (优惠补差) is for units of one line; later refunds of that line count it.
    adjusted_line = models.ForeignKey("orders.OrderLine", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="price_adjustments")
    adjusted_units = models.PositiveIntegerField(_("adjusted units"), null=True, blank=True)
    # The settlement batch that subtracted this succeeded refund; empty until one does.
    settlement_batch = models.ForeignKey(SettlementBatch, null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="settled_refunds")

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        permissions = [
            ("verify_refund", _("Verify a refund's cause and amount (customer service)")),
            ("approve_refund", _("Approve and execute refunds (finance)")),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="refund_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(amount=models.F("goods_amount") + models.F("shipping_amount")),
                name="refund_amount_is_goods_plus_shipping"),
            models.CheckConstraint(condition=models.Q(goods_amount__gte=0) & models.Q(shipping_amount__gte=0),
                                   name="refund_parts_not_negative"),
        ]

    def __str__(self) -> str:
        return self.number


class RefundLine(NoDeleteMixin, models.Model):
    """Units of one order line a refund pays back, with the amount after pro-rated order discounts."""

    refund = models.ForeignKey(Refund, on_delete=models.PROTECT, related_name="lines")
    line = models.ForeignKey("orders.OrderLine", on_delete=models.PROTECT, related_name="refund_lines")
    quantity = models.PositiveIntegerField(_("quantity"))
    amount = MoneyField(_("amount"))

    class Meta:
        ordering = ["refund", "id"]
        verbose_name = _("refund line")
        verbose_name_plural = _("refund lines")
