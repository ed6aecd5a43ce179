"""Retention (§3.3, PIPL): the personal data of orders archived longer ago than
OMS_PII_RETENTION_DAYS is replaced by a fixed marker; the books keep the rest.

Kept: order number, channel, amounts, dates, status, province/city/district (reports group by
them), lines, packages, payments. Replaced: the buyer's and recipient's names, phones, e-mail
and street detail (search hashes cleared), and the free text that carries them on rows of the
same order: message recipients and bodies, logistics ticket details, the buyer's after-sales
description, review findings quoting a phone. What stays is listed in docs/privacy.md.

Batches of short transactions (like archiving), SKIP LOCKED on PostgreSQL, one audit event per
order so each order's timeline says when and why its personal data went.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oms.accounts.actor import Actor
from oms.audit.services import build_event
from oms.core.bulk_insert import insert_rows
from oms.core.errors import ValidationFailed
from oms.orders.models import Order
from oms.orders.personal_data import ANONYMISED

ANONYMISED_ACTION = "personal_data_anonymised"  # the audit action
MAX_BATCH = 5_000
_REPLACED = {
    "customer_name": ANONYMISED, "customer_phone": ANONYMISED, "customer_email": "",
    "ship_name": ANONYMISED, "ship_phone": ANONYMISED, "ship_detail": ANONYMISED,
    "customer_phone_hash": "", "ship_phone_hash": "", "ship_name_hash": "",
}


@dataclass
class AnonymiseRun:
    orders: int = 0
    batches: int = 0


def retention_cutoff(*, now: datetime | None = None, older_than_days: int | None = None) -> datetime | None:
    """Orders archived before this moment are anonymised; None when retention is off (0 days)."""
    days = settings.OMS_PII_RETENTION_DAYS if older_than_days is None else older_than_days
    if days < 0:
        raise ValidationFailed(details={"older_than_days": [_("Must be zero or more days.")]})
    if days == 0 and older_than_days is None:
        return None
    return (now or timezone.now()) - timedelta(days=days)


def anonymisable_orders(cutoff: datetime) -> QuerySet[Order]:
    return Order.objects.filter(archived_at__lt=cutoff, anonymised_at__isnull=True).order_by("archived_at", "id")


def anonymise_archived(*, older_than_days: int | None = None, now: datetime | None = None,
                       batch_size: int = 500, actor: Actor | None = None,
                       run: AnonymiseRun | None = None) -> int:
    """Anonymise every order archived longer ago than the retention period, in batches; return how many."""
    if not 1 <= batch_size <= MAX_BATCH:
        raise ValidationFailed(details={"batch_size": [_("Between 1 and 5000.")]})
    cutoff = retention_cutoff(now=now, older_than_days=older_than_days)
    if cutoff is None:
        return 0
    actor = actor or Actor.system()
    run = run if run is not None else AnonymiseRun()
    while True:
        done = _anonymise_batch(cutoff=cutoff, batch_size=batch_size, actor=actor)
        if not done:
            break
        run.orders += done
        run.batches += 1
        if done < batch_size:
            break
    return run.orders


@transaction.atomic
def _anonymise_batch(*, cutoff: datetime, batch_size: int, actor: Actor) -> int:
    qs = anonymisable_orders(cutoff)
    if connection.vendor == "postgresql":
        # Orders another transaction holds are left for the next run; two sweeps never take the same rows.
        qs = qs.select_for_update(skip_locked=True, of=("self",))
    ids = sorted(qs.values_list("id", flat=True)[:batch_size])
    if not ids:
        return 0
    at = timezone.now()
    # The condition again: SQLite has no row locks, so an order another sweep just took is left alone.
    Order.objects.filter(id__in=ids, anonymised_at__isnull=True).update(**_REPLACED, anonymised_at=at, updated_at=at)
    ids = list(Order.objects.filter(id__in=ids, anonymised_at=at).order_by("id").values_list("id", flat=True))
    _anonymise_related(ids)
    insert_rows([
        build_event(order=Order(id=order_id), action=ANONYMISED_ACTION, actor=actor, at=at,
                    data={"fields": sorted(k for k in _REPLACED if not k.endswith("_hash"))})
        for order_id in ids
    ])
    return len(ids)


def _anonymise_related(order_ids: list[int]) -> None:
    """Free text on other rows of these orders that names, reaches or locates the buyer."""
    from oms.aftersales.models import AfterSalesRequest
    from oms.notifications.models import Message
    from oms.orders.review.models import OrderHold
    from oms.shipping.models import LogisticsException

    Message.objects.filter(order_id__in=order_ids).update(recipient=ANONYMISED, body=ANONYMISED)
    LogisticsException.objects.filter(order_id__in=order_ids).exclude(detail="").update(detail=ANONYMISED)
    LogisticsException.objects.filter(order_id__in=order_ids).exclude(outcome_note="").update(outcome_note=ANONYMISED)
    AfterSalesRequest.objects.filter(order_id__in=order_ids).exclude(description="").update(description=ANONYMISED)
    # Review findings that quote a phone number (an invalid one, or one on the block list).
    OrderHold.objects.filter(order_id__in=order_ids, code__in=("phone_invalid", "blacklisted")).update(details={})
    _anonymise_change_requests(order_ids)


def _anonymise_change_requests(order_ids: list[int]) -> None:
    """Customer-data change requests keep the old and new phone, name and street: replaced by the marker."""
    from oms.approvals.fields import PERSONAL_KEYS
    from oms.approvals.models import ChangeRequest

    def blank(values: dict) -> dict:
        return {k: (ANONYMISED if k in PERSONAL_KEYS and v else v) for k, v in values.items()}

    for cr in ChangeRequest.objects.filter(order_id__in=order_ids, kind="customer_data").only(
            "pk", "proposed", "current"):
        cr.proposed, cr.current = blank(cr.proposed), blank(cr.current)
        cr.save(update_fields=["proposed", "current"])


def count_anonymisable(*, older_than_days: int | None = None) -> int:
    cutoff = retention_cutoff(older_than_days=older_than_days)
    return 0 if cutoff is None else anonymisable_orders(cutoff).count()


def run_anonymise_command(*, dry_run: bool, older_than_days: int | None) -> int:
    """`oms orders anonymise`: anonymise now (or count, with --dry-run) and print one line."""
    if dry_run:
        print(f"would anonymise {count_anonymisable(older_than_days=older_than_days)} orders")
        return 0
    run = AnonymiseRun()
    anonymise_archived(older_than_days=older_than_days, actor=Actor.system(), run=run)
    print(f"anonymised {run.orders} orders in {run.batches} batches")
    return 0
