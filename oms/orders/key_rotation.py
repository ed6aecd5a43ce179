"""`oms pii rotate`: re-encrypt the personal data of every order with the newest key (the first of
OMS_PII_KEYS) and recompute the search hashes (so a new OMS_PII_HASH_KEY is taken up the same way).

Rotation: put the new key first in OMS_PII_KEYS, keep the old ones after it, restart, run this;
when it has finished, the old keys can be removed (docs/privacy.md). Batches in id order, one
short transaction each with the rows locked, so the back office keeps working meanwhile.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from oms.accounts.actor import Actor
from oms.audit.services import record
from oms.core.errors import ValidationFailed
from oms.orders.models import Order
from oms.orders.personal_data import ENCRYPTED_FIELDS, name_hash, phone_hash

ROTATED = "personal_data_keys_rotated"  # the audit action (no order)


def rotate_personal_data(*, actor: Actor, batch_size: int = 500) -> int:
    """Re-encrypt every order's personal fields with the newest key; return how many orders."""
    if not 1 <= batch_size <= 10_000:
        raise ValidationFailed(details={"batch_size": [_("Between 1 and 10000.")]})
    last, total = 0, 0
    while True:
        last, done = _rotate_batch(after=last, batch_size=batch_size)
        total += done
        if done < batch_size:
            break
    requests = _rotate_change_requests(batch_size=batch_size)
    record(None, ROTATED, actor=actor, data={"orders": total, "change_requests": requests})
    return total


def _rotate_change_requests(*, batch_size: int) -> int:
    """Change requests hold a copy of personal values encrypted with the same keys (approvals/fields.py):
    read and written back, they take the newest key too, so the old key can go."""
    from oms.approvals.models import ChangeRequest

    last, total = 0, 0
    while True:
        with transaction.atomic():
            rows = list(ChangeRequest.objects.select_for_update().filter(pk__gt=last, kind="customer_data")
                        .order_by("pk").only("pk", "proposed", "current")[:batch_size])
            for cr in rows:  # loaded in plain; saved, the field encrypts with the newest key
                cr.save(update_fields=["proposed", "current"])
        total += len(rows)
        if len(rows) < batch_size:
            return total
        last = rows[-1].pk


@transaction.atomic
def _rotate_batch(*, after: int, batch_size: int) -> tuple[int, int]:
    ids = list(Order.objects.filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)[:batch_size])
    if not ids:
        return after, 0
    # Read (decrypting with any configured key) under lock, write back: the field encrypts with the newest.
    rows = Order.objects.select_for_update().filter(pk__in=ids).order_by("pk").values("pk", "anonymised_at",
                                                                                          *ENCRYPTED_FIELDS)
    for row in rows:
        kept = row["anonymised_at"] is None  # an anonymised order is not found by its marker
        Order.objects.filter(pk=row["pk"]).update(
            **{f: row[f] for f in ENCRYPTED_FIELDS},
            customer_phone_hash=phone_hash(row["customer_phone"]) if kept else "",
            ship_phone_hash=phone_hash(row["ship_phone"]) if kept else "",
            ship_name_hash=name_hash(row["ship_name"]) if kept else "",
        )
    return ids[-1], len(ids)


def run_pii_command(args) -> int:
    if args.pii_command == "rotate":
        n = rotate_personal_data(actor=Actor.system(), batch_size=args.batch_size)
        print(f"re-encrypted the personal data of {n} orders with the newest key")
    return 0
