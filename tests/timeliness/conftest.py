from datetime import datetime, timedelta

import pytest
from django.test import Client

from oms.orders.models import Order
from oms.timeliness.calendar import SHANGHAI
from tests.fulfillment.conftest import network, push, receive  # noqa: F401  (fixtures)


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def client_for(users):
    def make(role: str) -> Client:
        client = Client()
        client.force_login(users[role])
        return client

    return make


def shanghai(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def paid_order(network, push, actor):  # noqa: F811
    """An order paid at the given moment, allocated to Hangzhou (stock received first)."""
    counter = iter(range(1, 1000))

    def make(paid_at: datetime) -> Order:
        receive(actor, "TEE", "hz", 1)
        placed = paid_at - timedelta(minutes=1)
        return push(("TEE", 1), placed_at=placed.isoformat(),
                    payment={"method": "alipay", "status": "paid", "paid_at": paid_at.isoformat(),
                             "transaction_id": f"T{next(counter)}"})

    return make
