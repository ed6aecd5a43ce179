"""Manual entry of an offline order: a draft on success, errors next to the fields otherwise."""

import html

from django.urls import reverse

from oms.audit.models import AuditEvent
from oms.orders.models import EntryCheck, Order
from oms.orders.status import OrderSource, OrderStatus

NEW = "/orders/new/"


def test_the_blank_form_defaults_to_offline_and_three_line_rows(client_for):
    response = client_for("customer_service").get(NEW)
    assert response.status_code == 200
    body = response.content.decode()
    assert '<option value="offline" selected>' in body
    assert 'name="lines-TOTAL_FORMS" value="3"' in body
    assert 'name="placed_at" value="' in body


def test_manual_entry_creates_a_draft_awaiting_a_second_check(client_for, entry_data, users):
    client = client_for("customer_service")
    response = client.post(NEW, entry_data())
    assert response.status_code == 302, response.content.decode()[:3000]
    order = Order.objects.get()
    assert response["Location"] == reverse("web:order_detail", args=[order.order_no])
    assert order.status == OrderStatus.DRAFT
    assert order.entry_check == EntryCheck.AWAITING
    assert order.source == OrderSource.MANUAL
    assert order.created_by == users["customer_service"]
    assert order.payable_amount == order.paid_amount
    assert [ln.sku_code for ln in order.lines.all()] == ["TSHIRT-RED-M"]
    detail = html.unescape(client.get(response["Location"]).content.decode())
    assert "waiting for a second person's check" in detail


def test_discount_rows_are_entered_too(client_for, entry_data):
    client_for("customer_service").post(NEW, entry_data(**{
        "discounts-0-kind": "coupon", "discounts-0-code": "VIP5", "discounts-0-amount": "5.00",
        "paid_amount": "123.00",
    }))
    order = Order.objects.get()
    assert [(d.kind, d.code, str(d.amount)) for d in order.discounts.all()] == [("coupon", "VIP5", "5.00")]


def test_bad_input_shows_errors_next_to_the_fields_and_stores_nothing(client_for, entry_data):
    response = client_for("customer_service").post(NEW, entry_data(
        customer_phone="", ship_city="", **{"lines-0-quantity": "0", "lines-1-sku": "MUG", "lines-1-name": "杯子"},
    ))
    assert response.status_code == 400
    assert Order.objects.count() == 0
    assert AuditEvent.objects.count() == 0
    form = response.context["forms"]
    assert form.order.errors["customer_phone"]
    assert form.order.errors["ship_city"]
    assert form.lines.forms[0].errors["quantity"]
    assert form.lines.forms[1].errors["quantity"]
    assert form.lines.forms[1].errors["unit_price"]
    assert "sku" not in form.lines.forms[1].errors
    body = html.unescape(response.content.decode())
    assert "The order has invalid fields." in body
    assert 'value="杯子"' in body  # what was typed stays


def test_errors_in_later_rows_land_on_the_row_they_came_from(client_for, entry_data):
    # Row 0 is left empty: the service sees the third row as lines[1].
    data = entry_data(**{
        "lines-0-sku": "", "lines-0-name": "", "lines-0-spec": "", "lines-0-quantity": "", "lines-0-unit_price": "",
        "lines-1-sku": "TSHIRT-RED-M", "lines-1-name": "T恤", "lines-1-quantity": "2", "lines-1-unit_price": "59.00",
        "lines-2-sku": "MUG", "lines-2-name": "杯子", "lines-2-quantity": "x", "lines-2-unit_price": "5",
    })
    response = client_for("customer_service").post(NEW, data)
    form = response.context["forms"]
    assert "quantity" in form.lines.forms[2].errors
    assert not form.lines.forms[1].errors
    assert Order.objects.count() == 0


def test_amounts_that_do_not_add_up_are_shown_at_the_paid_amount(client_for, entry_data):
    response = client_for("customer_service").post(NEW, entry_data(paid_amount="100.00"))
    assert response.status_code == 422
    assert response.context["forms"].order.errors["paid_amount"]
    assert Order.objects.count() == 0


def test_an_order_without_lines_says_a_line_is_needed(client_for, entry_data):
    response = client_for("customer_service").post(NEW, entry_data(**{
        "lines-0-sku": "", "lines-0-name": "", "lines-0-spec": "", "lines-0-quantity": "", "lines-0-unit_price": "",
    }))
    assert response.context["forms"].lines.non_form_errors()
    assert Order.objects.count() == 0


def test_add_a_line_keeps_what_was_typed_and_adds_an_empty_row(client_for, entry_data):
    response = client_for("customer_service").post(NEW, entry_data(add_line="1", customer_name="赵六"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="lines-TOTAL_FORMS" value="4"' in body
    assert 'name="lines-3-sku"' in body
    assert 'value="赵六"' in body
    assert Order.objects.count() == 0


def test_a_duplicate_external_id_is_shown_at_that_field(client_for, entry_data):
    client = client_for("customer_service")
    client.post(NEW, entry_data(external_id="SHOP-1"))
    response = client.post(NEW, entry_data(external_id="SHOP-1"))
    assert response.status_code == 409
    assert response.context["forms"].order.errors["external_id"]
    assert Order.objects.count() == 1


def test_editing_a_draft_prefills_the_form_and_records_the_changes(client_for, entry_data):
    client = client_for("customer_service")
    client.post(NEW, entry_data())
    order = Order.objects.get()
    edit_url = reverse("web:order_edit", args=[order.order_no])
    form = client.get(edit_url).content.decode()
    assert 'value="李四"' in form
    assert 'value="TSHIRT-RED-M"' in form

    response = client.post(edit_url, entry_data(ship_city="宁波市", ship_district="鄞州区"))
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.ship_city == "宁波市"
    event = order.events.get(action="draft_edited")
    assert event.changes["ship_city"] == ["杭州市", "宁波市"]


def test_a_confirmed_order_cannot_be_edited_as_a_draft(client_for, entry_data, users):
    client_for("customer_service").post(NEW, entry_data())
    order = Order.objects.get()
    client_for("operations").post(reverse("web:order_confirm", args=[order.order_no]))
    response = client_for("customer_service").get(reverse("web:order_edit", args=[order.order_no]))
    assert response.status_code == 302
    assert response["Location"] == reverse("web:order_detail", args=[order.order_no])
