"""The hash chain: sealing gives every event its place; verify finds the first altered, removed or moved one."""

import pytest
from django.db import transaction

from oms.accounts.actor import Actor
from oms.audit.chain import canonical, event_hash, seal_pending, verify_chain
from oms.audit.models import GENESIS_HASH, AuditEvent, ChainHead
from oms.audit.services import record
from oms.cli import main
from tests.audit.tampering import raw


def _events(n: int, start: int = 0) -> list[AuditEvent]:
    return [record(None, "test_event", actor=Actor.system(), note=f"event {i}", data={"i": i, "b": [1, "二"]})
            for i in range(start, start + n)]


@pytest.fixture
def sealed(db):
    events = _events(6)
    assert seal_pending() == 6
    return [AuditEvent.objects.get(pk=e.pk) for e in events]


def test_the_canonical_form_has_sorted_keys_fixed_separators_and_utc_time():
    from datetime import datetime, timedelta, timezone

    text = canonical(order_id=None, action="a", actor_id=1, actor_username="u", actor_roles="r",
                     at=datetime(2026, 11, 27, 8, 0, tzinfo=timezone(timedelta(hours=8))),
                     changes={"z": [1, 2], "a": ["x", "y"]}, reason="", note="", data={})
    assert text.startswith('{"action":"a","actor_id":1,')
    assert '"at":"2026-11-27T00:00:00.000000Z"' in text
    assert '"changes":{"a":["x","y"],"z":[1,2]}' in text


def test_sealing_chains_events_in_order_from_the_genesis_hash(sealed):
    assert [e.seq for e in sealed] == [1, 2, 3, 4, 5, 6]
    assert sealed[0].prev_hash == GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in zip(sealed, sealed[1:], strict=False))
    head = ChainHead.objects.get()
    assert (head.seq, head.hash) == (6, sealed[-1].hash)


def test_a_clean_database_passes(sealed):
    report = verify_chain()
    assert report.ok and report.checked == 6 and report.problem is None


def test_an_empty_database_passes(db):
    report = verify_chain()
    assert report.ok and report.checked == 0


def test_events_written_after_a_seal_wait_unsealed_until_the_next(sealed):
    _events(2, start=10)
    report = verify_chain()
    assert report.ok and report.checked == 6 and report.unsealed == 2
    assert seal_pending() == 2
    assert verify_chain().checked == 8


def test_sealing_in_small_batches_gives_the_same_chain(db):
    _events(7)
    assert seal_pending(batch_size=3) == 7
    assert verify_chain(batch_size=2).ok


def test_an_altered_event_is_reported_with_its_id(sealed):
    raw("UPDATE audit_auditevent SET note = %s WHERE id = %s", ["forged", sealed[3].pk])
    report = verify_chain()
    assert not report.ok
    assert (report.problem, report.first_bad_id, report.first_bad_seq) == ("altered", sealed[3].pk, 4)


def test_an_altered_time_is_caught_too(sealed):
    raw("UPDATE audit_auditevent SET at = %s WHERE id = %s", [sealed[0].at.replace(year=2025), sealed[0].pk])
    assert verify_chain().problem == "altered"


def test_a_removed_event_is_reported(sealed):
    raw("DELETE FROM audit_auditevent WHERE id = %s", [sealed[2].pk])
    report = verify_chain()
    assert (report.ok, report.problem, report.first_bad_id) == (False, "removed", sealed[3].pk)


def test_a_removed_event_with_the_rest_renumbered_is_still_reported_removed(sealed):
    raw("DELETE FROM audit_auditevent WHERE id = %s", [sealed[2].pk])
    for e in sealed[3:]:
        raw("UPDATE audit_auditevent SET seq = seq - 1 WHERE id = %s", [e.pk])
    raw("UPDATE audit_chainhead SET seq = 5")
    report = verify_chain()
    assert (report.problem, report.first_bad_id) == ("removed", sealed[3].pk)


def test_removing_the_last_events_is_caught_by_the_head(sealed):
    raw("DELETE FROM audit_auditevent WHERE id = %s", [sealed[5].pk])
    report = verify_chain()
    assert (report.ok, report.problem) == (False, "removed")


def test_two_swapped_events_are_reported_reordered(sealed):
    a, b = sealed[1], sealed[2]
    raw("UPDATE audit_auditevent SET seq = -1 WHERE id = %s", [a.pk])
    raw("UPDATE audit_auditevent SET seq = %s WHERE id = %s", [a.seq, b.pk])
    raw("UPDATE audit_auditevent SET seq = %s WHERE id = %s", [b.seq, a.pk])
    report = verify_chain()
    assert (report.ok, report.problem, report.first_bad_id, report.first_bad_seq) == (False, "reordered", b.pk, 2)


def test_a_head_that_does_not_match_the_last_event_is_reported(sealed):
    ChainHead.objects.update(hash="f" * 64)
    assert verify_chain().problem == "head_mismatch"


def test_the_database_refuses_to_edit_a_sealed_event(sealed):
    with pytest.raises(Exception) as excinfo, transaction.atomic():
        AuditEvent.objects.filter(pk=sealed[0].pk).update(note="tampered")
    assert "never" in str(excinfo.value)
    with pytest.raises(Exception) as excinfo, transaction.atomic():
        AuditEvent.objects.filter(pk=sealed[0].pk).update(seq=99, hash="0" * 64)
    assert "never" in str(excinfo.value)


def test_the_database_refuses_an_edit_disguised_as_a_seal(db):
    (event,) = _events(1)
    with pytest.raises(Exception) as excinfo, transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(seq=1, prev_hash=GENESIS_HASH, hash="0" * 64, note="forged")
    assert "never" in str(excinfo.value)


def test_the_hash_is_sha256_of_the_previous_hash_and_the_content(sealed):
    e = sealed[0]
    content = canonical(order_id=e.order_id, action=e.action, actor_id=e.actor_id, actor_username=e.actor_username,
                        actor_roles=e.actor_roles, at=e.at, changes=e.changes, reason=e.reason, note=e.note,
                        data=e.data)
    assert e.hash == event_hash(GENESIS_HASH, content)


def test_oms_audit_verify_passes_then_fails_after_tampering(db, capsys):
    events = _events(3)
    assert main(["audit", "verify"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "3" in out
    raw("UPDATE audit_auditevent SET reason = %s WHERE id = %s", ["x", events[1].pk])
    assert main(["audit", "verify"]) == 1
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and str(events[1].pk) in out


def test_oms_audit_seal_seals_the_pending_events(db, capsys):
    _events(2)
    assert main(["audit", "seal"]) == 0
    assert AuditEvent.objects.filter(seq__isnull=True).count() == 0



def test_a_head_moved_back_does_not_hide_events_altered_after_it(sealed):
    raw("UPDATE audit_chainhead SET seq = 3, hash = %s", [sealed[2].hash])
    raw("UPDATE audit_auditevent SET note = %s WHERE id = %s", ["forged", sealed[4].pk])
    report = verify_chain()
    assert (report.ok, report.problem) == (False, "head_mismatch")


def test_a_removed_head_does_not_make_the_chain_pass(sealed, capsys):
    raw("DELETE FROM audit_chainhead")
    assert verify_chain().problem == "head_mismatch"
    assert main(["audit", "verify"]) == 1  # sealing first recreates an empty head; verify still fails
    assert capsys.readouterr().out.count("\n") == 1
