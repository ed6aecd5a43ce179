"""The tamper-evident audit chain: sealing new events and verifying the whole log.

Why seal afterwards instead of chaining inside record(): events are written by many processes at
once, also in bulk (review, picking, tracking insert thousands per statement). Chaining at insert
would make every writer queue on one lock for the life of its transaction. Instead, rows go in
unsealed, and `seal_pending()` (every minute in the worker, and before `oms audit verify` and
`oms backup`) takes the one ChainHead row lock, gives the unsealed rows their places in id order,
and moves the head. Only one sealer runs at a time; writers never wait for it beyond a batch.

hash = SHA-256(prev_hash + canonical JSON of the event's content), so changing any recorded fact,
removing a sealed event or moving one breaks the chain from that point on.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from oms.audit.models import GENESIS_HASH, AuditEvent, ChainHead

BATCH = 1000
CONTENT = ("id", "order_id", "action", "actor_id", "actor_username", "actor_roles", "at", "changes", "reason",
           "note", "data")


def canonical(*, order_id, action, actor_id, actor_username, actor_roles, at, changes, reason, note, data) -> str:
    """The event's content as one fixed text: sorted keys, no spaces, the time in UTC with microseconds."""
    return json.dumps({
        "order_id": order_id, "action": action, "actor_id": actor_id, "actor_username": actor_username,
        "actor_roles": actor_roles, "at": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "changes": changes, "reason": reason, "note": note, "data": data,
    }, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(prev_hash: str, content: str) -> str:
    return hashlib.sha256((prev_hash + content).encode()).hexdigest()


def _content(row: dict) -> str:
    return canonical(**{k: row[k] for k in CONTENT if k != "id"})


def _head_for_update() -> ChainHead:
    ChainHead.objects.get_or_create(pk=1)
    return ChainHead.objects.select_for_update().get(pk=1)


def seal_pending(*, batch_size: int = BATCH) -> int:
    """Give every unsealed audit event its place in the chain; return how many were sealed."""
    sealed = 0
    while True:
        with transaction.atomic():
            head = _head_for_update()
            rows = list(AuditEvent.objects.filter(seq__isnull=True).order_by("id").values(*CONTENT)[:batch_size])
            if not rows:
                return sealed
            seq, prev = head.seq, head.hash
            updates = []
            for row in rows:
                seq += 1
                digest = event_hash(prev, _content(row))
                updates.append((seq, prev, digest, row["id"]))
                prev = digest
            table = connection.ops.quote_name(AuditEvent._meta.db_table)
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {table} SET seq = %s, prev_hash = %s, hash = %s WHERE id = %s AND seq IS NULL", updates)
            ChainHead.objects.filter(pk=1).update(seq=seq, hash=prev, sealed_at=timezone.now())
            sealed += len(rows)


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    unsealed: int
    first_bad_id: int | None = None
    first_bad_seq: int | None = None
    problem: str | None = None  # "altered" | "removed" | "reordered" | "head_mismatch"
    message: str = ""
    head_seq: int = 0
    head_hash: str = GENESIS_HASH


def chain_head() -> tuple[int, str]:
    """(seq, hash) of the last sealed event; (0, genesis) for an empty chain."""
    head = ChainHead.objects.filter(pk=1).values_list("seq", "hash").first()
    return head or (0, GENESIS_HASH)


def verify_chain(*, batch_size: int = BATCH) -> ChainReport:
    """Walk the chain by seq and report the first altered, removed or re-ordered event, then check the head."""
    head_seq, head_hash = chain_head()
    unsealed = AuditEvent.objects.filter(seq__isnull=True).count()
    expected, prev, checked = 1, GENESIS_HASH, 0

    def bad(problem: str, row: dict | None, message: str) -> ChainReport:
        return ChainReport(ok=False, checked=checked, unsealed=unsealed, problem=problem, message=message,
                           first_bad_id=row["id"] if row else None, first_bad_seq=row["seq"] if row else None,
                           head_seq=head_seq, head_hash=head_hash)

    while True:
        rows = list(AuditEvent.objects.filter(seq__gte=expected, seq__lte=head_seq).order_by("seq")
                    .values("seq", "prev_hash", "hash", *CONTENT)[:batch_size])
        if not rows:
            break
        for row in rows:
            if event_hash(row["prev_hash"], _content(row)) != row["hash"]:
                return bad("altered", row, f"event {row['id']} (seq {row['seq']}) was altered after it was sealed")
            if row["seq"] != expected or row["prev_hash"] != prev:
                # Intact content, broken link: it was moved if its predecessor still exists elsewhere.
                moved = row["seq"] == expected and AuditEvent.objects.filter(hash=row["prev_hash"]).exists()
                if moved:
                    return bad("reordered", row, f"event {row['id']} (seq {row['seq']}) is out of its place")
                return bad("removed", row, f"events before event {row['id']} (seq {row['seq']}) were removed "
                                           f"(expected seq {expected})")
            prev, expected, checked = row["hash"], expected + 1, checked + 1
    # Events sealed beyond the head: the head was moved back (or deleted) to hide them from this walk.
    # The head is re-read after the rows, so a seal committed meanwhile (rows and head together) is no alarm.
    beyond = AuditEvent.objects.filter(seq__gt=head_seq).aggregate(last=Max("seq"))["last"]
    if beyond is not None and beyond > chain_head()[0]:
        return bad("head_mismatch", None, f"events are sealed up to seq {beyond} but the chain head says "
                                          f"{head_seq}: the head was moved back")
    if checked != head_seq:
        return bad("removed", None, f"the chain ends at seq {checked} but its head says {head_seq}: "
                                    f"the last events were removed")
    if prev != head_hash:
        return bad("head_mismatch", None, f"the last event's hash does not match the chain head at seq {head_seq}")
    return ChainReport(ok=True, checked=checked, unsealed=unsealed, head_seq=head_seq, head_hash=head_hash,
                       message=f"audit chain intact: {checked} events, {unsealed} waiting to be sealed")
