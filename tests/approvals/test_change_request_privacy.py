"""Change requests keep the order's privacy rules: personal values encrypted at rest, never shown in
full on the request form or in errors, and orders outside the requester's scopes out of reach."""

import pytest
from django.db import connection
from django.test import Client

from oms.accounts.actor import Actor, OutOfScope
from oms.approvals import services as svc
from oms.approvals.errors import TargetChanged
from oms.approvals.models import ChangeRequest
from oms.channels.models import Channel
from oms.orders.models import Order
from tests.approvals.setup import network, shipped_order

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _setup(settings):
    settings.LANGUAGE_CODE = "en"
    settings.AXES_ENABLED = False
    network()


def _raw(cr: ChangeRequest) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT proposed, current FROM approvals_changerequest WHERE id = %s", [cr.pk])
        proposed, current = cursor.fetchone()
    return f"{proposed} {current}"


def test_a_customer_data_request_stores_the_phone_and_address_encrypted_and_reads_them_back(actor):
    order = shipped_order()  # phones 13800138000, street 文三路100号
    cr = svc.request_change(kind="customer_data", order_no=order.order_no, actor=actor("customer_service"),
                            reason="买家换号", proposed={"ship_phone": "13900139000", "ship_detail": "文三路102号"})

    raw = _raw(cr)
    for plain in ("13900139000", "13800138000", "文三路102号", "文三路100号", "张三"):
        assert plain not in raw
    assert ChangeRequest.objects.get(pk=cr.pk).proposed == {"ship_phone": "13900139000", "ship_detail": "文三路102号"}

    svc.approve_change(number=cr.number, actor=actor("operations"))
    order.refresh_from_db()
    assert (order.ship_phone, order.ship_detail) == ("13900139000", "文三路102号")


def test_a_stale_customer_data_request_names_no_full_phone_in_its_error(actor):
    order = shipped_order()
    cr = svc.request_change(kind="customer_data", order_no=order.order_no, actor=actor("customer_service"),
                            reason="r", proposed={"ship_detail": "文三路102号"})
    Order.objects.filter(pk=order.pk).update(ship_phone="13700137000")

    with pytest.raises(TargetChanged) as caught:
        svc.approve_change(number=cr.number, actor=actor("operations"))
    text = str(caught.value.details)
    assert "13800138000" not in text and "13700137000" not in text and "文三路100号" not in text


def test_the_customer_data_form_does_not_show_the_full_phone_or_street(users):
    order = shipped_order()
    client = Client()
    client.force_login(users["customer_service"])
    page = client.get("/approvals/new/", {"order_no": order.order_no, "kind": "customer_data"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "13800138000" not in body and "文三路100号" not in body
    assert "138****8000" in body  # the masked value tells what is there now


def test_an_order_of_another_channel_is_out_of_reach_of_a_channel_scoped_requester(users):
    order = shipped_order()  # a taobao order
    cs = users["customer_service"]
    cs.channels.set([Channel.objects.exclude(pk=order.channel_id).first()])

    with pytest.raises(OutOfScope):
        svc.request_change(kind="order_amounts", order_no=order.order_no, actor=Actor.of(cs), reason="r",
                           proposed={"shipping_fee": "0", "paid_amount": "133.20"})
    client = Client()
    client.force_login(cs)
    assert client.get("/approvals/new/", {"order_no": order.order_no, "kind": "customer_data"}).status_code == 404
    assert not ChangeRequest.objects.exists()


def test_lists_of_requests_leave_out_orders_of_other_channels(users, actor, api):
    order = shipped_order()  # a taobao order
    cr = svc.request_change(kind="customer_data", order_no=order.order_no, actor=actor("customer_service"),
                            reason="r", proposed={"ship_detail": "文三路102号"})
    ops = users["operations"]
    ops.channels.set([Channel.objects.exclude(pk=order.channel_id).first()])

    client = Client()
    client.force_login(ops)
    for tab in ("waiting", "pending"):
        assert cr.number not in client.get("/approvals/", {"tab": tab}).content.decode()
        assert api("operations").get("/api/v1/change-requests", {"tab": tab}).json()["count"] == 0
    # Unscoped, the same approver sees it.
    ops.channels.clear()
    assert api("operations").get("/api/v1/change-requests", {"tab": "pending"}).json()["count"] == 1


def _raw_request(order, user) -> ChangeRequest:
    return ChangeRequest.objects.create(
        number=f"CRT{order.pk:06d}", kind="customer_data", order=order, reason="r", requested_by=user,
        conflict_key=f"order:{order.pk}:customer", proposed={"ship_phone": "13900139000", "ship_city": "杭州市"},
        current={"ship_phone": "13800138000", "ship_city": "杭州市"})


def test_key_rotation_re_encrypts_change_requests_so_the_old_key_can_go(settings, users):
    from cryptography.fernet import Fernet

    from oms.orders.key_rotation import rotate_personal_data
    from tests.orders.personal_data_fixtures import make_order

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.OMS_PII_KEYS, settings.OMS_PII_HASH_KEY = [old], "hash-key-for-the-test"
    cr = _raw_request(make_order(), users["customer_service"])

    settings.OMS_PII_KEYS = [new, old]
    rotate_personal_data(actor=Actor.system(), batch_size=1)
    settings.OMS_PII_KEYS = [new]
    fresh = ChangeRequest.objects.get(pk=cr.pk)
    assert (fresh.proposed["ship_phone"], fresh.current["ship_phone"]) == ("13900139000", "13800138000")


def test_anonymising_an_archived_order_also_blanks_its_change_requests(users):
    from oms.orders.anonymisation import anonymise_archived
    from oms.orders.personal_data import ANONYMISED
    from tests.orders.personal_data_fixtures import make_order

    cr = _raw_request(make_order(archived_days_ago=4000), users["customer_service"])
    assert anonymise_archived(actor=Actor.system()) == 1
    fresh = ChangeRequest.objects.get(pk=cr.pk)
    assert fresh.proposed == {"ship_phone": ANONYMISED, "ship_city": "杭州市"}
    assert fresh.current == {"ship_phone": ANONYMISED, "ship_city": "杭州市"}


def test_customer_data_of_an_anonymised_order_cannot_be_written_back(actor):
    from django.utils import timezone

    from oms.approvals.errors import ChangeNotAllowed

    order = shipped_order()
    Order.objects.filter(pk=order.pk).update(anonymised_at=timezone.now())
    with pytest.raises(ChangeNotAllowed):
        svc.request_change(kind="customer_data", order_no=order.order_no, actor=actor("customer_service"),
                           reason="r", proposed={"ship_phone": "13900139000"})
