"""Packages (子单): what one warehouse sends of an order. The buyer still sees one order."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from oms.core.models import TimeStampedModel
from oms.core.money import MoneyField


class PackageStatus(models.TextChoices):
    ALLOCATED = "allocated", _("Allocated")
    PACKED = "packed", _("Packed")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", pgettext_lazy("package", "Delivered")
    RETURNED = "returned", _("Returned to sender")
    MERGED = "merged", _("Merged into another package")
    SPLIT = "split", _("Split into packages")
    CANCELLED = "cancelled", _("Cancelled")


class BoxType(TimeStampedModel):
    """A box or bag packers can use, with its inside dimensions, load limit and cost."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    inner_length_mm = models.PositiveIntegerField(_("inside length (mm)"))
    inner_width_mm = models.PositiveIntegerField(_("inside width (mm)"))
    inner_height_mm = models.PositiveIntegerField(_("inside height (mm)"))
    max_weight_g = models.PositiveIntegerField(_("load limit (g)"))
    tare_g = models.PositiveIntegerField(_("own weight (g)"), default=0)
    cost = MoneyField(_("cost"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["inner_length_mm", "code"]
        verbose_name = _("box type")
        verbose_name_plural = _("box types")

    def __str__(self) -> str:
        return self.name


class Package(TimeStampedModel):
    """One parcel of an order from one warehouse, with the carrier and freight allocation chose."""

    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="packages")
    number = models.CharField(_("package number"), max_length=40, unique=True)
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.PROTECT, related_name="packages")
    carrier = models.ForeignKey("shipping.Carrier", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="packages")
    status = models.CharField(_("status"), max_length=16, choices=PackageStatus.choices,
                              default=PackageStatus.ALLOCATED)
    weight_g = models.PositiveIntegerField(_("expected weight (g)"), default=0)
    freight = MoneyField(_("expected freight"), default=0)
    pick_list = models.ForeignKey("PickList", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="packages")
    box = models.ForeignKey(BoxType, on_delete=models.PROTECT, null=True, blank=True, related_name="packages")
    merged_into = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="merged_from")
    packed_weight_g = models.PositiveIntegerField(_("weighed (g)"), null=True, blank=True)
    checked_at = models.DateTimeField(_("re-checked at"), null=True, blank=True)
    packed_at = models.DateTimeField(_("packed at"), null=True, blank=True)
    tracking_no = models.CharField(_("tracking number"), max_length=40, blank=True)
    handover_list = models.ForeignKey("shipping.HandoverList", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="packages")
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    tracking_status = models.CharField(_("tracking status"), max_length=24, blank=True)
    last_tracking_at = models.DateTimeField(_("last tracking update"), null=True, blank=True)
    # Set when the order changed after its pick list or label was printed (address, phone, lines):
    # the warehouse prints again before the parcel goes out.
    needs_reprint = models.CharField(_("print again"), max_length=200, blank=True)

    class Meta:
        ordering = ["order", "number"]
        constraints = [models.UniqueConstraint(fields=["carrier", "tracking_no"], condition=~Q(tracking_no=""),
                                               name="uniq_tracking_no_per_carrier")]
        indexes = [models.Index(fields=["status", "last_tracking_at"])]
        verbose_name = _("package")
        verbose_name_plural = _("packages")
        permissions = [("allocate_order", _("Allocate orders to warehouses")),
                       ("split_package", _("Split a package by hand")),
                       ("pick_orders", _("Create pick lists and pick")),
                       ("pack_orders", _("Re-check, pack and print labels"))]

    def __str__(self) -> str:
        return self.number


class PackageLine(models.Model):
    package = models.ForeignKey(Package, on_delete=models.PROTECT, related_name="lines")
    line = models.ForeignKey("orders.OrderLine", on_delete=models.PROTECT, related_name="package_lines")
    sku = models.ForeignKey("inventory.Sku", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))
    checked_quantity = models.PositiveIntegerField(_("re-checked"), default=0)

    class Meta:
        ordering = ["package", "id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="package_line_quantity_positive")]
        verbose_name = _("package line")
        verbose_name_plural = _("package lines")


class PickListStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("pick list", "Open")
    DONE = "done", pgettext_lazy("pick list", "Picked")


class PickList(TimeStampedModel):
    """What a picker fetches on one walk: the lines of one or several packages (a wave) of one warehouse."""

    number = models.CharField(_("pick list number"), max_length=40, unique=True)
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.PROTECT, related_name="pick_lists")
    status = models.CharField(_("status"), max_length=16, choices=PickListStatus.choices,
                              default=PickListStatus.OPEN)
    route_m = models.FloatField(_("route length (m)"), default=0)
    confirmed_bin = models.ForeignKey("inventory.Bin", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+", help_text=_("The bin the picker scanned last."))
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("pick list")
        verbose_name_plural = _("pick lists")

    def __str__(self) -> str:
        return self.number


class PickListLine(models.Model):
    """One package line to fetch, at its place in the walking route."""

    pick_list = models.ForeignKey(PickList, on_delete=models.CASCADE, related_name="lines")
    package_line = models.ForeignKey(PackageLine, on_delete=models.PROTECT, related_name="pick_lines")
    sku = models.ForeignKey("inventory.Sku", on_delete=models.PROTECT, related_name="+")
    bin = models.ForeignKey("inventory.Bin", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))
    sequence = models.PositiveIntegerField(_("stop"), help_text=_("Position of the bin on the route, from 1."))
    picked_quantity = models.PositiveIntegerField(_("picked"), default=0)
    short_quantity = models.PositiveIntegerField(_("short"), default=0,
                                                 help_text=_("Units the bin did not have (short pick)."))

    class Meta:
        ordering = ["pick_list", "sequence", "id"]
        verbose_name = _("pick list line")
        verbose_name_plural = _("pick list lines")

    @property
    def remaining(self) -> int:
        """Units still to fetch; none for a package cancelled meanwhile (its order went back on hold)."""
        if self.package_line.package.status == PackageStatus.CANCELLED:
            return 0
        return self.quantity - self.picked_quantity - self.short_quantity


class InterceptionStatus(models.TextChoices):
    REQUESTED = "requested", pgettext_lazy("interception", "Requested")
    CONFIRMED = "confirmed", pgettext_lazy("interception", "Intercepted")
    TOO_LATE = "too_late", _("Already left the warehouse")


class Interception(TimeStampedModel):
    """A request to the warehouse to stop an order whose picking has started (拦截, manual §2.6.3).

    The warehouse confirms it (items back to their bins, the order cancelled) or reports that the
    parcel already left (the order stays shipped; after-sales takes over).
    """

    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="interceptions")
    package = models.ForeignKey(Package, on_delete=models.PROTECT, related_name="interceptions")
    status = models.CharField(_("status"), max_length=16, choices=InterceptionStatus.choices,
                              default=InterceptionStatus.REQUESTED, db_index=True)
    reason = models.CharField(_("cancel reason"), max_length=32)
    note = models.CharField(_("note"), max_length=500, blank=True)
    via = models.CharField(_("requested via"), max_length=16, blank=True)  # back office, api, channel
    requested_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    resolved_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["package"], condition=Q(status="requested"),
                                               name="one_open_interception_per_package")]
        verbose_name = _("interception")
        verbose_name_plural = _("interceptions")
        permissions = [("resolve_interception", _("Confirm or refuse interceptions in the warehouse"))]
