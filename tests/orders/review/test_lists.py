"""The coupon list and the block list: the write actions, their checks and their audit events."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import translation

from oms.audit.models import AuditEvent
from oms.core.errors import PermissionDenied, ValidationFailed
from oms.orders.review import lists
from oms.orders.review.errors import AlreadyListed, BlockListEntryNotFound, CouponNotFound
from oms.orders.review.models import BlockListEntry, Coupon
from oms.orders.review.rules import phone_key

MARCH = datetime(2026, 3, 1, tzinfo=UTC)


def spring(**changes) -> lists.CouponFields:
    values = {"amount": Decimal("20.00"), "name": "春季满减", "channel": "web", "min_spend": Decimal("199.00"),
              "valid_from": MARCH, "valid_until": MARCH + timedelta(days=30), "max_uses": 500, "active": True}
    return lists.CouponFields(**{**values, **changes})


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


@pytest.fixture(autouse=True)
def _english_messages():
    """Assertions below read English messages; the default language (zh-hans) is tested elsewhere."""
    with translation.override("en"):
        yield


@pytest.fixture
def ops(actor):
    return actor("operations")


# --- coupons ----------------------------------------------------------------------------------------

def test_a_coupon_is_created_with_one_audit_event_naming_it(ops):
    coupon = lists.create_coupon(code="SPRING20", values=spring(), actor=ops)

    assert (coupon.code, coupon.channel.code, coupon.amount, coupon.max_uses) == ("SPRING20", "web",
                                                                                  Decimal("20.00"), 500)
    [event] = events("coupon_created")
    assert event.order_id is None and event.data == {"coupon": "SPRING20"}
    assert event.actor_username == "operations"
    assert event.changes["amount"] == [None, "20.00"] and event.changes["code"] == [None, "SPRING20"]


def test_every_bad_coupon_field_is_named_at_once(ops):
    values = spring(amount=Decimal("-1"), min_spend="abc", channel="nowhere", valid_until=MARCH - timedelta(days=1),
                    max_uses=-1, name="x" * 101)

    with pytest.raises(ValidationFailed) as caught:
        lists.create_coupon(code="NEW 10", values=values, actor=ops)

    details = caught.value.details
    assert set(details) == {"code", "amount", "min_spend", "channel", "valid_until", "max_uses", "name"}
    assert details["code"] == ["A coupon code has no spaces."]
    assert details["amount"] == ["Must not be negative."]
    assert details["valid_until"] == ["Must be later than “valid from”."]
    assert not Coupon.objects.exists() and not AuditEvent.objects.exists()


@pytest.mark.parametrize("moment", [datetime(2026, 3, 1), datetime(1970, 1, 1, tzinfo=UTC),
                                    datetime(9999, 12, 31, 23, tzinfo=UTC), "2026-03-01T00:00:00+08:00"])
def test_a_validity_time_without_offset_or_out_of_range_is_refused(ops, moment):
    with pytest.raises(ValidationFailed) as caught:
        lists.create_coupon(code="SPRING20", values=spring(valid_from=moment, valid_until=None), actor=ops)

    assert list(caught.value.details) == ["valid_from"]


def test_text_that_a_database_cannot_store_is_refused_naming_the_field(ops):
    with pytest.raises(ValidationFailed) as caught:
        lists.create_coupon(code="SPRING\x0020", values=spring(name="春\x00季", channel="w\x00eb"), actor=ops)

    assert set(caught.value.details) == {"code", "name", "channel"}


def test_a_coupon_code_is_taken_once(ops):
    lists.create_coupon(code="SPRING20", values=spring(), actor=ops)

    with pytest.raises(AlreadyListed) as caught:
        lists.create_coupon(code="SPRING20", values=spring(name="again"), actor=ops)

    assert caught.value.code == "already_listed"
    assert caught.value.details == {"code": ["A coupon with this code exists already."]}
    assert Coupon.objects.count() == 1


def test_the_use_limit_may_not_go_below_the_uses_counted(ops):
    coupon = Coupon.objects.create(code="NEW10", amount="10.00", max_uses=100, used_count=40)

    with pytest.raises(ValidationFailed) as caught:
        lists.update_coupon(coupon_id=coupon.pk, changes={"max_uses": 39}, actor=ops)
    lists.update_coupon(coupon_id=coupon.pk, changes={"max_uses": 40}, actor=ops)

    assert caught.value.details == {"max_uses": ["The coupon has been used 40 times already."]}
    coupon.refresh_from_db()
    assert coupon.max_uses == 40


def test_a_change_records_only_what_changed_and_no_change_records_nothing(ops):
    coupon = lists.create_coupon(code="SPRING20", values=spring(), actor=ops)

    lists.update_coupon(coupon_id=coupon.pk, changes={"amount": Decimal("25.00"), "channel": ""}, actor=ops)
    lists.update_coupon(coupon_id=coupon.pk, changes={"amount": Decimal("25.00")}, actor=ops)

    [event] = events("coupon_changed")
    assert event.changes == {"amount": ["20.00", "25.00"], "channel": ["web", ""]}
    assert event.data == {"coupon": "SPRING20"}
    coupon.refresh_from_db()
    assert coupon.channel is None and coupon.name == "春季满减"


def test_switching_a_coupon_off_is_recorded_once(ops):
    coupon = Coupon.objects.create(code="NEW10")

    lists.set_coupon_active(coupon_id=coupon.pk, active=False, actor=ops)
    lists.set_coupon_active(coupon_id=coupon.pk, active=False, actor=ops)

    coupon.refresh_from_db()
    assert coupon.active is False
    assert [e.changes for e in events("coupon_changed")] == [{"active": [True, False]}]


def test_only_those_who_manage_review_rules_change_the_lists(actor):
    coupon = Coupon.objects.create(code="NEW10")
    clerk = actor("customer_service")

    for action in (
        lambda: lists.create_coupon(code="SPRING20", values=spring(), actor=clerk),
        lambda: lists.update_coupon(coupon_id=coupon.pk, changes={"name": "x"}, actor=clerk),
        lambda: lists.set_coupon_active(coupon_id=coupon.pk, active=False, actor=clerk),
        lambda: lists.add_block_entry(values=lists.BlockEntryFields("phone", "13900001111", "x"), actor=clerk),
    ):
        with pytest.raises(PermissionDenied):
            action()
    assert Coupon.objects.get().name == "" and not BlockListEntry.objects.exists()
    assert not AuditEvent.objects.exists()


def test_an_unknown_coupon_or_entry_is_not_found(ops):
    with pytest.raises(CouponNotFound):
        lists.update_coupon(coupon_id=404, changes={}, actor=ops)
    with pytest.raises(BlockListEntryNotFound):
        lists.set_block_entry_active(entry_id=2**70, active=False, actor=ops)


# --- block list -----------------------------------------------------------------------------------------

def test_a_blocked_phone_is_stored_as_review_compares_it(ops, users):
    typed = "+86 139-0000-1111"

    entry = lists.add_block_entry(values=lists.BlockEntryFields("phone", typed, "多次恶意拒收"), actor=ops)

    assert entry.value == phone_key(typed) == "13900001111"
    assert entry.created_by == users["operations"]
    [event] = events("block_list_entry_added")
    assert event.data == {"entry": entry.pk}
    assert event.changes["value"] == [None, "13900001111"]


def test_the_same_phone_written_differently_is_refused_as_a_duplicate(ops):
    lists.add_block_entry(values=lists.BlockEntryFields("phone", "13900001111", "first"), actor=ops)

    with pytest.raises(AlreadyListed) as caught:
        lists.add_block_entry(values=lists.BlockEntryFields("phone", "139 0000 1111", "again"), actor=ops)

    assert caught.value.details == {"value": ["This is on the block list already."]}
    assert BlockListEntry.objects.count() == 1


def test_an_entry_cannot_be_changed_into_another_one(ops):
    lists.add_block_entry(values=lists.BlockEntryFields("address", "文三路100号", "虚假地址"), actor=ops)
    other = lists.add_block_entry(values=lists.BlockEntryFields("address", "文三路200号", "虚假地址"), actor=ops)

    with pytest.raises(AlreadyListed):
        lists.update_block_entry(entry_id=other.pk, changes={"value": " 文三路100号 "}, actor=ops)

    other.refresh_from_db()
    assert other.value == "文三路200号"


@pytest.mark.parametrize(("values", "expected"), [
    (lists.BlockEntryFields("email", "a@b.cn", ""), {"kind", "reason"}),
    (lists.BlockEntryFields("phone", "abc", "x"), {"value"}),
    (lists.BlockEntryFields("address", "路", "x", active="yes"), {"value", "active"}),
    (lists.BlockEntryFields("phone", "", "x" * 201), {"value", "reason"}),
])
def test_every_bad_block_list_field_is_named(ops, values, expected):
    with pytest.raises(ValidationFailed) as caught:
        lists.add_block_entry(values=values, actor=ops)

    assert set(caught.value.details) == expected
    assert not BlockListEntry.objects.exists()


def test_changing_and_switching_off_an_entry_are_recorded(ops):
    entry = lists.add_block_entry(values=lists.BlockEntryFields("address", "文三路100号", "虚假地址"), actor=ops)

    lists.update_block_entry(entry_id=entry.pk, changes={"reason": "核实为虚假地址"}, actor=ops)
    lists.set_block_entry_active(entry_id=entry.pk, active=False, actor=ops)
    lists.update_block_entry(entry_id=entry.pk, changes={"reason": "核实为虚假地址"}, actor=ops)

    assert [e.changes for e in events("block_list_entry_changed")] == [
        {"reason": ["虚假地址", "核实为虚假地址"]}, {"active": [True, False]}]
    entry.refresh_from_db()
    assert (entry.reason, entry.active) == ("核实为虚假地址", False)
