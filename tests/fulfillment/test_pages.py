"""Picking and packing pages through the Django test client (the browser walk is in tests/e2e)."""

import pytest
from django.test import Client

from .test_packing import picked  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("network")


@pytest.fixture
def keeper(users):
    client = Client()
    client.force_login(users["warehouse"])
    return client


def test_the_packing_page_rechecks_refuses_a_wrong_item_packs_and_prints_the_label(picked, keeper):  # noqa: F811
    order, package = picked
    url = f"/pack/{package}/"
    assert keeper.get(f"/pack/?package={package}").url == url

    refused = keeper.post(url, {"code": "NOPE"})
    assert refused.status_code == 409 and "scan-error" in refused.content.decode()
    for code in ("TEE", "TEE", "MUG"):
        assert keeper.post(url, {"code": code}).status_code == 200
    page = keeper.get(url).content.decode()
    assert 'id="recheck-done"' in page and "box3" in page

    packed = keeper.post(url, {"pack": "1", "box": "box3", "weight_g": "960"})
    assert packed.status_code == 302
    assert 'id="print-label"' in keeper.get(url).content.decode()
    order.refresh_from_db()
    assert order.packages.get().status == "packed"


def test_the_picking_page_starts_a_wave_and_refuses_a_wrong_scan(push, actor, keeper, network):
    from oms.inventory.models import Bin, Sku, SkuLocation

    from .conftest import receive

    b = Bin.objects.create(warehouse=network["hz"], code="A01-01-1", aisle=1, bay=1, level=1)
    SkuLocation.objects.create(sku=Sku.objects.get(code="TEE"), warehouse=network["hz"], bin=b)
    receive(actor, "TEE", "hz", 5)
    push(("TEE", 1))

    started = keeper.post("/pick/", {"warehouse": "hz", "carrier": "", "max_lines": "60"})
    assert started.status_code == 302 and started.url.startswith("/pick/PL-HZ-")
    wrong = keeper.post(started.url, {"code": "A09-09-9"})
    assert wrong.status_code == 409  # not a bin of this warehouse, not a SKU
    assert keeper.post(started.url, {"code": "A01-01-1"}).status_code == 200
    done = keeper.post(started.url, {"code": "TEE"})
    assert done.status_code == 200 and 'id="all-done"' in done.content.decode()


def test_customer_service_has_neither_page(users):
    client = Client()
    client.force_login(users["customer_service"])
    assert client.get("/pick/").status_code == 403
    assert client.get("/pack/").status_code == 403
