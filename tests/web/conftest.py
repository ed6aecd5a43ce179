import pytest
from django.test import Client

from oms.accounts.actor import Actor
from oms.channels.selectors import channel_lookup
from oms.orders.intake.services import intake_order
from oms.orders.intake.validation import parse_intake
from oms.orders.status import OrderSource
from tests.conftest import PASSWORD


@pytest.fixture
def client_for(users):
    """A test client signed in as the given role's user (or as a given user)."""

    def make(who) -> Client:
        user = users[who] if isinstance(who, str) else who
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def push_order(users):
    """Store a channel order the way the API does; keyword arguments override the example payload."""

    def push(payload):
        command = parse_intake(payload, channel_lookup=channel_lookup)
        return intake_order(command=command, actor=Actor.of(users["integration"]), source=OrderSource.API).order

    return push


def entry_form_data(**overrides) -> dict:
    """A complete manual-entry form submission (one line, no discounts)."""
    data = {
        "channel": "offline",
        "external_id": "",
        "placed_at": "2026-11-26T10:15",
        "customer_name": "李四",
        "customer_phone": "13900139000",
        "customer_email": "",
        "ship_name": "李四",
        "ship_phone": "13900139000",
        "ship_province": "浙江省",
        "ship_city": "杭州市",
        "ship_district": "西湖区",
        "ship_detail": "文三路100号",
        "ship_postcode": "310012",
        "payment_method": "cash",
        "payment_status": "paid",
        "paid_amount": "128.00",
        "paid_at": "2026-11-26T10:20",
        "transaction_id": "",
        "shipping_fee": "10.00",
        "buyer_remark": "",
        "seller_note": "门店自提改快递",
        "invoice_type": "",
        "invoice_title": "",
        "invoice_tax_id": "",
        "lines-TOTAL_FORMS": "3",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "500",
        "lines-0-sku": "TSHIRT-RED-M",
        "lines-0-name": "纯棉T恤",
        "lines-0-spec": "红色/M",
        "lines-0-quantity": "2",
        "lines-0-unit_price": "59.00",
        "discounts-TOTAL_FORMS": "2",
        "discounts-INITIAL_FORMS": "0",
        "discounts-MIN_NUM_FORMS": "0",
        "discounts-MAX_NUM_FORMS": "20",
    }
    for i in (1, 2):
        for f in ("sku", "name", "spec", "quantity", "unit_price"):
            data[f"lines-{i}-{f}"] = ""
    for i in (0, 1):
        for f in ("kind", "code", "amount"):
            data[f"discounts-{i}-{f}"] = ""
    data.update(overrides)
    return data


@pytest.fixture
def entry_data():
    return entry_form_data


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture(autouse=True)
def _pages_in_english(settings):
    # Assertions below read English text; Chinese rendering is checked in tests/test_translations.py.
    settings.LANGUAGE_CODE = "en"
