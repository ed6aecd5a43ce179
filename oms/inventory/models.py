from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from oms.core.models import TimeStampedModel
from oms.core.no_delete import NoDeleteMixin


class Sku(TimeStampedModel):
    """A stock-keeping unit of our catalogue."""

    code = models.CharField(_("SKU code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    spec = models.CharField(_("specification"), max_length=200, blank=True)
    barcode = models.CharField(_("barcode"), max_length=64, blank=True)
    weight_g = models.PositiveIntegerField(_("unit weight (g)"), default=0)
    length_mm = models.PositiveIntegerField(_("length (mm)"), default=0)
    width_mm = models.PositiveIntegerField(_("width (mm)"), default=0)
    height_mm = models.PositiveIntegerField(_("height (mm)"), default=0)
    fragile = models.BooleanField(_("fragile"), default=False)
    low_stock_threshold = models.PositiveIntegerField(
        _("low-stock threshold"), default=0,
        help_text=_("Stock levels at or below this available quantity are marked as low."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("SKU")
        verbose_name_plural = _("SKUs")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Warehouse(TimeStampedModel):
    """A place stock is kept and shipped from."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    province = models.CharField(_("province"), max_length=32)
    city = models.CharField(_("city"), max_length=32)
    address = models.CharField(_("address"), max_length=255, blank=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"), default=100, help_text=_("Lower numbers ship first when several warehouses can."),
    )
    service_provinces = models.JSONField(
        _("provinces served"), default=list, blank=True,
        help_text=_("Provinces this warehouse ships to; empty means the whole country."),
    )
    active = models.BooleanField(_("active"), default=True)
    # The picking layout (manual §2.3.2): parallel aisles numbered from 1 at the depot side, bays
    # numbered from 1 at the front, blocks of bays separated by cross aisles.
    aisle_width_m = models.FloatField(_("aisle spacing (m)"), default=3.0)
    bay_width_m = models.FloatField(_("bay width (m)"), default=1.2)
    bays_per_block = models.PositiveSmallIntegerField(_("bays per block"), default=20)
    blocks = models.PositiveSmallIntegerField(_("blocks"), default=1,
                                              help_text=_("Blocks of bays along an aisle, with a cross aisle "
                                                          "between each two."))
    cross_aisle_width_m = models.FloatField(_("cross aisle width (m)"), default=2.0)

    class Meta:
        ordering = ["priority", "code"]
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")

    def __str__(self) -> str:
        return self.name

    def serves(self, province: str) -> bool:
        """Whether this warehouse ships to the province ("广东" and "广东省" are the same)."""
        if not self.service_provinces:
            return True
        from oms.geo.divisions import province_name

        wanted = province_name(province)
        return wanted is not None and any(province_name(p) == wanted for p in self.service_provinces)


class Bin(models.Model):
    """A storage location inside a warehouse, addressed by aisle, bay and level."""

    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="bins")
    code = models.CharField(_("bin code"), max_length=32)
    aisle = models.PositiveSmallIntegerField(_("aisle"), default=0)
    bay = models.PositiveSmallIntegerField(_("bay"), default=0)
    level = models.PositiveSmallIntegerField(_("level"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["warehouse", "aisle", "bay", "level", "code"]
        constraints = [models.UniqueConstraint(fields=["warehouse", "code"], name="bin_code_unique_in_warehouse")]
        verbose_name = _("bin")
        verbose_name_plural = _("bins")

    def __str__(self) -> str:
        return self.code


class SkuLocation(models.Model):
    """The bin a SKU is picked from in a warehouse (its pick face)."""

    sku = models.ForeignKey(Sku, on_delete=models.CASCADE, related_name="locations")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="sku_locations")
    bin = models.ForeignKey(Bin, on_delete=models.PROTECT, related_name="sku_locations")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sku", "warehouse"], name="one_pick_face_per_sku_and_warehouse")]
        verbose_name = _("SKU location")
        verbose_name_plural = _("SKU locations")


class StockLevel(models.Model):
    """How many units of a SKU a warehouse holds and how many of them are promised to orders.

    Only inventory.services changes these numbers, always together with a ledger row;
    the CHECK constraints stop any bug from overselling or going negative.
    """

    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="stock_levels")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="stock_levels")
    on_hand = models.IntegerField(_("on hand"), default=0)
    reserved = models.IntegerField(_("reserved"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["warehouse", "sku"]
        constraints = [
            models.UniqueConstraint(fields=["sku", "warehouse"], name="one_stock_level_per_sku_and_warehouse"),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="stock_on_hand_not_negative"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="stock_reserved_not_negative"),
            models.CheckConstraint(condition=Q(reserved__lte=F("on_hand")), name="stock_reserved_within_on_hand"),
        ]
        verbose_name = _("stock level")
        verbose_name_plural = _("stock levels")
        permissions = [
            ("receive_stock", _("Receive stock into a warehouse")),
            ("adjust_stock", _("Adjust stock with a reason")),
        ]

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class MovementKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")
    ADJUSTMENT = "adjustment", _("Adjustment")
    RESERVATION = "reservation", _("Reservation")
    RELEASE = "release", _("Release")
    SHIPMENT = "shipment", _("Shipment")
    RETURN = "return", _("Return")


class StockMovement(NoDeleteMixin, models.Model):
    """One row of the stock ledger: every change of on-hand or reserved, never edited.

    For each SKU and warehouse the sums of the deltas equal the stock level at all times
    (`oms stock verify`).
    """

    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="movements")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(_("kind"), max_length=16, choices=MovementKind.choices)
    on_hand_delta = models.IntegerField(_("on-hand change"), default=0)
    reserved_delta = models.IntegerField(_("reserved change"), default=0)
    on_hand_after = models.IntegerField(_("on hand after"))
    reserved_after = models.IntegerField(_("reserved after"))
    order = models.ForeignKey("orders.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    reference = models.CharField(_("reference"), max_length=64, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    actor_username = models.CharField(_("user"), max_length=150)
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["sku", "warehouse", "id"])]
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")


class ReservationStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("reservation", "Active")
    RELEASED = "released", _("Released")
    SHIPPED = "shipped", _("Shipped")


class Reservation(models.Model):
    """Units of one order line promised from one warehouse."""

    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="reservations")
    line = models.ForeignKey("orders.OrderLine", on_delete=models.PROTECT, related_name="reservations")
    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="reservations")
    quantity = models.PositiveIntegerField(_("quantity"))
    status = models.CharField(_("status"), max_length=16, choices=ReservationStatus.choices,
                              default=ReservationStatus.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["sku", "warehouse", "status"])]
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")
