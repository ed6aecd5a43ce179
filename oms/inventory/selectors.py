"""Reads of the stock area: stock levels with their low-stock mark, the ledger, the catalogue."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from oms.channels.models import ChannelSkuMapping
from oms.inventory.models import Bin, Sku, StockLevel, StockMovement, Warehouse


@dataclass(frozen=True)
class StockFilters:
    warehouse: str = ""  # warehouse code
    search: str = ""  # part of the SKU code or name, or the whole barcode
    low_only: bool = False  # available at or below the SKU's low-stock threshold
    active_only: bool = False  # active SKUs only


@dataclass(frozen=True)
class StockTotals:
    levels: int
    on_hand: int
    reserved: int

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


def _sku_search(search: str, prefix: str = "") -> Q:
    return (
        Q(**{f"{prefix}code__icontains": search}) | Q(**{f"{prefix}name__icontains": search})
        | Q(**{f"{prefix}barcode": search})
    )


def stock_levels(filters: StockFilters, actor=None) -> QuerySet[StockLevel]:
    """Stock levels with `available_units` and `low` annotated, by SKU code then warehouse priority."""
    base = StockLevel.objects.all() if actor is None else scoped_stock(actor, StockLevel.objects.all())
    qs = base.select_related("sku", "warehouse").annotate(
        available_units=F("on_hand") - F("reserved"),
    ).annotate(
        low=ExpressionWrapper(Q(available_units__lte=F("sku__low_stock_threshold")), output_field=BooleanField()),
    )
    if filters.warehouse:
        qs = qs.filter(warehouse__code=filters.warehouse)
    if filters.search:
        qs = qs.filter(_sku_search(filters.search, "sku__"))
    if filters.low_only:
        qs = qs.filter(available_units__lte=F("sku__low_stock_threshold"))
    if filters.active_only:
        qs = qs.filter(sku__active=True)
    return qs.order_by("sku__code", "warehouse__priority", "warehouse__code")


def stock_totals(levels: QuerySet[StockLevel]) -> StockTotals:
    sums = levels.order_by().aggregate(
        levels=Count("id"), on_hand=Coalesce(Sum("on_hand"), Value(0)), reserved=Coalesce(Sum("reserved"), Value(0)),
    )
    return StockTotals(**sums)


def _storable(*codes: str) -> bool:
    """Whether a code from a URL or query can be looked up (PostgreSQL refuses NUL in text)."""
    return not any("\x00" in code for code in codes)


def stock_level(sku_code: str, warehouse_code: str) -> StockLevel | None:
    if not _storable(sku_code, warehouse_code):
        return None
    return (
        StockLevel.objects.select_related("sku", "warehouse")
        .filter(sku__code=sku_code, warehouse__code=warehouse_code).first()
    )


@dataclass(frozen=True)
class MovementFilters:
    warehouse: str = ""
    kind: str = ""


def sku_movements(sku: Sku, filters: MovementFilters, actor=None) -> QuerySet[StockMovement]:
    """The SKU's ledger rows (in the actor's warehouses when given), newest first."""
    base = StockMovement.objects.all() if actor is None else scoped_stock(actor, StockMovement.objects.all())
    qs = base.filter(sku=sku).select_related("warehouse", "order").only(
        "id", "kind", "on_hand_delta", "reserved_delta", "on_hand_after", "reserved_after", "reason", "reference",
        "actor_username", "at", "warehouse__code", "warehouse__name", "order__order_no",
    )
    if filters.warehouse:
        qs = qs.filter(warehouse__code=filters.warehouse)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    return qs.order_by("-id")


def sku_stock(sku: Sku, actor=None) -> list[StockLevel]:
    """The SKU's stock level in each warehouse that holds a row for it (the actor's warehouses when given)."""
    base = StockLevel.objects.all() if actor is None else scoped_stock(actor, StockLevel.objects.all())
    return list(base.filter(sku=sku).select_related("warehouse")
                .order_by("warehouse__priority", "warehouse__code"))


def skus(*, search: str = "", active: bool | None = None, actor=None) -> QuerySet[Sku]:
    """SKUs by code, with `on_hand_total`, `reserved_total` and `available_total` over all warehouses
    (over the actor's warehouses when given: the totals must not show other warehouses' stock)."""
    from oms.accounts.actor import warehouse_scope

    scope = warehouse_scope(actor) if actor is not None else None
    only = Q(stock_levels__warehouse_id__in=scope) if scope is not None else None
    qs = Sku.objects.annotate(
        on_hand_total=Coalesce(Sum("stock_levels__on_hand", filter=only), Value(0)),
        reserved_total=Coalesce(Sum("stock_levels__reserved", filter=only), Value(0)),
    ).annotate(available_total=F("on_hand_total") - F("reserved_total"))
    if search:
        qs = qs.filter(_sku_search(search))
    if active is not None:
        qs = qs.filter(active=active)
    return qs.order_by("code")


def sku_by_code(code: str) -> Sku | None:
    if not _storable(code):
        return None
    return Sku.objects.filter(code=code).first()


def warehouses() -> QuerySet[Warehouse]:
    """Warehouses in shipping order, with `bin_count`."""
    return Warehouse.objects.annotate(bin_count=Count("bins")).order_by("priority", "code")


def warehouse_choices(*, active_only: bool = False) -> list[tuple[str, str]]:
    qs = Warehouse.objects.order_by("priority", "code")
    if active_only:
        qs = qs.filter(active=True)
    return [(code, f"{name} ({code})") for code, name in qs.values_list("code", "name")]


def warehouse_by_code(code: str) -> Warehouse | None:
    if not _storable(code):
        return None
    return Warehouse.objects.filter(code=code).first()


def warehouse_bins(warehouse: Warehouse) -> QuerySet[Bin]:
    return warehouse.bins.order_by("aisle", "bay", "level", "code")


def sku_mappings(*, channel: str = "", search: str = "") -> QuerySet[ChannelSkuMapping]:
    """Platform SKU codes and the SKUs they point at, by channel then platform code."""
    qs = ChannelSkuMapping.objects.select_related("channel", "sku")
    if channel:
        qs = qs.filter(channel__code=channel)
    if search:
        qs = qs.filter(Q(platform_sku__icontains=search) | Q(sku__code__icontains=search)
                       | Q(sku__name__icontains=search))
    return qs.order_by("channel_id", "platform_sku")


def scoped_stock(actor, qs):
    """Stock levels or movements of qs in the actor's warehouses."""
    from oms.accounts.actor import scope_q

    return qs.filter(scope_q(actor, warehouse="warehouse_id"))
