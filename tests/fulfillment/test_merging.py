"""Merging: orders of one buyer to one address from one warehouse ship as one package."""

from datetime import timedelta

import pytest
from django.test import Client

from oms.fulfillment import merging
from oms.fulfillment.models import Package
from oms.orders.cancellation import cancel_order

from .conftest import receive

pytestmark = pytest.mark.usefixtures("network")


@pytest.fixture
def same_buyer(push, actor):
    receive(actor, "TEE", "hz", 10)
    receive(actor, "MUG", "hz", 10)
    first = push(("TEE", 1), placed_at="2026-11-26T09:00:00+08:00")
    second = push(("MUG", 2), placed_at="2026-11-26T15:00:00+08:00")
    return first, second


def test_two_orders_of_one_buyer_are_suggested_and_merged_into_one_package(same_buyer, actor):
    first, second = same_buyer

    [group] = merging.merge_candidates()
    merged = merging.merge_packages(package_numbers=[p.number for p in group], actor=actor("warehouse"))

    assert {p.order.order_no for p in group} == {first.order_no, second.order_no}
    assert merged.number == f"{first.order_no}-1-M" and merged.order == first
    assert sorted((ln.line.order.order_no, ln.sku.code, ln.quantity) for ln in merged.lines.all()) == sorted(
        [(first.order_no, "TEE", 1), (second.order_no, "MUG", 2)])
    assert set(Package.objects.filter(merged_into=merged).values_list("status", flat=True)) == {"merged"}
    assert second.events.get(action="orders_merged").data["orders"] == [first.order_no]
    assert merging.merge_candidates() == []


def test_another_address_cash_on_delivery_or_a_long_gap_keep_orders_apart(push, actor):
    from oms.channels.models import Channel

    Channel.objects.filter(code="web").update(cod_allowed=True)
    receive(actor, "TEE", "hz", 20)
    push(("TEE", 1))
    other = {"name": "李四", "phone": "13900139000", "province": "浙江省", "city": "杭州市", "district": "西湖区",
             "detail": "文三路100号", "postcode": "310012"}
    push(("TEE", 1), shipping_address=other)
    push(("TEE", 1), payment={"method": "cod", "status": "unpaid"}, paid_amount="0.00")

    assert merging.merge_candidates() == []


def test_orders_further_apart_than_the_window_are_not_merged(same_buyer, actor, monkeypatch):
    monkeypatch.setattr(merging, "MERGE_WINDOW", timedelta(hours=2))

    assert merging.merge_candidates() == []
    with pytest.raises(merging.CannotMerge):
        merging.merge_packages(package_numbers=[p.number for p in Package.objects.all()], actor=actor("warehouse"))


def test_cancelling_one_merged_order_gives_the_other_its_own_package_back(same_buyer, actor):
    first, second = same_buyer
    merged = merging.merge_packages(package_numbers=list(Package.objects.values_list("number", flat=True)),
                                    actor=actor("warehouse"))

    cancel_order(order_no=second.order_no, actor=actor("customer_service"), reason="buyer_request")

    merged.refresh_from_db()
    assert merged.status == "cancelled"
    assert list(first.packages.exclude(pk=merged.pk).values_list("status", "merged_into")) == [("allocated", None)]
    assert set(second.packages.values_list("status", flat=True)) == {"cancelled"}


def test_the_picking_page_and_the_api_offer_the_merge(same_buyer, users, api):
    first, second = same_buyer
    body = api("warehouse").get("/api/v1/packages/merge-candidates").json()
    assert [sorted(p["order_no"] for p in g["packages"]) for g in body["groups"]] == [
        sorted([first.order_no, second.order_no])]

    client = Client()
    client.force_login(users["warehouse"])
    assert first.order_no in client.get("/pick/").content.decode()
    numbers = [p["number"] for p in body["groups"][0]["packages"]]
    response = client.post("/pick/", {"merge": "1", "package": numbers})
    assert response.status_code == 302
    assert Package.objects.filter(status="merged").count() == 2
    assert api("warehouse").post("/api/v1/packages/merge", {"packages": numbers[:1]}, format="json").status_code == 422


def test_the_order_list_marks_orders_that_can_merge(same_buyer, push, users):
    first, second = same_buyer
    alone = push(("TEE", 1), shipping_address={"name": "李四", "phone": "13900139000", "province": "浙江省",
                                               "city": "杭州市", "district": "西湖区", "detail": "文三路1号",
                                               "postcode": "310012"})
    client = Client()
    client.force_login(users["customer_service"])

    page = client.get("/orders/").content.decode()
    rows = {no: page.split(f">{no}</a>", 1)[1].split("</tr>", 1)[0] for no in (first.order_no, second.order_no,
                                                                                alone.order_no)}
    assert "can-merge" in rows[first.order_no] and "can-merge" in rows[second.order_no]
    assert "can-merge" not in rows[alone.order_no]
    assert merging.mergeable_orders([alone.pk, first.pk]) == {first.pk}
