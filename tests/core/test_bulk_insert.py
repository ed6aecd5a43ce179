"""insert_rows stores exactly what bulk_create would: JSON, times, money, foreign keys, auto timestamps."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.forms.models import model_to_dict

from oms.audit.models import AuditEvent
from oms.core.bulk_insert import PARAMS_PER_STATEMENT, insert_rows
from oms.notifications.models import OutboxMessage
from oms.orders.review.models import Coupon

WHEN = datetime(2026, 11, 26, 2, 15, 30, 123456, tzinfo=UTC)


def _coupon(code: str) -> Coupon:
    return Coupon(code=code, name="满100减10", amount=Decimal("10.00"), min_spend=Decimal("99.90"),
                  valid_from=WHEN, valid_until=None, max_uses=3)


def _stored(model, **where) -> dict:
    return {k: v for k, v in model_to_dict(model.objects.get(**where)).items() if k not in ("id", "code")}


def test_rows_inserted_read_back_the_same_as_rows_from_bulk_create(db):
    Coupon.objects.bulk_create([_coupon("ORM")])
    insert_rows([_coupon("FAST")])

    assert _stored(Coupon, code="FAST") == _stored(Coupon, code="ORM")
    assert Coupon.objects.get(code="FAST").min_spend == Decimal("99.90")


def test_json_fields_and_plain_times_round_trip(db):
    data = {"findings": [{"code": "phone_invalid", "phone": "1380013"}], "中文": "是", "n": 1.5}
    insert_rows([AuditEvent(action="review_held", actor_username="system", actor_roles="", at=WHEN,
                            changes={"status": ["pending_review", "on_hold"]}, data=data)])

    event = AuditEvent.objects.get()
    assert event.data == data and event.changes == {"status": ["pending_review", "on_hold"]}
    assert event.at == WHEN


def test_auto_timestamps_are_set_as_on_save(db):
    message = OutboxMessage(topic="t", payload={"a": 1})
    insert_rows([message])

    stored = OutboxMessage.objects.get()
    assert stored.created_at is not None and stored.created_at == message.created_at
    assert stored.payload == {"a": 1} and stored.attempts == 0 and stored.sent_at is None


def test_more_rows_than_one_statement_takes_are_all_stored(db, django_assert_max_num_queries):
    width = len([f for f in OutboxMessage._meta.concrete_fields if not f.primary_key])
    count = PARAMS_PER_STATEMENT // width + 5
    with django_assert_max_num_queries(2):
        insert_rows([OutboxMessage(topic="t", payload={"i": i}) for i in range(count)])

    assert OutboxMessage.objects.count() == count
    assert sorted(p["i"] for p in OutboxMessage.objects.values_list("payload", flat=True)) == list(range(count))


def test_choice_values_are_stored_as_their_value_not_their_name(db):
    from oms.inventory.models import MovementKind, Sku, StockMovement, Warehouse

    sku = Sku.objects.create(code="MUG", name="马克杯")
    warehouse = Warehouse.objects.create(code="hz", name="杭州仓", province="浙江省", city="杭州市")
    insert_rows([StockMovement(sku=sku, warehouse=warehouse, kind=MovementKind.RESERVATION, reserved_delta=2,
                               on_hand_after=5, reserved_after=2, actor_username="system")])

    assert StockMovement.objects.filter(kind="reservation", reserved_delta=2).count() == 1


def test_text_longer_than_its_column_is_refused_as_by_an_ordinary_insert(db):
    from django.db import DataError, connection, transaction

    if connection.vendor != "postgresql":
        return  # SQLite does not enforce VARCHAR lengths, for either way of inserting
    with pytest.raises(DataError), transaction.atomic():
        insert_rows([OutboxMessage(topic="t" * 100, payload={})])


def test_a_naive_time_is_taken_in_the_project_time_zone_as_the_orm_does(db):
    import warnings
    from datetime import datetime as naive_datetime

    naive = naive_datetime(2026, 11, 26, 10, 0, 0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # Django warns about naive times
        AuditEvent.objects.bulk_create([AuditEvent(action="orm", actor_username="x", actor_roles="", at=naive)])
        insert_rows([AuditEvent(action="fast", actor_username="x", actor_roles="", at=naive)])

    assert AuditEvent.objects.get(action="fast").at == AuditEvent.objects.get(action="orm").at
