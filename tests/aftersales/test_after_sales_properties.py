"""Property tests: random sequences of cancellations, edits, short picks, shipments, returns and refunds.

Hypothesis drives the real actions against the database (each example rolled back to a savepoint)
and after every step checks the invariants of issue 6: the stock ledger balances, no order has live
refunds above what was paid, no refund exists without an established cause, and every status the
orders and refunds went through was an allowed transition.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from oms.aftersales.receiving import InspectionInput, receive_parcel
from oms.aftersales.requests import LineInput, approve_request, submit_request
from oms.aftersales.state import refresh_after_sales_status
from oms.aftersales.status import (
    LIVE_REFUND_STATUSES,
    REFUND_TRANSITIONS,
    ItemCondition,
    RefundCause,
    RefundStatus,
    RequestKind,
    RequestReason,
    RequestStatus,
)
from oms.audit.models import AuditEvent
from oms.core.errors import ApplicationError
from oms.fulfillment import packing, scanning
from oms.fulfillment.interception import confirm_interception
from oms.fulfillment.models import BoxType, Interception, InterceptionStatus, PackageStatus
from oms.fulfillment.picking import WaveRules, create_pick_list
from oms.inventory.models import Bin, Sku, SkuLocation
from oms.inventory.verification import verify_stock
from oms.notifications.outbox import deliver_pending
from oms.orders.cancellation import cancel_order
from oms.orders.line_edits import change_line
from oms.orders.models import Order
from oms.orders.status import TRANSITIONS, OrderStatus
from oms.orders.stock_choice import record_stock_choice
from oms.payments.models import Refund, RefundLine
from oms.payments.refund_flow import (
    approve_refund,
    execute_refund,
    raise_price_adjustment,
    raise_shipping_compensation,
    reject_refund,
    second_approve_refund,
    verify_refund,
)
from oms.shipping import handover
from oms.shipping.models import Carrier
from tests.fulfillment.conftest import network, push, receive  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db

BINS = {"TEE": "A01-01-1", "MUG": "A02-01-1"}
# Refunds a person raises by hand; every other cause must trace back to the action that established it.
CAUSE_ACTIONS = {
    RefundCause.CANCELLATION: None,  # the order is cancelled
    RefundCause.PARTIAL_CANCELLATION: "stock_choice",
    RefundCause.ORDER_EDIT: "line",
}


@pytest.fixture
def world(network, actor, make_user):  # noqa: F811  (fixture)
    hz = network["hz"]
    Carrier.objects.filter(code="zto").update(tracking_number_pattern=r"7\d{11,14}")
    for sku, code, aisle in (("TEE", BINS["TEE"], 1), ("MUG", BINS["MUG"], 2)):
        b = Bin.objects.create(warehouse=hz, code=code, aisle=aisle, bay=1, level=1)
        SkuLocation.objects.create(sku=Sku.objects.get(code=sku), warehouse=hz, bin=b)
    BoxType.objects.create(code="box3", name="3号纸箱", inner_length_mm=350, inner_width_mm=250,
                           inner_height_mm=150, max_weight_g=10000, tare_g=150, cost=Decimal("1.50"))
    second = make_user("finance2", "finance")
    from oms.accounts.actor import Actor

    return {"second_finance": Actor.of(second)}


def test_random_after_sales_sequences_keep_stock_money_and_states_exact(world, push, actor, settings):  # noqa: F811
    settings.OMS_REFUND_ADAPTER = "test"
    settings.OMS_REFUND_SECOND_APPROVAL_ABOVE = Decimal("25.00")
    cs, keeper, finance = actor("customer_service"), actor("warehouse"), actor("finance")
    counter = iter(range(1, 1_000_000))
    outcomes: dict[str, int] = {}

    class AfterSales(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.savepoint = transaction.savepoint()
            self.orders: list[str] = []

        def teardown(self):
            transaction.savepoint_rollback(self.savepoint)

        def _try(self, fn, **kwargs):
            try:
                result = fn(**kwargs)
                outcomes[f"{fn.__name__}: done"] = outcomes.get(f"{fn.__name__}: done", 0) + 1
                return result
            except ApplicationError as exc:
                key = f"{fn.__name__}: refused {exc.code}"
                outcomes[key] = outcomes.get(key, 0) + 1
                return None  # a refusal is a legal outcome; the invariants say whether it left things exact
            finally:
                deliver_pending()

        def _order(self, data, **filters) -> Order | None:
            """One of this example's orders, among those the rule can act on (others would only be refused)."""
            numbers = sorted(Order.objects.filter(order_no__in=self.orders, **filters)
                             .values_list("order_no", flat=True))
            return Order.objects.get(order_no=data.draw(st.sampled_from(numbers))) if numbers else None

        # --- what happens to orders -------------------------------------------------------------
        @initialize(tee=st.integers(2, 8), mug=st.integers(0, 4))
        def stock_and_two_orders(self, tee, mug):
            receive(actor, "TEE", "hz", tee)
            if mug:
                receive(actor, "MUG", "hz", mug)
            self.place_order(tee=2, mug=1)
            self.place_order(tee=1, mug=0)

        @rule(tee=st.integers(0, 3), mug=st.integers(0, 2))
        def place_order(self, tee, mug):
            lines = [(sku, qty) for sku, qty in (("TEE", tee), ("MUG", mug)) if qty] or [("TEE", 1)]
            order = push(*lines, external_id=f"PROP-{next(counter)}", shipping_fee="8.00",
                         paid_amount=f"{sum(10 * q for _s, q in lines) + 8:.2f}")
            self.orders.append(order.order_no)

        @rule(sku=st.sampled_from(["TEE", "MUG"]), quantity=st.integers(1, 4))
        def receive_stock(self, sku, quantity):
            receive(actor, sku, "hz", quantity)
            deliver_pending()

        @rule(data=st.data())
        def cancel(self, data):
            order = self._order(data, status__in=(OrderStatus.PENDING_REVIEW, OrderStatus.ON_HOLD,
                                                  OrderStatus.PENDING_SHIPMENT))
            if order:
                self._try(cancel_order, order_no=order.order_no, actor=cs, reason="out_of_stock")

        @rule()
        def warehouse_confirms_interceptions(self):
            for pk in Interception.objects.filter(status=InterceptionStatus.REQUESTED).values_list("pk", flat=True):
                self._try(confirm_interception, interception_id=pk, actor=keeper)

        @rule(data=st.data(), quantity=st.integers(1, 4))
        def edit_line_quantity(self, data, quantity):
            order = self._order(data, status__in=(OrderStatus.PENDING_REVIEW, OrderStatus.ON_HOLD))
            if order:
                self._try(change_line, order_no=order.order_no, line_no=1, actor=cs, quantity=quantity)

        @rule(data=st.data(), short=st.booleans())
        def start_picking(self, data, short):
            order = self._order(data, status=OrderStatus.PENDING_SHIPMENT)
            package = order and order.packages.filter(status=PackageStatus.ALLOCATED, pick_list=None).first()
            if not package:
                return
            pick_list = self._try(create_pick_list, warehouse_code="hz", actor=keeper,
                                  rules=WaveRules(package_numbers=(package.number,)))
            if pick_list and short:
                sku = package.lines.first().sku.code
                self._try(scanning.scan, number=pick_list.number, code=BINS[sku], actor=keeper)
                self._try(scanning.report_short, number=pick_list.number, actor=keeper)

        @rule(data=st.data(), choice=st.sampled_from(["wait", "partial_ship", "cancel_lines", "cancel_order"]),
              rest=st.sampled_from(["wait", "cancel"]))
        def buyer_chooses_when_short(self, data, choice, rest):
            order = self._order(data, status=OrderStatus.ON_HOLD)
            if order:
                self._try(record_stock_choice, order_no=order.order_no, actor=cs, choice=choice,
                          rest=rest if choice == "partial_ship" else "")

        @rule(data=st.data())
        def pick_pack_and_ship(self, data):
            order = self._order(data, status__in=(OrderStatus.PENDING_SHIPMENT, OrderStatus.PARTIALLY_SHIPPED))
            package = order and order.packages.filter(status__in=(PackageStatus.ALLOCATED, PackageStatus.PACKED)
                                                      ).first()
            if not package:
                return
            if package.status == PackageStatus.ALLOCATED:
                if package.pick_list is None:
                    self._try(create_pick_list, warehouse_code="hz", actor=keeper,
                              rules=WaveRules(package_numbers=(package.number,)))
                    package.refresh_from_db()
                if package.pick_list is None:
                    return
                for line in package.pick_list.lines.filter(package_line__package=package).select_related("sku"):
                    self._try(scanning.scan, number=package.pick_list.number, code=BINS[line.sku.code], actor=keeper)
                    for _ in range(line.remaining):
                        self._try(scanning.scan, number=package.pick_list.number, code=line.sku.code, actor=keeper)
                for line in package.lines.select_related("sku"):
                    for _ in range(line.quantity):
                        self._try(packing.recheck_scan, number=package.number, code=line.sku.code, actor=keeper)
                self._try(packing.pack, number=package.number, weight_g=2000, actor=keeper, box_code="box3")
            ho = self._try(handover.open_handover_list, carrier_code="zto", warehouse_code="hz", actor=keeper)
            if ho:
                tracking = f"7{next(counter):011d}"
                self._try(handover.scan_onto_list, list_number=ho.number, code=package.number,
                          tracking_no=tracking, actor=keeper)
                self._try(handover.hand_over, list_number=ho.number, actor=keeper)

        @rule(data=st.data(), kind_reason=st.sampled_from([
                  (RequestKind.RETURN_REFUND, RequestReason.QUALITY),
                  (RequestKind.RETURN_REFUND, RequestReason.NO_REASON),
                  (RequestKind.REFUND_ONLY, RequestReason.NOT_RECEIVED)]),
              units=st.integers(1, 3), condition=st.sampled_from(list(ItemCondition.values)))
        def after_sales_request(self, data, kind_reason, units, condition):
            kind, reason = kind_reason
            order = self._order(data, status__in=(OrderStatus.PARTIALLY_SHIPPED, OrderStatus.SHIPPED))
            if not order:
                return
            units = min(units, order.lines.get(line_no=1).quantity)
            request = self._try(submit_request, order_no=order.order_no, kind=kind, reason=reason, actor=cs,
                                lines=[LineInput(line_no=1, quantity=units)])
            if request is None:
                return
            request = self._try(approve_request, number=request.number, actor=cs)
            if request is not None and request.status == RequestStatus.APPROVED and kind == RequestKind.RETURN_REFUND:
                self._try(receive_parcel, number=request.number, actor=keeper,
                          inspections=[InspectionInput(line_no=1, condition=condition, quantity=units)])

        @rule(data=st.data(), difference=st.sampled_from(["2.00", "9.99"]), shipping=st.booleans())
        def customer_service_compensates(self, data, difference, shipping):
            order = self._order(data, payment_status="paid")
            if order and shipping:
                self._try(raise_shipping_compensation, order_no=order.order_no, actor=cs, kind="shipping_fee")
            elif order:
                self._try(raise_price_adjustment, order_no=order.order_no, actor=cs, line_no=1, units=1,
                          unit_difference=Decimal(difference))

        @rule(data=st.data(), reject=st.booleans(), steps=st.integers(1, 4))
        def move_a_refund_along(self, data, reject, steps):
            numbers = sorted(Refund.objects.exclude(status__in=(RefundStatus.SUCCEEDED, RefundStatus.REJECTED))
                             .values_list("number", flat=True))
            if not numbers:
                return
            refund = Refund.objects.get(number=data.draw(st.sampled_from(numbers)))
            if reject and refund.status != RefundStatus.APPROVED:
                self._try(reject_refund, number=refund.number, actor=finance, reason="buyer withdrew")
                return
            next_step = {
                RefundStatus.REQUESTED: (verify_refund, cs), RefundStatus.VERIFIED: (approve_refund, finance),
                RefundStatus.AWAITING_SECOND_APPROVAL: (second_approve_refund, world["second_finance"]),
                RefundStatus.APPROVED: (execute_refund, finance), RefundStatus.FAILED: (execute_refund, finance)}
            for _ in range(steps):  # a refund taken some way along its flow, one legal step at a time
                refund.refresh_from_db()
                if refund.status not in next_step:
                    break
                action, who = next_step[refund.status]
                if self._try(action, number=refund.number, actor=who) is None:
                    break

        # --- what must always hold --------------------------------------------------------------
        @invariant()
        def stock_ledger_balances(self):
            report = verify_stock()
            assert report.ok, report.mismatches

        @invariant()
        def no_order_has_live_refunds_above_what_was_paid(self):
            for order in Order.objects.filter(order_no__in=self.orders):
                live = (Refund.objects.filter(order=order, status__in=LIVE_REFUND_STATUSES)
                        .aggregate(s=Sum("amount"))["s"] or Decimal("0"))
                assert live <= order.paid_amount, (order.order_no, live, order.paid_amount)
                for line in order.lines.all():
                    units = (RefundLine.objects.filter(line=line, refund__status__in=LIVE_REFUND_STATUSES)
                             .aggregate(n=Sum("quantity"))["n"] or 0)
                    assert units <= line.quantity, (order.order_no, line.line_no, units)

        @invariant()
        def every_refund_has_an_established_cause(self):
            for refund in Refund.objects.select_related("order", "request"):
                if refund.cause in (RefundCause.RETURN, RefundCause.REFUND_ONLY, RefundCause.EXCHANGE_DIFFERENCE):
                    assert refund.request is not None and refund.request.status in (
                        RequestStatus.APPROVED, RequestStatus.RECEIVED, RequestStatus.COMPLETED), refund.number
                elif refund.cause == RefundCause.CANCELLATION:
                    assert refund.order.status == OrderStatus.CANCELLED, refund.number
                else:
                    marker = CAUSE_ACTIONS.get(refund.cause)
                    if marker:
                        assert refund.order.events.filter(action__contains=marker).exists(), refund.number
                if refund.status == RefundStatus.SUCCEEDED:
                    assert refund.approved_by_id and refund.refunded_at, refund.number

        @invariant()
        def every_status_change_was_an_allowed_transition(self):
            for changes in AuditEvent.objects.filter(order__order_no__in=self.orders).values_list("changes", flat=True):
                if "status" in changes:
                    old, new = changes["status"]
                    assert new in TRANSITIONS[old], (old, new)
                if "refund_status" in changes:
                    old, new = changes["refund_status"]
                    assert new in REFUND_TRANSITIONS[old], (old, new)

        @invariant()
        def the_after_sales_state_is_what_requests_and_refunds_say(self):
            for order in Order.objects.filter(order_no__in=self.orders):
                stored = order.after_sales_status
                assert refresh_after_sales_status(order) == stored, order.order_no

    run_state_machine_as_test(AfterSales, settings=settings_for_machine())
    # The walk must have reached every kind of step, or the invariants above proved little.
    done = {key.split(":")[0] for key in outcomes if key.endswith(": done")}
    assert {"cancel_order", "change_line", "report_short", "record_stock_choice", "hand_over", "submit_request",
            "approve_request", "receive_parcel", "approve_refund", "execute_refund"} <= done, sorted(outcomes.items())


def settings_for_machine():
    return hypothesis_settings(max_examples=12, stateful_step_count=25, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
