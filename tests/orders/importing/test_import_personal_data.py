"""Orders stored by the bulk import (past Order.save) are encrypted and findable like any other."""

from django.db import connection

from oms.orders.models import Order
from oms.orders.selectors import OrderFilters, order_list
from tests.orders.importing.import_builders import csv_bytes, order_rows


def test_an_imported_order_is_stored_encrypted_and_found_by_its_full_phone_and_recipient(importer):
    report = importer(csv_bytes(order_rows("PD-1", customer_phone="13912345678", recipient_phone="13712345678",
                                           recipient_name="王小明")))
    assert len(report.created) == 1
    order = Order.objects.get(external_id="PD-1")
    with connection.cursor() as cursor:
        cursor.execute("SELECT customer_phone, ship_phone, ship_detail FROM orders_order WHERE id = %s", [order.pk])
        raw = " ".join(cursor.fetchone())
    assert "13912345678" not in raw and "13712345678" not in raw and order.ship_detail not in raw

    for phone in ("13912345678", "13712345678"):
        assert list(order_list(OrderFilters(phone=phone))) == [order]
    assert list(order_list(OrderFilters(recipient="王小明"))) == [order]
