"""Revealing personal data stays within the revealer's scopes, also for warehouse-scoped staff."""

import pytest

from oms.accounts.actor import Actor, OutOfScope
from oms.audit.models import AuditEvent
from oms.inventory.models import Warehouse
from oms.orders.reveal import REVEALED, reveal_personal_data
from tests.orders.personal_data_fixtures import make_order

pytestmark = pytest.mark.django_db


def test_a_warehouse_scoped_user_cannot_reveal_an_order_with_no_parcel_in_their_warehouse(users):
    order = make_order(phone="13812345678")  # no parcel anywhere yet
    logistics = users["logistics"]
    other = Warehouse.objects.get_or_create(code="scope-gz", defaults={"name": "广州仓", "province": "广东省",
                                                                       "city": "广州市"})[0]
    logistics.warehouses.set([other])

    with pytest.raises(OutOfScope):
        reveal_personal_data(order_no=order.order_no, actor=Actor.of(logistics))
    assert not AuditEvent.objects.filter(order=order, action=REVEALED).exists()

    logistics.warehouses.clear()
    fresh = type(logistics).objects.get(pk=logistics.pk)  # scopes are cached on the user object
    assert reveal_personal_data(order_no=order.order_no, actor=Actor.of(fresh))["ship_phone"] == "13812345678"
