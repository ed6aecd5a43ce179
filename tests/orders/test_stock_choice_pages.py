"""The out-of-stock queue page and the order page's panel, through the Django test client."""
# ruff: noqa: F811  (fixtures imported from tests/orders/stock_choice_fixtures.py)

import pytest
from django.test import Client

from oms.orders.models import Order
from oms.payments.models import Refund
from tests.orders.stock_choice_fixtures import depot, place, receive  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def browser(users):
    def make(role):
        client = Client()
        client.force_login(users[role])
        return client

    return make


@pytest.fixture
def held(place, actor):
    receive(actor, "TEE", 3)
    receive(actor, "MUG", 1)
    return place(("TEE", 3), ("MUG", 2), discount=8, shipping=6)


def test_customer_service_sees_the_queue_in_the_navigation_with_missing_units(held, browser):
    page = browser("customer_service").get("/stock-shortages/")

    assert page.status_code == 200
    html = page.content.decode()
    assert held.order_no in html and "Out of stock" in html and 'href="/stock-shortages/"' in html
    assert "MUG</span> × 1" in html


def test_recording_a_choice_on_the_page_cancels_the_units_and_says_so(held, browser):
    prefix = held.order_no
    page = browser("customer_service").post(f"/stock-shortages/{held.order_no}/choice/", {
        f"{prefix}-choice": "cancel_lines", f"{prefix}-line_2": "1", f"{prefix}-note": "buyer agreed"}, follow=True)

    assert page.status_code == 200
    assert "the buyer&#x27;s choice is recorded" in page.content.decode()
    assert Order.objects.get(pk=held.pk).status == "pending_shipment"
    assert Refund.objects.get(order=held).amount == 22.50


def test_a_partial_shipment_without_saying_what_happens_to_the_rest_shows_the_form_error(held, browser):
    prefix = held.order_no
    page = browser("customer_service").post(f"/stock-shortages/{held.order_no}/choice/",
                                            {f"{prefix}-choice": "partial_ship"})

    assert page.status_code == 400
    assert "Say what happens to the rest" in page.content.decode()
    assert Order.objects.get(pk=held.pk).stock_choice == ""


def test_a_refused_choice_is_shown_as_a_message(held, browser):
    prefix = held.order_no
    page = browser("customer_service").post(f"/stock-shortages/{held.order_no}/choice/", {
        f"{prefix}-choice": "cancel_lines", f"{prefix}-line_1": "3", f"{prefix}-line_2": "2"}, follow=True)

    assert "cancel the order instead" in page.content.decode()
    assert Order.objects.get(pk=held.pk).stock_choice == ""


def test_the_order_page_shows_the_panel_with_the_form_and_comes_back_to_itself(held, browser):
    client = browser("customer_service")
    page = client.get(f"/orders/{held.order_no}/")

    html = page.content.decode()
    assert 'data-testid="stock-choice"' in html and "Record choice" in html
    back = client.post(f"/stock-shortages/{held.order_no}/choice/", {
        f"{held.order_no}-choice": "wait", "next": f"/orders/{held.order_no}/"})
    assert back.status_code == 302 and back["Location"] == f"/orders/{held.order_no}/"
    assert Order.objects.get(pk=held.pk).stock_choice == "wait"


def test_the_warehouse_has_no_queue_and_no_form(held, browser):
    client = browser("warehouse")

    assert client.get("/stock-shortages/").status_code == 403
    assert "Record choice" not in client.get(f"/orders/{held.order_no}/").content.decode()


def test_a_waiting_rest_is_listed_with_a_form_that_only_cancels_waiting_units(held, browser):
    client = browser("customer_service")
    client.post(f"/stock-shortages/{held.order_no}/choice/", {
        f"{held.order_no}-choice": "partial_ship", f"{held.order_no}-rest": "wait"})

    html = client.get("/stock-shortages/").content.decode()
    assert "Rest waits for stock" in html and "Cancel waiting units" in html
    assert f'name="{held.order_no}-line_1"' not in html  # TEE is not waiting
    client.post(f"/stock-shortages/{held.order_no}/choice/", {
        f"{held.order_no}-choice": "cancel_lines", f"{held.order_no}-line_2": "1"})
    assert Refund.objects.get(order=held).amount == 22.50
