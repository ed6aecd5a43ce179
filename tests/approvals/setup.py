"""People and targets for change request tests: a second user per approving team, orders in the needed states."""

from __future__ import annotations

from oms.accounts.actor import Actor
from oms.accounts.services import create_user
from oms.orders.models import Order
from oms.orders.status import OrderStatus, PaymentStatus
from tests.aftersales.returns_setup import delivered_order, network
from tests.conftest import PASSWORD

__all__ = ["delivered_order", "network", "second", "shipped_order", "unpaid_order"]


def second(role: str) -> Actor:
    """Another user of the role (approving one's own request is refused)."""
    return Actor.of(create_user(username=f"{role}-2", role=role, password=PASSWORD))


def shipped_order() -> Order:
    """A paid order whose one parcel is on its way (the carrier has not reported delivery)."""
    return delivered_order(status=OrderStatus.SHIPPED, delivered=False)


def unpaid_order() -> Order:
    """An order waiting for review whose payment was never recorded (nothing shipped yet)."""
    order = delivered_order(status=OrderStatus.PENDING_REVIEW, delivered=False)
    Order.objects.filter(pk=order.pk).update(payment_status=PaymentStatus.UNPAID, paid_amount=0, paid_at=None,
                                             transaction_id="", shipped_at=None)
    order.refresh_from_db()
    return order
