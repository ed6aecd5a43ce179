"""The after-sales API through the DRF client: requests, review, receiving, exchange, photos."""

import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from oms.aftersales.models import AfterSalesAttachment, AfterSalesRequest
from oms.inventory.models import StockLevel
from oms.payments.models import Refund
from tests.aftersales.returns_setup import PNG, delivered_order, network

pytestmark = pytest.mark.django_db
URL = "/api/v1/after-sales"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def order(db):
    network()
    return delivered_order()


def open_request(api, order, **overrides):
    body = {"order_no": order.order_no, "kind": "return_refund", "reason": "quality", "description": "开线",
            "lines": [{"line_no": 1, "quantity": 1}], **overrides}
    return api("customer_service").post(URL, body, format="json")


def test_customer_service_opens_a_request_and_reads_it_back(api, order):
    response = open_request(api, order)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "submitted" and body["lines"][0]["quantity"] == 1 and body["via"] == "api"
    detail = api("warehouse").get(f"{URL}/{body['number']}")
    assert detail.status_code == 200 and detail.json()["order_no"] == order.order_no
    listing = api("customer_service").get(URL, {"status": "submitted", "order_no": order.order_no}).json()
    assert listing["count"] == 1 and listing["results"][0]["number"] == body["number"]


def test_a_request_outside_the_rules_answers_422_with_the_findings(api, db):
    network()
    late = delivered_order(days_ago=20)
    response = open_request(api, late, reason="no_reason")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "after_sales_not_eligible"
    assert error["details"]["findings"][0]["code"] == "outside_no_reason_window"
    supervisor = api("operations").post(URL, {"order_no": late.order_no, "kind": "return_refund",
                                              "reason": "no_reason", "lines": [{"line_no": 1, "quantity": 1}],
                                              "override_reason": "VIP 特批"}, format="json")
    assert supervisor.status_code == 201 and supervisor.json()["override_by"] == "operations"


def test_bad_bodies_name_the_field(api, order):
    assert open_request(api, order, kind="swap").json()["error"]["details"]["kind"]
    response = open_request(api, order, lines=[{"line_no": 1, "quantity": "2"}])
    assert response.status_code == 400 and "lines[0].quantity" in response.json()["error"]["details"]
    assert api("customer_service").post(URL, ["x"], format="json").status_code == 400
    assert api("customer_service").get(URL, {"kind": "swap"}).status_code == 400


def test_the_whole_return_walk_through_the_api(api, order):
    number = open_request(api, order, lines=[{"line_no": 1, "quantity": 2}]).json()["number"]
    approved = api("customer_service").post(f"{URL}/{number}/approve", {}, format="json")
    assert approved.status_code == 200 and approved.json()["return_warehouse"] == "hz"
    received = api("warehouse").post(f"{URL}/{number}/receive", {"tracking_no": "SF1", "lines": [
        {"line_no": 1, "condition": "resellable", "quantity": 1},
        {"line_no": 1, "condition": "damaged", "quantity": 1, "note": "污渍"}]}, format="json")
    assert received.status_code == 200, received.json()
    body = received.json()
    assert body["status"] == "completed" and body["refunds"][0]["amount"] == "106.20"
    assert StockLevel.objects.get(sku__code="TEE").on_hand == 11
    assert api("customer_service").post(f"{URL}/{number}/receive", {"lines": []}, format="json").status_code == 403


def test_reject_needs_a_reason_and_withdraw_is_for_who_opens_requests(api, order):
    number = open_request(api, order).json()["number"]
    missing = api("customer_service").post(f"{URL}/{number}/reject", {}, format="json")
    assert missing.status_code == 400 and "reason" in missing.json()["error"]["details"]
    assert api("warehouse").post(f"{URL}/{number}/withdraw", {}, format="json").status_code == 403
    assert api("customer_service").post(f"{URL}/{number}/withdraw", {"note": "不要了"},
                                        format="json").json()["status"] == "withdrawn"
    again = api("customer_service").post(f"{URL}/{number}/reject", {"reason": "x"}, format="json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "invalid_transition"


def test_refund_only_approval_raises_the_refund(api, order):
    number = open_request(api, order, kind="refund_only", lines=[{"line_no": 2, "quantity": 1}]).json()["number"]
    body = api("customer_service").post(f"{URL}/{number}/approve", {}, format="json").json()
    assert body["status"] == "completed" and body["refunds"][0]["amount"] == "27.00"


def test_an_exchange_for_a_dearer_item_through_the_api(api, order):
    number = open_request(api, order, kind="exchange", reason="not_as_described", lines=[
        {"line_no": 1, "quantity": 1, "exchange_sku": "TEE-L", "exchange_unit_price": "65.00"}]).json()["number"]
    api("customer_service").post(f"{URL}/{number}/approve", {}, format="json")
    body = api("warehouse").post(f"{URL}/{number}/receive", {"lines": [
        {"line_no": 1, "condition": "resellable", "quantity": 1}]}, format="json").json()
    assert body["status"] == "received" and body["difference_due"] == "6.00"
    early = api("customer_service").post(f"{URL}/{number}/send-replacement", {}, format="json")
    assert early.status_code == 400
    body = api("finance").post(f"{URL}/{number}/collect-difference", {"reference": "ALI-9"}, format="json").json()
    assert body["status"] == "completed" and body["replacement_package"].startswith(order.order_no)


def test_multipart_requests_carry_photos_and_non_images_are_refused(api, order):
    client = api("customer_service")
    bad = client.post(URL, {"order_no": order.order_no, "kind": "return_refund", "reason": "quality",
                            "lines": json.dumps([{"line_no": 1, "quantity": 1}]),
                            "photos": [SimpleUploadedFile("x.jpg", b"<?php echo 1; ?>", content_type="image/jpeg")]},
                      format="multipart")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_photo"
    assert not AfterSalesRequest.objects.exists()
    good = client.post(URL, {"order_no": order.order_no, "kind": "return_refund", "reason": "quality",
                             "lines": json.dumps([{"line_no": 1, "quantity": 1}]),
                             "photos": [SimpleUploadedFile("a.png", PNG, content_type="image/png")]},
                       format="multipart")
    assert good.status_code == 201, good.json()
    body = good.json()
    [photo] = body["photos"]
    assert photo["content_type"] == "image/png"
    image = api("warehouse").get(f"{URL}/{body['number']}/photos/{photo['id']}")
    assert image.status_code == 200 and b"".join(image.streaming_content) == PNG
    assert api("integration").get(f"{URL}/{body['number']}/photos/{photo['id']}").status_code == 403
    assert api("warehouse").get(f"{URL}/{body['number']}/photos/999").status_code == 404


def test_photo_size_and_count_limits(api, order, settings):
    settings.OMS_AFTER_SALES_MAX_PHOTO_BYTES = 50
    number = open_request(api, order).json()["number"]
    big = api("customer_service").post(f"{URL}/{number}/photos", {"photos": [
        SimpleUploadedFile("a.png", PNG + b"\0" * 100, content_type="image/png")]}, format="multipart")
    assert big.status_code == 400 and big.json()["error"]["code"] == "invalid_photo"
    settings.OMS_AFTER_SALES_MAX_PHOTO_BYTES = 5_000_000
    settings.OMS_AFTER_SALES_MAX_PHOTOS = 2
    ok = api("customer_service").post(f"{URL}/{number}/photos", {"photos": [
        SimpleUploadedFile(f"{i}.png", PNG, content_type="image/png") for i in range(2)]}, format="multipart")
    assert ok.status_code == 201
    more = api("customer_service").post(f"{URL}/{number}/photos", {"photos": [
        SimpleUploadedFile("c.png", PNG, content_type="image/png")]}, format="multipart")
    assert more.status_code == 400 and more.json()["error"]["code"] == "too_many_photos"
    assert AfterSalesAttachment.objects.count() == 2


def test_a_channel_pushes_a_marketplace_request(api, order):
    response = api("integration").post(URL, {"order_no": order.order_no, "kind": "refund_only",
                                             "reason": "quality", "lines": [{"line_no": 2, "quantity": 1}]},
                                       format="json")
    assert response.status_code == 201 and response.json()["via"] == "channel"
    assert not Refund.objects.exists()
    assert Decimal(order.paid_amount) == Decimal("143.20")


def test_a_channel_may_not_type_an_exchange_price(api, order):
    lines = [{"line_no": 1, "quantity": 1, "exchange_sku": "TEE-L", "exchange_unit_price": "0.00"}]
    body = {"order_no": order.order_no, "kind": "exchange", "reason": "not_as_described", "lines": lines}
    refused = api("integration").post(URL, body, format="json")
    assert refused.status_code == 400
    assert "lines[0].exchange_unit_price" in refused.json()["error"]["details"]
    assert not AfterSalesRequest.objects.exists()
    del lines[0]["exchange_unit_price"]
    assert api("integration").post(URL, body, format="json").status_code == 201


def test_a_channel_client_adds_photos_only_to_its_own_channels_requests(api, order, users):
    number = open_request(api, order).json()["number"]
    shop = users["integration"]
    shop.all_channels = False
    shop.save()
    photo = {"photos": [SimpleUploadedFile("a.png", PNG, content_type="image/png")]}
    refused = api("integration").post(f"{URL}/{number}/photos", photo, format="multipart")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "channel_not_allowed"
    assert not AfterSalesAttachment.objects.exists()
    shop.channels.add(order.channel)
    photo = {"photos": [SimpleUploadedFile("a.png", PNG, content_type="image/png")]}
    assert api("integration").post(f"{URL}/{number}/photos", photo, format="multipart").status_code == 201


def test_a_superscript_digit_is_a_bad_value_not_a_server_error(api, order):
    listing = api("customer_service").get(URL, {"limit": "²"})
    assert listing.status_code == 400 and "limit" in listing.json()["error"]["details"]
    number = open_request(api, order).json()["number"]
    assert api("customer_service").get(f"{URL}/{number}/photos/²").status_code == 404
