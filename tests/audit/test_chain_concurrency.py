"""Many writers and sealers at once (threads, each with its own connection): one valid chain, no gaps."""

import threading

import pytest
from django.db import connection, connections, transaction

from oms.accounts.actor import Actor
from oms.audit.chain import seal_pending, verify_chain
from oms.audit.models import AuditEvent
from oms.audit.services import build_event, record
from oms.core.bulk_insert import insert_rows
from tests.concurrency import run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)

WRITERS, EVENTS, SEALERS = 4, 15, 2


def test_concurrent_writers_and_sealers_produce_one_chain_without_gaps():
    finished: list[int] = []
    writers_done = threading.Event()

    def write(i):
        for n in range(EVENTS):
            if n % 5 == 0:  # bulk inserts, as review and picking write them
                insert_rows([build_event(order=None, action="bulk", actor=Actor.system(), data={"w": i, "n": n})
                             for _ in range(3)])
            else:
                record(None, "single", actor=Actor.system(), data={"w": i, "n": n})
        finished.append(i)
        if len(finished) == WRITERS:
            writers_done.set()

    def seal():
        sealed = 0
        while not writers_done.is_set():
            sealed += seal_pending(batch_size=7)
        return sealed

    def check():  # verifying while others seal never raises a false alarm
        reports = []
        while not writers_done.is_set():
            reports.append(verify_chain())
        assert all(r.ok for r in reports), [r for r in reports if not r.ok][:1]
        return len(reports)

    run_concurrently(WRITERS + SEALERS + 1,
                     lambda i: write(i) if i < WRITERS else seal() if i < WRITERS + SEALERS else check())
    seal_pending()

    total = WRITERS * ((EVENTS - EVENTS // 5) + 3 * (EVENTS // 5))
    assert AuditEvent.objects.count() == total
    assert sorted(AuditEvent.objects.values_list("seq", flat=True)) == list(range(1, total + 1))
    report = verify_chain()
    assert report.ok, report
    assert report.checked == total and report.unsealed == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite writers never overlap (one write lock)")
def test_an_event_with_a_lower_id_committed_after_a_seal_is_sealed_next_without_a_gap():
    inserted, release = threading.Event(), threading.Event()
    late: list[int] = []

    def slow_writer():
        try:
            with transaction.atomic():
                late.append(record(None, "slow", actor=Actor.system()).pk)
                inserted.set()
                release.wait(30)
        finally:
            connections.close_all()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    assert inserted.wait(30)
    early = record(None, "fast", actor=Actor.system())  # a higher id, committed first
    assert early.pk > late[0]
    assert seal_pending() == 1
    release.set()
    thread.join(30)
    assert seal_pending() == 1
    seqs = dict(AuditEvent.objects.values_list("pk", "seq"))
    assert (seqs[early.pk], seqs[late[0]]) == (1, 2)
    report = verify_chain()
    assert report.ok and report.checked == 2 and report.unsealed == 0
