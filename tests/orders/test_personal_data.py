"""Customer data protection (§3.3): search through the keyed hash, masking on every screen, the
API and exports, the audited reveal, the retention sweep, and the migration of existing rows."""

from __future__ import annotations

import csv
import importlib
import io

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.urls import reverse

from oms.accounts.actor import Actor
from oms.audit.models import AuditEvent
from oms.cli import main
from oms.core.errors import PermissionDenied
from oms.notifications.models import Medium, Message, MessageEvent, MessageLanguage
from oms.orders import selectors
from oms.orders.anonymisation import ANONYMISED_ACTION, anonymise_archived
from oms.orders.archive_export import export_archive
from oms.orders.archive_selectors import ArchiveQuery, archived_orders
from oms.orders.models import Order
from oms.orders.personal_data import ANONYMISED, phone_hash
from oms.orders.reveal import REVEALED, reveal_personal_data
from oms.orders.review.models import OrderHold
from tests.orders.personal_data_fixtures import make_order

pytestmark = pytest.mark.django_db
PHONE = "13812345678"


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- search -------------------------------------------------------------------------------------

def test_the_order_list_finds_an_order_by_the_full_phone_in_any_notation_through_the_hash():
    wanted = make_order(phone=PHONE)
    by_customer = make_order(phone="13900001111", customer_phone=PHONE)
    make_order(phone="13900002222")

    found = {o.order_no for o in selectors.order_list(selectors.OrderFilters(phone="+86 138-1234-5678"))}
    partial = selectors.order_list(selectors.OrderFilters(phone="1381234"))

    assert found == {wanted.order_no, by_customer.order_no}
    assert not partial.exists()


def test_the_archive_finds_an_archived_order_by_phone_and_the_list_by_the_full_recipient_name():
    archived = make_order(phone=PHONE, archived_days_ago=10)
    make_order(phone=PHONE)
    named = make_order(name="欧阳小明", phone="13900003333")

    assert [o.order_no for o in archived_orders(ArchiveQuery(phone=PHONE))] == [archived.order_no]
    assert [o.order_no for o in selectors.order_list(selectors.OrderFilters(recipient=" 欧阳 小明"))] == [
        named.order_no]


def test_the_api_searches_by_phone_and_answers_masked(api):
    order = make_order(phone=PHONE, name="张小明", detail="文三路100号")

    body = api("customer_service").get("/api/v1/orders", {"phone": PHONE}).json()
    detail = api("customer_service").get(f"/api/v1/orders/{order.order_no}").json()

    assert [r["order_no"] for r in body["results"]] == [order.order_no]
    assert body["results"][0]["ship_phone"] == "138****5678"
    assert body["results"][0]["ship_name"] == "张*明"
    assert detail["shipping_address"]["phone"] == "138****5678"
    assert detail["shipping_address"]["detail"] == "文三路****"
    assert detail["customer"]["phone"] == "138****5678"
    assert PHONE not in str(body) + str(detail) and "文三路100号" not in str(detail)


# --- masked on the pages and in exports ---------------------------------------------------------------

def test_customer_service_sees_masked_phones_and_addresses_in_the_list_and_the_detail(users):
    order = make_order(phone=PHONE, name="张小明", detail="文三路100号")
    cs = signed_in(users["customer_service"])

    listing = cs.get(reverse("web:order_list"), {"phone": PHONE}).content.decode()
    detail = cs.get(reverse("web:order_detail", args=[order.order_no])).content.decode()

    assert order.order_no in listing and "张*明" in listing and "张小明" not in listing
    assert "138****5678" in detail and "文三路****" in detail
    for plain in (PHONE, "文三路100号", "张小明"):
        assert plain not in detail
    assert 'data-testid="reveal"' in detail  # customer service may reveal


def test_the_correction_form_of_a_held_order_shows_masked_placeholders_and_keeps_what_is_left_empty(users):
    from oms.orders.status import OrderStatus

    order = make_order(phone=PHONE, name="张小明", detail="文三路100号", status=OrderStatus.ON_HOLD)
    cs = signed_in(users["customer_service"])

    page = cs.get(reverse("web:order_detail", args=[order.order_no])).content.decode()
    cs.post(reverse("web:order_correct", args=[order.order_no]), {
        "ship_name": "", "ship_phone": "", "customer_phone": "", "ship_detail": "", "ship_province": "浙江省",
        "ship_city": "杭州市", "ship_district": "滨江区", "ship_postcode": "310012", "seller_note": "", "note": ""})

    assert 'placeholder="138****5678"' in page and PHONE not in page and "文三路100号" not in page
    order.refresh_from_db()
    assert (order.ship_district, order.ship_phone, order.ship_name, order.ship_detail) == (
        "滨江区", PHONE, "张小明", "文三路100号")


def test_the_archive_export_and_its_audit_event_hold_masked_values_only(users):
    order = make_order(phone=PHONE, name="张小明", detail="文三路100号", archived_days_ago=10)

    content, _name, n = export_archive(query=ArchiveQuery(phone=PHONE), fmt="csv",
                                       actor=Actor.of(users["customer_service"]))

    text = content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert n == 1 and rows[2][0] == order.order_no
    assert "138****5678" in rows[2] and "张*明" in rows[2] and "浙江省杭州市西湖区文三路****" in rows[2]
    assert PHONE not in text and "文三路100号" not in text
    event = AuditEvent.objects.get(action="archive_exported")
    assert event.data["what"] == "archived_orders" and event.data["orders"] == 1 and event.data["rows"] == 1
    assert event.data["phone"] == "138****5678"


def test_the_warehouse_label_keeps_the_full_address_for_the_carrier_and_masks_the_phone():
    from oms.fulfillment.documents.labels_pdf import LabelData, mask_phone

    assert mask_phone(PHONE) == "138****5678"
    assert "recipient_address" in LabelData.__dataclass_fields__


# --- reveal ------------------------------------------------------------------------------------

def test_reveal_through_the_api_returns_full_values_and_is_audited(api, users):
    order = make_order(phone=PHONE, name="张小明", detail="文三路100号")

    response = api("customer_service").post(f"/api/v1/orders/{order.order_no}/reveal", {"reason": "buyer called"},
                                            format="json")

    assert response.status_code == 200
    body = response.json()
    assert (body["ship_phone"], body["ship_name"], body["ship_detail"]) == (PHONE, "张小明", "文三路100号")
    assert body["full_address"] == "浙江省杭州市西湖区文三路100号"
    event = AuditEvent.objects.get(order=order, action=REVEALED)
    assert event.actor_username == users["customer_service"].username and event.at is not None
    assert "ship_phone" in event.data["fields"] and event.reason == "buyer called"
    assert PHONE not in str(event.data) + str(event.changes)


@pytest.mark.parametrize("role", ["warehouse", "finance"])
def test_reveal_without_the_permission_is_refused_with_403_and_not_audited(api, role):
    order = make_order(phone=PHONE)

    response = api(role).post(f"/api/v1/orders/{order.order_no}/reveal", {}, format="json")

    assert response.status_code == 403
    assert response.json()["error"]["code"]
    assert PHONE not in response.content.decode()
    assert not AuditEvent.objects.filter(action=REVEALED).exists()


def test_the_reveal_action_checks_the_permission_itself(users):
    order = make_order(phone=PHONE)

    with pytest.raises(PermissionDenied):
        reveal_personal_data(order_no=order.order_no, actor=Actor.of(users["warehouse"]))


def test_the_reveal_button_swaps_in_the_full_values_for_htmx_and_records_the_reveal(users):
    order = make_order(phone=PHONE, name="张小明", detail="文三路100号")
    cs = signed_in(users["customer_service"])

    partial = cs.post(reverse("web:order_reveal", args=[order.order_no]), HTTP_HX_REQUEST="true")
    page = cs.post(reverse("web:order_reveal", args=[order.order_no]))
    warehouse = signed_in(users["warehouse"]).post(reverse("web:order_reveal", args=[order.order_no]))

    html = partial.content.decode()
    assert partial.status_code == 200 and PHONE in html and "文三路100号" in html and "<html" not in html
    assert "no-store" in partial["Cache-Control"]
    assert page.status_code == 200 and PHONE in page.content.decode()
    assert warehouse.status_code == 403 and PHONE not in warehouse.content.decode()
    assert AuditEvent.objects.filter(order=order, action=REVEALED).count() == 2


def test_the_reveal_button_is_not_offered_without_the_permission(users):
    order = make_order(phone=PHONE)

    detail = signed_in(users["finance"]).get(reverse("web:order_detail", args=[order.order_no]))

    assert detail.status_code in (200, 403)
    assert 'data-testid="reveal"' not in detail.content.decode()


# --- retention ----------------------------------------------------------------------------------

def test_anonymisation_removes_personal_data_of_old_archived_orders_and_keeps_the_books(settings):
    settings.OMS_PII_RETENTION_DAYS = 365
    old = make_order(phone=PHONE, name="张小明", detail="文三路100号", email="zxm@example.cn",
                     archived_days_ago=400)
    recent = make_order(phone=PHONE, archived_days_ago=30)
    working = make_order(phone=PHONE)
    Message.objects.create(order=old, event=MessageEvent.ORDER_SHIPPED, medium=Medium.SMS, recipient=PHONE,
                           language=MessageLanguage.ZH_HANS, body="张小明您好，您的订单已发货")
    hold = OrderHold.objects.create(order=old, code="blacklisted", details={
        "hits": [{"kind": "phone", "value": PHONE, "reason": "恶意退货"}]})

    done = anonymise_archived(actor=Actor.system(), batch_size=1)
    again = anonymise_archived(actor=Actor.system())

    old.refresh_from_db()
    assert (done, again) == (1, 0)
    assert (old.customer_name, old.customer_phone, old.customer_email, old.ship_name, old.ship_phone,
            old.ship_detail) == (ANONYMISED, ANONYMISED, "", ANONYMISED, ANONYMISED, ANONYMISED)
    assert old.anonymised_at is not None
    assert (old.order_no, str(old.payable_amount), old.ship_province, old.ship_city) == (
        old.order_no, "59.00", "浙江省", "杭州市")
    assert old.placed_at and old.paid_at and old.archived_at and old.lines.count() == 1
    assert (old.customer_phone_hash, old.ship_phone_hash, old.ship_name_hash) == ("", "", "")
    message = Message.objects.get(order=old)
    assert PHONE not in message.recipient + message.body and "张小明" not in message.body
    hold.refresh_from_db()
    assert hold.details == {}
    assert {o.order_no for o in selectors.order_list(selectors.OrderFilters(phone=PHONE, include_archived=True))} \
        == {recent.order_no, working.order_no}
    assert AuditEvent.objects.filter(order=old, action=ANONYMISED_ACTION).count() == 1
    recent.refresh_from_db()
    assert recent.ship_phone == PHONE and recent.anonymised_at is None


def test_the_cli_counts_with_dry_run_then_anonymises(settings, capsys):
    settings.OMS_PII_RETENTION_DAYS = 365
    order = make_order(phone=PHONE, archived_days_ago=400)

    assert main(["orders", "anonymise", "--dry-run"]) == 0
    dry = capsys.readouterr().out
    assert Order.objects.get(pk=order.pk).anonymised_at is None
    assert main(["orders", "anonymise"]) == 0

    assert dry.strip() == "would anonymise 1 orders"
    assert capsys.readouterr().out.strip() == "anonymised 1 orders in 1 batches"
    assert Order.objects.get(pk=order.pk).ship_phone == ANONYMISED


def test_a_retention_of_zero_days_turns_the_nightly_sweep_off(settings):
    settings.OMS_PII_RETENTION_DAYS = 0
    make_order(phone=PHONE, archived_days_ago=4000)

    assert anonymise_archived() == 0


# --- migration of existing rows ---------------------------------------------------------------------

def test_the_data_migration_encrypts_plain_rows_and_fills_their_hashes():
    order = make_order(phone=PHONE, detail="文三路100号")
    table = connection.ops.quote_name(Order._meta.db_table)
    with connection.cursor() as cursor:  # as the row was before this change: plain text, no hash
        cursor.execute(f"UPDATE {table} SET ship_phone = %s, ship_detail = %s, ship_phone_hash = '' WHERE id = %s",
                       [PHONE, "文三路100号", order.pk])
    migration = importlib.import_module("oms.orders.migrations.0009_encrypt_existing_personal_data")

    migration.encrypt_rows(apps, connection.schema_editor())

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT ship_phone, ship_detail, ship_phone_hash FROM {table} WHERE id = %s", [order.pk])
        phone, detail, key = cursor.fetchone()
    assert phone.startswith("gAAAAA") and detail.startswith("gAAAAA") and key == phone_hash(PHONE)
    assert Order.objects.get(pk=order.pk).ship_detail == "文三路100号"
