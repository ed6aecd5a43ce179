import pytest

from oms.inventory.models import Sku, Warehouse


@pytest.fixture
def warehouses(db):
    return {
        "hz": Warehouse.objects.create(code="hz", name="杭州仓", province="浙江省", city="杭州市", priority=10),
        "gz": Warehouse.objects.create(code="gz", name="广州仓", province="广东省", city="广州市", priority=20),
    }


@pytest.fixture
def sku(db):
    return Sku.objects.create(code="TSHIRT-RED-M", name="纯棉T恤", spec="红色/M", weight_g=200)
