"""Settlement (款项结清): finance's record that a channel's completed orders of one day are paid out.

A batch is written only when finance settles; until then the day's figures are computed live
(payments/selectors.py). Orders completed later for a day already settled go into another
batch of that day (sequence 2, 3, …), never into the settled one.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from oms.core.money import MoneyField


class SettlementBatch(models.Model):
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


class SettlementItem(models.Model):
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
