"""Orders, lines, money rows, stock movements and audit events are never hard-deleted (manual §3.2)."""

import pytest

from oms.aftersales.models import AfterSalesLine, AfterSalesRequest, InspectionLine, QuarantineMovement
from oms.approvals.models import ChangeRequest
from oms.audit.models import AuditEvent
from oms.channels.selectors import channel_lookup
from oms.core.no_delete import DeletionRefused, discard_uncommitted_lines
from oms.inventory.models import StockMovement
from oms.orders.intake.services import intake_order
from oms.orders.intake.validation import parse_intake
from oms.orders.models import Order, OrderDiscount, OrderLine
from oms.payments.models import Refund, RefundLine, SettlementBatch, SettlementItem
from oms.problems.models import ProblemComment, ProblemReport

PROTECTED = [Order, OrderLine, OrderDiscount, Refund, RefundLine, SettlementBatch, SettlementItem, StockMovement,
             AuditEvent, AfterSalesRequest, AfterSalesLine, InspectionLine, QuarantineMovement, ChangeRequest,
             ProblemReport, ProblemComment]


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def order(actor, order_payload):
    command = parse_intake(order_payload(), channel_lookup=channel_lookup)
    return intake_order(command=command, actor=actor("integration")).order


@pytest.mark.parametrize("model", PROTECTED, ids=lambda m: m.__name__)
def test_each_protected_model_refuses_instance_and_queryset_delete(db, model):
    with pytest.raises(DeletionRefused):
        model(pk=1).delete()
    with pytest.raises(DeletionRefused) as excinfo:
        model.objects.all().delete()
    assert "never deleted" in excinfo.value.message
    assert excinfo.value.http_status == 422


def test_a_real_order_its_lines_and_its_events_survive_every_delete(order):
    for attempt in (order.delete, Order.objects.filter(pk=order.pk).delete, order.lines.all().delete,
                    order.lines.first().delete, order.discounts.all().delete, order.events.all().delete):
        with pytest.raises(DeletionRefused):
            attempt()
    assert Order.objects.filter(pk=order.pk).exists()
    assert order.lines.count() == 1 and order.discounts.count() == 1 and order.events.count() == 1


def test_only_lines_and_discounts_may_be_discarded_through_the_named_door(order):
    with pytest.raises(DeletionRefused):
        discard_uncommitted_lines(Order.objects.filter(pk=order.pk))
    with pytest.raises(DeletionRefused):
        discard_uncommitted_lines(AuditEvent.objects.filter(order=order))
    assert discard_uncommitted_lines(OrderDiscount.objects.filter(order=order)) == 1


def test_no_admin_offers_to_delete_protected_rows():
    from django.contrib import admin

    registered = [m for m in PROTECTED if admin.site.is_registered(m)]
    assert all(not admin.site._registry[m].has_delete_permission(None) for m in registered)
