"""The finance settlement pages: the overview, a day's orders, and the mark-settled form."""

from decimal import Decimal

import pytest
from django.test import Client

from oms.orders.models import Order
from oms.payments.models import SettlementBatch

pytestmark = pytest.mark.django_db


@pytest.fixture
def page(users):
    def client_for(role: str) -> Client:
        client = Client()
        client.force_login(users[role])
        return client

    return client_for


def test_finance_sees_the_nav_entry_and_the_overview_of_each_channels_day(completed, day, page):
    completed(10)
    completed(11, paid_amount=Decimal("100.00"))

    response = page("finance").get(f"/finance/settlement/?day_from={day}&day_to={day}")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="/finance/settlement/"' in html
    assert html.count('data-testid="settlement-row"') == 1
    assert f'href="/finance/settlement/taobao/{day}/"' in html
    assert "¥218.00" in html


def test_warehouse_staff_have_no_settlement_page(page):
    response = page("warehouse").get("/finance/settlement/")

    assert response.status_code == 403
    assert 'href="/finance/settlement/"' not in page("warehouse").get("/").content.decode()


def test_a_reversed_range_is_named_on_the_form(page, day):
    response = page("finance").get(f"/finance/settlement/?day_from={day}&day_to=2020-01-01")

    assert response.status_code == 400
    assert "has-error" in response.content.decode()


def test_finance_marks_a_day_settled_from_its_page(completed, day, page):
    order = completed(10)
    client = page("finance")

    shown = client.get(f"/finance/settlement/taobao/{day}/")
    response = client.post(f"/finance/settlement/taobao/{day}/", {"expected_orders": "1", "reported_amount": "118.00",
                                                                   "note": ""}, follow=True)

    assert order.order_no in shown.content.decode()
    assert 'name="settle"' in shown.content.decode()
    assert response.status_code == 200
    assert 'data-testid="batch"' in response.content.decode()
    assert 'name="settle"' not in response.content.decode()
    assert Order.objects.get(pk=order.pk).settled_at is not None


def test_mismatches_without_a_note_keep_the_form_with_the_reason_at_the_note(completed, day, page):
    order = completed(10, transaction_id="")

    response = page("finance").post(f"/finance/settlement/taobao/{day}/", {"expected_orders": "1", "note": ""})

    assert response.status_code == 422
    html = response.content.decode()
    assert "has-error" in html and "mismatch" in html
    assert Order.objects.get(pk=order.pk).settled_at is None
    assert SettlementBatch.objects.count() == 0


def test_a_settled_order_shows_its_settlement_in_the_timeline(completed, day, page):
    order = completed(10)
    page("finance").post(f"/finance/settlement/taobao/{day}/", {"expected_orders": "1"})

    html = page("finance").get(f"/orders/{order.order_no}/").content.decode()

    assert "event event-settled" in html
    assert Order.objects.get(pk=order.pk).settled_at is not None


def test_an_unknown_channel_or_day_is_404(page):
    assert page("finance").get("/finance/settlement/nope/2026-11-01/").status_code == 404
    assert page("finance").get("/finance/settlement/taobao/2026-02-30/").status_code == 404
