"""Receiving returned parcels: inspection per line, stock back on hand or into quarantine, the refund."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from oms.accounts.actor import Actor, OutOfScope
from oms.aftersales import receiving
from oms.aftersales import requests as req
from oms.aftersales.errors import InspectionIncomplete, InvalidPhoto, WrongKindForAction
from oms.aftersales.models import AfterSalesAttachment, QuarantineMovement, QuarantineStock
from oms.aftersales.selectors import quarantine_mismatches
from oms.aftersales.status import RefundCause, RequestStatus
from oms.audit.models import AuditEvent
from oms.inventory.models import MovementKind, StockLevel, StockMovement, Warehouse
from oms.inventory.verification import verify_stock
from oms.payments.models import Refund
from tests.aftersales.returns_setup import PNG, delivered_order, network


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"  # assertions below read the English texts

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def net(db):
    return network()


@pytest.fixture
def cs(users):
    return Actor.of(users["customer_service"])


@pytest.fixture
def keeper(users):
    return Actor.of(users["warehouse"])


def approved(order, cs, *, kind="return_refund", reason="quality", lines=((1, 2), (2, 1))):
    request = req.submit_request(order_no=order.order_no, kind=kind, reason=reason, actor=cs,
                                 lines=[req.LineInput(line_no=n, quantity=q) for n, q in lines])
    req.approve_request(number=request.number, actor=cs)
    return request


def rows(*items):
    return [receiving.InspectionInput(line_no=n, condition=c, quantity=q, note=note) for n, c, q, note in items]


def level(code="TEE"):
    lv = StockLevel.objects.get(sku__code=code, warehouse__code="hz")
    return lv.on_hand, lv.reserved


def test_resellable_units_go_back_on_hand_with_a_return_row_in_the_ledger(net, cs, keeper):
    order = delivered_order()
    request = approved(order, cs, lines=((1, 2),))
    receiving.receive_parcel(number=request.number, actor=keeper, tracking_no="SF100200300",
                             inspections=rows((1, "resellable", 2, "完好")))
    assert level("TEE") == (12, 0)
    move = StockMovement.objects.get(kind=MovementKind.RETURN)
    assert (move.on_hand_delta, move.reference, move.order_id) == (2, request.number, order.pk)
    assert verify_stock().ok


def test_damaged_units_go_to_quarantine_not_on_hand(net, cs, keeper):
    request = approved(delivered_order(), cs, lines=((1, 2),))
    receiving.receive_parcel(number=request.number, actor=keeper,
                             inspections=rows((1, "resellable", 1, ""), (1, "damaged", 1, "外盒破损")))
    assert level("TEE") == (11, 0)
    assert QuarantineStock.objects.get(sku__code="TEE", warehouse__code="hz").quantity == 1
    move = QuarantineMovement.objects.get()
    assert (move.delta, move.quantity_after, move.request_id) == (1, 1, request.pk)
    assert verify_stock().ok and quarantine_mismatches() == []


def test_a_return_raises_its_refund_with_the_pro_rated_discount_and_completes(net, cs, keeper):
    order = delivered_order()  # 2 × TEE 59 + MUG 30, shipping 10, discount 14.80: TEE nets 53.10 a unit
    request = approved(order, cs, reason="no_reason", lines=((1, 1),))
    receiving.receive_parcel(number=request.number, actor=keeper, inspections=rows((1, "resellable", 1, "")))
    request.refresh_from_db()
    assert request.status == RequestStatus.COMPLETED and request.received_by_id == keeper.user_id
    refund = Refund.objects.get(request=request)
    assert (refund.cause, refund.goods_amount, refund.shipping_amount) == (RefundCause.RETURN, Decimal("53.10"),
                                                                           Decimal("0.00"))
    assert refund.payment_method == "alipay" and refund.original_transaction_id == order.transaction_id


def test_returning_everything_for_a_quality_problem_pays_back_the_shipping_fee_too(net, cs, keeper):
    order = delivered_order()
    request = approved(order, cs, reason="quality")
    receiving.receive_parcel(number=request.number, actor=keeper,
                             inspections=rows((1, "resellable", 2, ""), (2, "damaged", 1, "")))
    refund = Refund.objects.get(request=request)
    assert refund.amount == order.paid_amount == Decimal("143.20")
    assert refund.shipping_amount == Decimal("10.00")


def test_returning_everything_without_a_reason_keeps_the_shipping_fee(net, cs, keeper):
    order = delivered_order()
    request = approved(order, cs, reason="no_reason")
    receiving.receive_parcel(number=request.number, actor=keeper,
                             inspections=rows((1, "resellable", 2, ""), (2, "resellable", 1, "")))
    assert Refund.objects.get(request=request).amount == Decimal("133.20")


def test_wrong_item_and_missing_units_are_not_refunded_and_the_timeline_says_cs_decides(net, cs, keeper):
    order = delivered_order()
    request = approved(order, cs, lines=((1, 2), (2, 1)))
    receiving.receive_parcel(number=request.number, actor=keeper,
                             inspections=rows((1, "resellable", 1, ""), (1, "wrong_item", 1, "寄回的是别家的T恤"),
                                              (2, "missing", 1, "")))
    refund = Refund.objects.get(request=request)
    assert [(rl.line.line_no, rl.quantity) for rl in refund.lines.all()] == [(1, 1)]
    event = AuditEvent.objects.get(order=order, action="after_sales_received")
    assert event.data["detail"] == "cs_decides" and len(event.data["not_refunded"]) == 2
    assert level("TEE") == (11, 0) and level("MUG") == (10, 0)


def test_every_requested_unit_must_be_accounted_for(net, cs, keeper):
    request = approved(delivered_order(), cs, lines=((1, 2),))
    with pytest.raises(InspectionIncomplete) as caught:
        receiving.receive_parcel(number=request.number, actor=keeper, inspections=rows((1, "resellable", 1, "")))
    assert "line 1" in caught.value.details
    with pytest.raises(InspectionIncomplete):
        receiving.parse_inspections([{"line_no": 1, "condition": "great", "quantity": 1}])
    assert level("TEE") == (10, 0)


def test_a_request_not_yet_approved_cannot_be_received(net, cs, keeper):
    order = delivered_order()
    request = req.submit_request(order_no=order.order_no, kind="return_refund", reason="quality", actor=cs,
                                 lines=[req.LineInput(line_no=1, quantity=1)])
    from oms.aftersales.status import InvalidAfterSalesTransition

    with pytest.raises(InvalidAfterSalesTransition):
        receiving.receive_parcel(number=request.number, actor=keeper, inspections=rows((1, "resellable", 1, "")))


def test_refund_only_requests_have_no_parcel(net, cs, keeper):
    order = delivered_order()
    request = req.submit_request(order_no=order.order_no, kind="refund_only", reason="quality", actor=cs,
                                 lines=[req.LineInput(line_no=1, quantity=1)])
    with pytest.raises(WrongKindForAction):
        receiving.receive_parcel(number=request.number, actor=keeper, inspections=rows((1, "resellable", 1, "")))


def test_a_warehouse_user_receives_only_for_their_own_warehouse(net, cs, users):
    request = approved(delivered_order(), cs, lines=((1, 1),))
    keeper = users["warehouse"]
    keeper.warehouses.add(Warehouse.objects.get(code="sh"))
    with pytest.raises(OutOfScope):
        receiving.receive_parcel(number=request.number, actor=Actor.of(keeper),
                                 inspections=rows((1, "resellable", 1, "")))


def test_inspection_photos_are_kept_and_a_non_image_refuses_the_whole_receipt(net, cs, keeper):
    request = approved(delivered_order(), cs, lines=((1, 1),))
    with pytest.raises(InvalidPhoto):
        receiving.receive_parcel(number=request.number, actor=keeper, inspections=rows((1, "damaged", 1, "")),
                                 photos=[SimpleUploadedFile("a.png", b"MZ\x90\x00 not a picture")])
    assert not QuarantineStock.objects.exists()
    receiving.receive_parcel(number=request.number, actor=keeper, inspections=rows((1, "damaged", 1, "")),
                             photos=[SimpleUploadedFile("a.png", PNG)])
    assert AfterSalesAttachment.objects.get(request=request).kind == "inspection"


def test_every_step_is_on_the_order_timeline_with_its_label(net, cs, keeper, users):
    from django.test import Client

    order = delivered_order()
    request = approved(order, cs, lines=((1, 1),))
    receiving.receive_parcel(number=request.number, actor=keeper, inspections=rows((1, "wrong_item", 1, "")))
    actions = list(AuditEvent.objects.filter(order=order).order_by("id").values_list("action", flat=True))
    assert actions == ["after_sales_requested", "after_sales_approved", "after_sales_received",
                       "after_sales_completed"]
    client = Client()
    client.force_login(users["customer_service"])
    page = client.get(f"/orders/{order.order_no}/").content.decode()
    assert "Returned parcel received and inspected" in page and "customer service decides" in page
