"""Settlement through the HTTP API."""

from decimal import Decimal

import pytest

from oms.orders.models import Order

pytestmark = pytest.mark.django_db


def test_finance_reads_a_channels_day_with_orders_flags_refunds_and_net(completed, day, api):
    ok = completed(10)
    odd = completed(11, paid_amount=Decimal("100.00"))

    response = api("finance").get(f"/api/v1/settlement?channel=taobao&day={day.isoformat()}")

    assert response.status_code == 200, response.content
    [d] = response.json()["channels"]
    assert (d["channel"], d["day"], d["status"]) == ("taobao", day.isoformat(), "open")
    assert d["pending"]["gross"] == "218.00" and d["pending"]["net"] == "218.00"
    assert d["refunds"] == []
    flags = {o["order_no"]: o["mismatches"] for o in d["pending"]["orders"]}
    assert flags == {ok.order_no: [], odd.order_no: ["amount_differs"]}


def test_without_a_channel_only_channels_with_something_on_the_day_are_listed(completed, day, api):
    completed(10, channel="jd")

    response = api("finance").get(f"/api/v1/settlement?day={day.isoformat()}")

    assert [d["channel"] for d in response.json()["channels"]] == ["jd"]


def test_finance_settles_a_day_over_http_and_a_second_call_is_409(completed, day, api):
    order = completed(10)
    client = api("finance")
    url = f"/api/v1/settlement/taobao/{day.isoformat()}/settle"

    first = client.post(url, {"reported_amount": "118.00", "expected_orders": 1}, format="json")
    second = client.post(url, {}, format="json")

    assert first.status_code == 201, first.content
    body = first.json()
    assert (body["batch"], body["orders"], body["net"], body["difference"]) == (1, 1, "118.00", "0.00")
    assert body["order_numbers"] == [order.order_no]
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "nothing_to_settle"
    assert Order.objects.get(pk=order.pk).settled_at is not None


def test_mismatches_without_a_note_answer_422_naming_them(completed, day, api):
    order = completed(10, transaction_id="")

    response = api("finance").post(f"/api/v1/settlement/taobao/{day.isoformat()}/settle", {}, format="json")

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "mismatches_need_note"
    assert error["details"]["mismatches"] == [{"code": "missing_transaction_id", "order": order.order_no}]


@pytest.mark.parametrize(("path", "body", "field"), [
    ("taobao/2026-13-01", {}, "day"),
    ("taobao/{day}", {"reported_amount": 118.0}, "reported_amount"),
    ("taobao/{day}", {"reported_amount": "1.005"}, "reported_amount"),
    ("taobao/{day}", {"expected_orders": "two"}, "expected_orders"),
])
def test_bad_input_is_named(completed, day, api, path, body, field):
    completed(10)

    response = api("finance").post(f"/api/v1/settlement/{path.format(day=day)}/settle", body, format="json")

    assert response.status_code == 400
    assert field in response.json()["error"]["details"]


def test_an_unknown_channel_is_404_and_other_roles_are_403(day, api):
    assert api("finance").post(f"/api/v1/settlement/nope/{day}/settle", {}, format="json").status_code == 404
    assert api("finance").get("/api/v1/settlement?channel=nope").status_code == 404
    assert api("customer_service").get("/api/v1/settlement").status_code == 403
    assert api("warehouse").post(f"/api/v1/settlement/taobao/{day}/settle", {}, format="json").status_code == 403
    assert api("operations").get("/api/v1/settlement").status_code == 200
