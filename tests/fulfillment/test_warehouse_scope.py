"""Warehouse staff assigned to some warehouses work only there: no pick lists, packing or stock elsewhere,
not even by guessing numbers; unassigned staff work everywhere."""

import pytest
from django.test import Client

from oms.accounts.actor import Actor, OutOfScope
from oms.fulfillment import packing, scanning
from oms.fulfillment.picking import WaveRules, create_pick_list
from oms.inventory.models import Bin, Sku, SkuLocation
from oms.inventory.services import receive_stock

from .conftest import receive

pytestmark = pytest.mark.usefixtures("network")


@pytest.fixture
def guangzhou_keeper(make_user, network):
    user = make_user("gzkeeper", "warehouse")
    user.warehouses.add(network["gz"])
    return user


@pytest.fixture
def hangzhou_list(push, actor, network):
    b = Bin.objects.create(warehouse=network["hz"], code="A01-01-1", aisle=1, bay=1, level=1)
    SkuLocation.objects.create(sku=Sku.objects.get(code="TEE"), warehouse=network["hz"], bin=b)
    receive(actor, "TEE", "hz", 5)
    order = push(("TEE", 1))
    return order, create_pick_list(warehouse_code="hz", actor=actor("warehouse"), rules=WaveRules()).number


def test_staff_of_another_warehouse_cannot_pick_pack_or_receive_here(hangzhou_list, guangzhou_keeper):
    order, number = hangzhou_list
    gz = Actor.of(guangzhou_keeper)

    with pytest.raises(OutOfScope):
        create_pick_list(warehouse_code="hz", actor=gz, rules=WaveRules())
    with pytest.raises(OutOfScope):
        scanning.scan(number=number, code="A01-01-1", actor=gz)
    with pytest.raises(OutOfScope):
        packing.recheck_scan(number=order.packages.get().number, code="TEE", actor=gz)
    with pytest.raises(OutOfScope):
        receive_stock(sku_code="TEE", warehouse_code="hz", quantity=1, actor=gz)
    receive_stock(sku_code="TEE", warehouse_code="gz", quantity=1, actor=gz)  # their own warehouse


def test_out_of_scope_reads_are_refused_in_the_api_and_the_pages(hangzhou_list, guangzhou_keeper, users):
    order, number = hangzhou_list
    api = Client()
    api.force_login(guangzhou_keeper)

    # Reads of another warehouse's objects answer like unknown ones (issue 7: guessing does not reveal them).
    assert api.get(f"/api/v1/pick-lists/{number}").status_code == 404
    assert api.get(f"/api/v1/packages/{order.packages.get().number}/packing").status_code == 404
    assert api.get(f"/pick/{number}/").status_code == 404
    assert number not in api.get("/pick/").content.decode()
    everywhere = Client()
    everywhere.force_login(users["warehouse"])  # no assignment: every warehouse
    assert everywhere.get(f"/pick/{number}/").status_code == 200


def test_administrators_assign_warehouses_and_the_change_is_audited(users, actor, network):
    from oms.accounts.services import assign_warehouses
    from oms.audit.models import AuditEvent
    from oms.core.errors import PermissionDenied, ValidationFailed

    assert assign_warehouses(username="warehouse", warehouse_codes=["gz"], actor=actor("admin")) == ["gz"]
    assert users["warehouse"].warehouse_scope() == frozenset({network["gz"].pk})
    event = AuditEvent.objects.get(action="user_warehouses_changed")
    assert event.changes == {"warehouses": [[], ["gz"]]} and event.data == {"username": "warehouse"}
    with pytest.raises(ValidationFailed):
        assign_warehouses(username="warehouse", warehouse_codes=["nope"], actor=actor("admin"))
    with pytest.raises(PermissionDenied):
        assign_warehouses(username="warehouse", warehouse_codes=[], actor=actor("warehouse"))
