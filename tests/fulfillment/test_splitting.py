"""Splitting a package by hand: exact units per part, priced again; refused where it must not happen."""

import pytest

from oms.fulfillment import splitting
from oms.fulfillment.models import Package

from .conftest import receive

pytestmark = pytest.mark.usefixtures("network")


@pytest.fixture
def package(push, actor):
    receive(actor, "TEE", "hz", 10)
    receive(actor, "MUG", "hz", 10)
    order = push(("TEE", 2), ("MUG", 3))
    return order, order.packages.get().number


def test_customer_service_splits_a_package_into_two_priced_parcels(package, actor):
    order, number = package

    first, second = splitting.split_package(number=number, parts=[{1: 1}, {1: 1, 2: 3}],
                                            actor=actor("customer_service"))

    assert Package.objects.get(number=number).status == "split"
    assert [(ln.sku.code, ln.quantity) for ln in first.lines.all()] == [("TEE", 1)]
    assert sorted((ln.sku.code, ln.quantity) for ln in second.lines.all()) == [("MUG", 3), ("TEE", 1)]
    assert (first.weight_g, second.weight_g) == (200, 1400)
    assert first.freight > 0 and first.carrier.code == "zto"
    assert order.events.get(action="package_split").data["into"][1]["lines"] == {"1": 1, "2": 3}


@pytest.mark.parametrize("parts", [
    [{1: 2, 2: 3}],  # one part only
    [{1: 1}, {2: 3}],  # a TEE left over
    [{1: 2}, {2: 4}],  # one MUG too many
    [{1: 2, 2: 3}, {}],  # an empty part
    [{1: 2}, {2: 3}, {9: 1}],  # a line the package does not hold
])
def test_parts_that_do_not_add_up_are_refused_and_nothing_changes(package, actor, parts):
    _order, number = package

    with pytest.raises(splitting.BadParts):
        splitting.split_package(number=number, parts=parts, actor=actor("warehouse"))

    assert list(Package.objects.values_list("number", "status")) == [(number, "allocated")]


def test_a_cash_on_delivery_order_is_not_split(push, actor):
    from oms.channels.models import Channel

    Channel.objects.filter(code="web").update(cod_allowed=True)
    receive(actor, "TEE", "hz", 10)
    order = push(("TEE", 2), payment={"method": "cod", "status": "unpaid"}, paid_amount="0.00")

    with pytest.raises(splitting.CannotSplit):
        splitting.split_package(number=order.packages.get().number, parts=[{1: 1}, {1: 1}],
                                actor=actor("customer_service"))


def test_the_api_splits_and_names_bad_input(package, api):
    _order, number = package
    url = f"/api/v1/packages/{number}/split"
    bad = api("warehouse").post(url, {"parts": "half"}, format="json")
    assert bad.status_code == 400 and "parts" in bad.json()["error"]["details"]
    body = {"parts": [[{"line": 1, "quantity": 2}], [{"line": 2, "quantity": 3}]]}
    assert api("finance").post(url, body, format="json").status_code == 403
    done = api("warehouse").post(url, body, format="json")
    assert done.status_code == 201 and len(done.json()["packages"]) == 2
