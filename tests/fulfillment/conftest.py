import pytest

from oms.accounts.actor import Actor
from oms.channels.selectors import channel_lookup
from oms.inventory import services as stock
from oms.inventory.models import Sku, Warehouse
from oms.notifications.outbox import deliver_pending
from oms.orders.intake.services import intake_order
from oms.orders.intake.validation import parse_intake
from oms.orders.models import Order
from oms.shipping.models import Carrier, RateCard, RateZone

EAST = ["浙江省", "江苏省", "上海市", "广东省"]


@pytest.fixture
def network(db, actor):
    """Hangzhou (priority 10) and Guangzhou (20), both shipping to the east; ZTO (collects cash on delivery)
    from both, Guangzhou cheaper."""
    hz = Warehouse.objects.create(code="hz", name="杭州仓", province="浙江省", city="杭州市", priority=10)
    gz = Warehouse.objects.create(code="gz", name="广州仓", province="广东省", city="广州市", priority=20)
    Sku.objects.create(code="TEE", name="纯棉T恤", spec="白色/M", weight_g=200)
    Sku.objects.create(code="MUG", name="马克杯", spec="350ml", weight_g=400)
    zto = Carrier.objects.create(code="zto", name="中通快递", supports_cod=True)
    for warehouse, first, step in ((hz, "8.00", "3.00"), (gz, "6.00", "2.00")):
        card = RateCard.objects.create(carrier=zto, warehouse=warehouse)
        RateZone.objects.create(rate_card=card, name="华东华南", provinces=EAST, first_price=first, step_price=step)
    return {"hz": hz, "gz": gz}


def receive(actor, sku: str, warehouse: str, quantity: int) -> None:
    stock.receive_stock(sku_code=sku, warehouse_code=warehouse, quantity=quantity, actor=actor("warehouse"))


@pytest.fixture
def push(users, order_payload):
    """Take an order in through the shop integration and let the worker review and allocate it."""
    shop = users["integration"]
    shop.all_channels = True
    shop.save()
    counter = iter(range(1, 1000))

    def do(*lines: tuple[str, int], **overrides) -> Order:
        items = [{"sku": sku, "name": sku, "spec": "", "quantity": qty, "unit_price": "10.00"} for sku, qty in lines]
        goods = sum(10 * qty for _sku, qty in lines)
        payload = order_payload(channel="web", external_id=f"W-F{next(counter)}", lines=items, discounts=[],
                                shipping_fee="0.00", paid_amount=f"{goods:.2f}", buyer_remark="")
        payload.update(overrides)
        order = intake_order(command=parse_intake(payload, channel_lookup=channel_lookup), actor=Actor.of(shop)).order
        for _ in range(3):  # review, then allocation (order.approved), then what follows
            deliver_pending()
        return Order.objects.get(pk=order.pk)

    return do
