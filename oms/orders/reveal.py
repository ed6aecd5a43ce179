"""Revealing one order's full personal data (§3.3): a permission of its own, one audit event each time."""

from __future__ import annotations

from django.db import transaction

from oms.accounts.actor import Actor, OutOfScope, require, require_channel, warehouse_scope
from oms.accounts.roles import REVEAL_PERSONAL_DATA
from oms.audit.services import record
from oms.orders.errors import OrderNotFound
from oms.orders.models import Order
from oms.orders.personal_data import REVEALABLE_FIELDS
from oms.orders.selectors import scoped_orders

REVEALED = "personal_data_revealed"


@transaction.atomic
def reveal_personal_data(*, order_no: str, actor: Actor, reason: str = "") -> dict[str, str]:
    """The full name, phones, e-mail and address of one order, recorded in its timeline."""
    require(actor, REVEAL_PERSONAL_DATA)
    order = Order.objects.filter(order_no=(order_no or "").strip()).first()
    if order is None:
        raise OrderNotFound(details={"order_no": order_no})
    require_channel(actor, order.channel_id)
    # Warehouse-scoped staff only for orders with a parcel in their warehouses, as in every list.
    if warehouse_scope(actor) is not None and not scoped_orders(actor, Order.objects.filter(pk=order.pk)).exists():
        raise OutOfScope(details={"order_no": order.order_no})
    values = {field: getattr(order, field) for field in REVEALABLE_FIELDS}
    values.update(ship_province=order.ship_province, ship_city=order.ship_city,
                  ship_district=order.ship_district, ship_postcode=order.ship_postcode,
                  full_address=order.full_address)
    # Which fields were shown, never their values: the audit log must not become a copy of them.
    record(order, REVEALED, actor=actor, reason=reason[:200],
           data={"fields": list(REVEALABLE_FIELDS), "anonymised": order.anonymised_at is not None})
    return {"order_no": order.order_no, **values}
