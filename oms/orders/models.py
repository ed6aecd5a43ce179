from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from oms.aftersales.status import AfterSalesStatus
from oms.core.encrypted_fields import EncryptedTextField
from oms.core.models import TimeStampedModel
from oms.core.money import MoneyField
from oms.core.no_delete import NoDeleteMixin
from oms.orders.status import (
    DiscountKind,
    InvoiceType,
    OrderSource,
    OrderStatus,
    PaymentMethod,
    PaymentStatus,
)


class EntryCheck(models.TextChoices):
    """Where a hand-entered order is in its two-person check (双人复核)."""

    AWAITING = "awaiting", _("Awaiting second check")
    RETURNED = "returned", _("Returned for correction")
    CONFIRMED = "confirmed", _("Confirmed")


class Order(NoDeleteMixin, TimeStampedModel):
    order_no = models.CharField(_("order number"), max_length=20, unique=True)
    channel = models.ForeignKey("channels.Channel", on_delete=models.PROTECT, related_name="orders")
    external_id = models.CharField(_("external order id"), max_length=64, null=True, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=OrderSource.choices)
    status = models.CharField(_("status"), max_length=24, choices=OrderStatus.choices, db_index=True)
    placed_at = models.DateTimeField(_("placed at"), db_index=True)

    # Personal data is encrypted at rest (docs/privacy.md); phones and the recipient's name are
    # found through keyed hashes kept in step by save() (oms/orders/personal_data.py).
    # max_length: the limit on the plain value (forms, corrections); the column is text.
    customer_name = EncryptedTextField(_("customer name"), max_length=100)
    customer_phone = EncryptedTextField(_("customer phone"), max_length=32)
    customer_email = EncryptedTextField(_("customer email"), max_length=254, blank=True)

    ship_name = EncryptedTextField(_("recipient"), max_length=100)
    ship_phone = EncryptedTextField(_("recipient phone"), max_length=32)
    ship_province = models.CharField(_("province"), max_length=32)
    ship_city = models.CharField(_("city"), max_length=32)
    ship_district = models.CharField(_("district"), max_length=32, blank=True)
    ship_detail = EncryptedTextField(_("address detail"), max_length=255)
    ship_postcode = models.CharField(_("postcode"), max_length=12, blank=True)

    goods_total = MoneyField(_("goods total"))
    shipping_fee = MoneyField(_("shipping fee"))
    discount_total = MoneyField(_("discounts"))
    payable_amount = MoneyField(_("payable amount"))
    paid_amount = MoneyField(_("paid amount"))

    payment_method = models.CharField(_("payment method"), max_length=16, choices=PaymentMethod.choices)
    payment_status = models.CharField(_("payment status"), max_length=16, choices=PaymentStatus.choices)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    transaction_id = models.CharField(_("transaction id"), max_length=64, blank=True)

    buyer_remark = models.TextField(_("buyer remark"), blank=True)
    seller_note = models.TextField(_("seller note"), blank=True)
    invoice_type = models.CharField(_("invoice type"), max_length=16, choices=InvoiceType.choices, blank=True)
    invoice_title = models.CharField(_("invoice title"), max_length=200, blank=True)
    invoice_tax_id = models.CharField(_("tax id"), max_length=32, blank=True)

    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    receipt_confirmed_by = models.CharField(_("receipt confirmed by"), max_length=16, blank=True)
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    cancel_reason = models.CharField(_("cancel reason"), max_length=200, blank=True)
    # Derived from the order's after-sales requests and refunds (aftersales/status.py), never set by hand.
    after_sales_status = models.CharField(_("after-sales"), max_length=24, choices=AfterSalesStatus.choices,
                                          blank=True, default="")
    # The buyer's choice when stock is short (orders/stock_choice.py), blank until CS records one.
    stock_choice = models.CharField(_("buyer's choice when out of stock"), max_length=24, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    entry_check = models.CharField(_("entry check"), max_length=16, choices=EntryCheck.choices, blank=True)
    last_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Hash of what the channel said about the order besides payment and cancellation;
    # a re-push with another hash is refused (external_order_changed).
    content_hash = models.CharField(max_length=64, blank=True)
    customer_phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    ship_phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    ship_name_hash = models.CharField(max_length=64, blank=True, editable=False)
    # Set when the retention sweep replaced the personal data of this archived order (anonymisation.py).
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)

    class Meta:
        ordering = ["-placed_at", "-id"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        permissions = [
            ("push_order", _("Push orders through the API")),
            ("import_orders", _("Import orders from files")),
            ("enter_order", _("Enter orders by hand")),
            ("check_entry", _("Check hand-entered orders (second person)")),
            ("review_order", _("Review held orders: re-check, correct, swap SKUs, cancel")),
            ("override_review", _("Approve an order despite failed review checks")),
            ("record_payment", _("Record a payment for an order")),
            ("cancel_order", _("Cancel orders that have not shipped")),
            ("manage_review_rules", _("Manage review rules, coupons and the block list")),
            ("confirm_receipt", _("Confirm receipt of delivered orders")),
            ("settle_orders", _("Confirm settlement of completed orders")),
            ("view_archive", _("Search and export archived orders")),
            ("change_before_shipment", _("Change address, phone or lines of an order before shipment")),
            ("record_stock_choice", _("Record the buyer's choice when stock is short")),
            ("reveal_personal_data", _("Reveal an order's full phone numbers and address (audited)")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"], condition=Q(external_id__isnull=False),
                name="uniq_order_channel_external_id",
            ),
            models.CheckConstraint(
                condition=Q(payable_amount=F("goods_total") + F("shipping_fee") - F("discount_total")),
                name="order_payable_is_goods_plus_shipping_minus_discounts",
            ),
            models.CheckConstraint(
                condition=Q(goods_total__gte=0) & Q(shipping_fee__gte=0) & Q(discount_total__gte=0)
                & Q(paid_amount__gte=0) & Q(discount_total__lte=F("goods_total")),
                name="order_amounts_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-placed_at"]),
            # Working lists read only orders that are not archived (docs/decisions/0005-archiving.md):
            # these partial indexes hold a fraction of the rows and serve the order list's filters.
            models.Index(fields=["-placed_at", "-id"], condition=Q(archived_at__isnull=True),
                         name="order_work_placed"),
            models.Index(fields=["status", "-placed_at", "-id"], condition=Q(archived_at__isnull=True),
                         name="order_work_status_placed"),
            models.Index(fields=["channel", "-placed_at", "-id"], condition=Q(archived_at__isnull=True),
                         name="order_work_channel_placed"),
            # The status tabs count by status under the other filters; these cover the two that
            # would otherwise read every working row from the table (channel, part of a name).
            models.Index(fields=["channel", "status"], condition=Q(archived_at__isnull=True),
                         name="order_work_channel_status"),
            models.Index(fields=["status", "ship_name_hash"], condition=Q(archived_at__isnull=True),
                         name="order_work_status_recipient"),
            # The archive: by date (by phone: the phone hash indexes; by number: the unique order_no index).
            models.Index(fields=["-placed_at", "-id"], condition=Q(archived_at__isnull=False),
                         name="order_arch_placed"),
            # What the archiving job looks for: finished orders not yet archived, oldest first.
            models.Index(fields=["completed_at"],
                         condition=Q(archived_at__isnull=True, settled_at__isnull=False, status="completed"),
                         name="order_archivable"),
        ]

    def __str__(self) -> str:
        return self.order_no

    def save(self, *args, **kwargs):
        # The search hashes follow the plain values on every save, also a save of a few fields.
        from oms.orders.personal_data import search_hashes

        for name, value in search_hashes(self).items():
            setattr(self, name, value)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"customer_phone", "ship_phone", "ship_name"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "customer_phone_hash", "ship_phone_hash", "ship_name_hash"}
        super().save(*args, **kwargs)

    @property
    def full_address(self) -> str:
        return f"{self.ship_province}{self.ship_city}{self.ship_district}{self.ship_detail}"


class OrderLine(NoDeleteMixin, models.Model):
    """One ordered item; name, spec and price are snapshots taken at intake."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    line_no = models.PositiveSmallIntegerField()
    sku_code = models.CharField(_("SKU"), max_length=64)
    platform_sku = models.CharField(_("platform SKU"), max_length=64, blank=True)
    sku = models.ForeignKey("inventory.Sku", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("item name"), max_length=200)
    spec = models.CharField(_("specification"), max_length=200, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = MoneyField(_("unit price"))
    subtotal = MoneyField(_("subtotal"))

    class Meta:
        ordering = ["order", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["order", "line_no"], name="uniq_order_line_no"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="order_line_quantity_positive"),
            models.CheckConstraint(
                condition=Q(subtotal=F("quantity") * F("unit_price")), name="order_line_subtotal_is_qty_times_price"
            ),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="order_line_price_not_negative"),
        ]


class OrderDiscount(NoDeleteMixin, models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="discounts")
    kind = models.CharField(_("kind"), max_length=16, choices=DiscountKind.choices)
    code = models.CharField(_("code"), max_length=64, blank=True)
    amount = MoneyField(_("amount"))
    description = models.CharField(_("description"), max_length=200, blank=True)
    # Set when review counted this coupon's use, so a cancellation gives back exactly that use.
    use_counted = models.BooleanField(default=False)

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="order_discount_positive")]


class IdempotencyKey(models.Model):
    """An `Idempotency-Key` a client sent, and the order it produced."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=128)
    request_hash = models.CharField(max_length=64)
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="uniq_idempotency_user_key")]


# Review keeps its tables in this app (orders/review/models.py).
from oms.orders.review.models import BlockListEntry, Coupon, OrderHold, ReviewRuleSetting  # noqa: E402,F401

# Units held back by the buyer's out-of-stock choice (orders/stock_choice_models.py).
from oms.orders.stock_choice_models import WithheldUnits  # noqa: E402,F401
