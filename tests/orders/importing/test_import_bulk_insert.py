"""The import's lean INSERT stores exactly what bulk_create would."""

from datetime import datetime
from zoneinfo import ZoneInfo

from oms.audit.models import AuditEvent
from oms.audit.services import build_event
from oms.channels.selectors import channel_lookup
from oms.notifications.models import OutboxMessage
from oms.orders.importing import bulk
from oms.orders.intake.building import build_order
from oms.orders.intake.validation import parse_intake
from oms.orders.models import Order, OrderDiscount, OrderLine

VOLATILE = {"id", "order_id", "order_no", "external_id", "created_at", "updated_at", "at"}


def built(order_payload, external_id: str, order_no: str):
    command = parse_intake(order_payload(external_id=external_id, seller_note="备注 'quoted' %s"),
                           channel_lookup=channel_lookup)
    return build_order(command, order_no=order_no, source="import", status="pending_review", created_by_id=None,
                       skus={})


def stored(model, **filters):
    return [{k: v for k, v in row.items() if k not in VOLATILE} for row in model.objects.filter(**filters).values()]


def test_orders_lines_and_discounts_are_stored_as_bulk_create_stores_them(db, order_payload):
    ours, django = built(order_payload, "OURS", "26112600000001"), built(order_payload, "DJANGO", "26112600000002")

    bulk.insert([ours.order], key="order_no")
    Order.objects.bulk_create([django.order])
    for b in (ours, django):
        for row in b.lines + b.discounts:
            row.order_id = b.order.pk
    bulk.insert(ours.lines)
    bulk.insert(ours.discounts)
    OrderLine.objects.bulk_create(django.lines)
    OrderDiscount.objects.bulk_create(django.discounts)

    assert ours.order.pk and ours.order.pk != django.order.pk
    assert stored(Order, external_id="OURS") == stored(Order, external_id="DJANGO")
    assert stored(OrderLine, order__external_id="OURS") == stored(OrderLine, order__external_id="DJANGO")
    assert stored(OrderDiscount, order__external_id="OURS") == stored(OrderDiscount, order__external_id="DJANGO")
    fresh = Order.objects.get(pk=ours.order.pk)
    assert fresh.created_at is not None and fresh.paid_amount == ours.order.paid_amount
    assert fresh.seller_note == "备注 'quoted' %s"


def test_json_and_time_columns_are_stored_as_bulk_create_stores_them(db, actor, order_payload):
    b = built(order_payload, "J1", "26112600000003")
    Order.objects.bulk_create([b.order])
    at = datetime(2026, 11, 26, 10, 15, 30, 123456, tzinfo=ZoneInfo("Asia/Shanghai"))
    data = {"source": "import", "nested": {"中文": [1, "2", None]}, "quote": "it's"}
    ours = build_event(order=b.order, action="ours", actor=actor("customer_service"), at=at, data=data)
    django = build_event(order=b.order, action="django", actor=actor("customer_service"), at=at, data=data)

    bulk.insert([ours])
    AuditEvent.objects.bulk_create([django])
    bulk.insert([OutboxMessage(topic="ours", payload=data)])
    OutboxMessage.objects.bulk_create([OutboxMessage(topic="django", payload=data)])

    assert stored(AuditEvent, action="ours")[0] == {**stored(AuditEvent, action="django")[0], "action": "ours"}
    assert AuditEvent.objects.get(action="ours").at == at
    assert stored(OutboxMessage, topic="ours")[0] == {**stored(OutboxMessage, topic="django")[0], "topic": "ours"}


def test_stored_pairs_finds_exactly_the_stored_channel_and_external_id_pairs(db, api, order_payload):
    from oms.channels.models import Channel

    for channel, external_id in (("taobao", "A"), ("jd", "B")):
        response = api("integration").post("/api/v1/orders", order_payload(channel=channel, external_id=external_id),
                                           format="json")
        assert response.status_code == 201
    taobao, jd = (Channel.objects.get(code=c).id for c in ("taobao", "jd"))

    found = bulk.stored_pairs(Order, ("channel", "external_id"), {(taobao, "A"), (taobao, "B"), (jd, "B"), (jd, "C")})

    assert found == {(taobao, "A"), (jd, "B")}
    assert bulk.stored_pairs(Order, ("channel", "external_id"), set()) == set()
