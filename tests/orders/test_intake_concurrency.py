"""Intake under real concurrent connections (threads, each with its own database connection)."""


import pytest
from django.db import connection

from oms.channels.selectors import channel_lookup
from oms.orders.intake.services import intake_order
from oms.orders.intake.validation import parse_intake
from oms.orders.models import Order
from tests.concurrency import run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)



def test_concurrent_pushes_of_one_order_create_exactly_one(actor, order_payload):
    shop = actor("integration")
    command = parse_intake(order_payload(), channel_lookup=channel_lookup)

    results = run_concurrently(8, lambda i: intake_order(command=command, actor=shop))

    assert Order.objects.count() == 1
    assert sum(r.created for r in results) == 1
    assert len({r.order.order_no for r in results}) == 1


def test_concurrent_pushes_with_one_idempotency_key_create_exactly_one(actor, order_payload):
    shop = actor("integration")
    command = parse_intake(order_payload(), channel_lookup=channel_lookup)

    results = run_concurrently(
        6, lambda i: intake_order(command=command, actor=shop, idempotency_key="same", request_hash="h")
    )

    assert Order.objects.count() == 1
    assert len({r.order.order_no for r in results}) == 1


def test_order_numbers_stay_unique_and_ordered_under_concurrent_intake(actor, order_payload):
    shop = actor("integration")
    per_worker = 15

    def push_many(i):
        numbers = []
        for n in range(per_worker):
            command = parse_intake(order_payload(external_id=f"W{i}-{n}"), channel_lookup=channel_lookup)
            numbers.append(intake_order(command=command, actor=shop).order.order_no)
        return numbers

    results = run_concurrently(6, push_many)

    all_numbers = [no for worker in results for no in worker]
    assert len(all_numbers) == len(set(all_numbers)) == 6 * per_worker
    for worker_numbers in results:  # each process sees its own numbers grow with time
        assert worker_numbers == sorted(worker_numbers)
    assert Order.objects.count() == 6 * per_worker
    assert connection.vendor in ("sqlite", "postgresql")
