"""The minutely deadline sweep: open deadlines for new work, close the finished ones, tell the teams.

Set-based and batched so it stays cheap with thousands of open orders, and safe to run twice at
once: new rows are inserted with ignore_conflicts against the unique (step, subject) key, closing
is an idempotent UPDATE, and a notice is sent only by the sweep whose conditional UPDATE claims
the row (plus the inbox's own dedupe key).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from oms.aftersales.status import RefundStatus
from oms.inbox.services import notify_team
from oms.orders.models import Order
from oms.orders.status import OrderStatus
from oms.payments.models import Refund
from oms.shipping.models import ExceptionStatus, LogisticsException
from oms.timeliness import deadlines
from oms.timeliness.calendar import WorkingCalendar
from oms.timeliness.deadlines import STEP_TEAM, Step
from oms.timeliness.models import Deadline
from oms.timeliness.rules_source import Policies, load_calendar

BATCH_SIZE = 500
# More notices than this for one team in one sweep become one digest notice listing the orders.
DIGEST_ABOVE = 10
DIGEST_LISTED = 20
REVIEW_OPEN = (OrderStatus.PENDING_REVIEW, OrderStatus.ON_HOLD)
SHIPMENT_OPEN = (OrderStatus.PENDING_REVIEW, OrderStatus.ON_HOLD, OrderStatus.PENDING_SHIPMENT,
                 OrderStatus.PARTIALLY_SHIPPED)
REFUND_OPEN = (RefundStatus.APPROVED, RefundStatus.FAILED)  # approved, not yet executed (a failure retries)


@dataclass
class SweepResult:
    opened: int = 0
    closed: int = 0
    notices: dict[str, int] = field(default_factory=lambda: {"at_risk": 0, "overdue": 0})

    def line(self) -> str:
        return (f"opened={self.opened} closed={self.closed} at_risk_notices={self.notices['at_risk']} "
                f"overdue_notices={self.notices['overdue']}")


def _not_tracked(step: str, subject: str = "pk"):
    return ~Exists(Deadline.objects.filter(step=step, subject_id=OuterRef(subject)))


def _candidates(step: str):
    """(subject_id, order_id, channel_id, started_at, refund_id, exception_id) of open work without a deadline."""
    if step in (Step.REVIEW, Step.SHIPMENT):
        # Orders reach review paid or as cash on delivery; the clock of the latter starts when placed.
        qs = Order.objects.filter(status__in=REVIEW_OPEN if step == Step.REVIEW else SHIPMENT_OPEN)
        return (qs.filter(_not_tracked(step)).annotate(started=Coalesce("paid_at", "placed_at"))
                .order_by("pk").values_list("pk", "pk", "channel_id", "started"))
    if step == Step.REFUND:
        return (Refund.objects.filter(status__in=REFUND_OPEN, approved_at__isnull=False).filter(_not_tracked(step))
                .order_by("pk").values_list("pk", "order_id", "order__channel_id", "approved_at"))
    return (LogisticsException.objects.filter(status=ExceptionStatus.OPEN, last_action_at__isnull=True)
            .filter(_not_tracked(step)).order_by("pk")
            .values_list("pk", "order_id", "order__channel_id", "opened_at"))


def compute(policy: deadlines.Policy, cal: WorkingCalendar, step: str, started: datetime) -> tuple[datetime, datetime]:
    """(due_at, at_risk_at) of a step started at `started`."""
    due = deadlines.due_at(policy, cal, step, started)
    return due, deadlines.at_risk_at(cal, started, due, policy.at_risk_fraction)


def open_deadlines(*, cal: WorkingCalendar, policies: Policies, batch_size: int = BATCH_SIZE) -> int:
    """Create deadline rows for work that has none yet; returns how many were created."""
    created = 0
    for step in Step.values:
        last = 0
        while True:
            rows = list(_candidates(step).filter(pk__gt=last)[:batch_size])
            if not rows:
                break
            last = rows[-1][0]
            objs = []
            for subject_id, order_id, channel_id, started in rows:
                due, risk = compute(policies.for_channel(channel_id), cal, step, started)
                objs.append(Deadline(step=step, subject_id=subject_id, order_id=order_id, channel_id=channel_id,
                                     refund_id=subject_id if step == Step.REFUND else None,
                                     exception_id=subject_id if step == Step.EXCEPTION_RESPONSE else None,
                                     started_at=started, due_at=due, at_risk_at=risk))
            before = Deadline.objects.filter(step=step, subject_id__in=[o.subject_id for o in objs]).count()
            Deadline.objects.bulk_create(objs, ignore_conflicts=True)
            created += Deadline.objects.filter(step=step, subject_id__in=[o.subject_id for o in objs]).count() - before
            if len(rows) < batch_size:
                break
    return created


def close_deadlines(*, now: datetime) -> int:
    """Mark done every open deadline whose step is finished; returns how many."""
    open_rows = Deadline.objects.filter(done_at__isnull=True)
    closed = open_rows.filter(step=Step.REVIEW).exclude(order__status__in=REVIEW_OPEN).update(done_at=now)
    closed += open_rows.filter(step=Step.SHIPMENT).exclude(order__status__in=SHIPMENT_OPEN).update(done_at=now)
    refunded = Refund.objects.filter(pk=OuterRef("refund_id")).values("refunded_at")[:1]
    closed += (open_rows.filter(step=Step.REFUND).exclude(refund__status__in=REFUND_OPEN)
               .update(done_at=Coalesce(Subquery(refunded), now)))
    answered = LogisticsException.objects.filter(pk=OuterRef("exception_id")).values("last_action_at")[:1]
    closed += (open_rows.filter(step=Step.EXCEPTION_RESPONSE)
               .exclude(exception__status=ExceptionStatus.OPEN, exception__last_action_at__isnull=True)
               .update(done_at=Coalesce(Subquery(answered), now)))
    return closed


def _notice_text(deadline: Deadline, level: str) -> str:
    values = {"step": Step(deadline.step).label, "order": deadline.order.order_no,
              "due": timezone.localtime(deadline.due_at).strftime("%Y-%m-%d %H:%M")}
    if level == deadlines.State.OVERDUE:
        return _("Overdue: %(step)s of order %(order)s was due %(due)s") % values
    return _("At risk: %(step)s of order %(order)s is due %(due)s") % values


def _notify(*, now: datetime, level: str, batch_size: int) -> int:
    """Send one notice per deadline reaching `level`; the sweep that claims the row sends it."""
    flag = "overdue_notified_at" if level == deadlines.State.OVERDUE else "at_risk_notified_at"
    pending = Deadline.objects.filter(done_at__isnull=True, **{f"{flag}__isnull": True})
    pending = pending.filter(due_at__lt=now) if level == deadlines.State.OVERDUE else pending.filter(
        at_risk_at__lte=now, due_at__gte=now)
    sent = 0
    while True:
        with transaction.atomic():
            batch = list(pending.select_for_update(skip_locked=True, of=("self",)).select_related("order")
                         .order_by("pk")[:batch_size])
            claimed: dict[str, list[Deadline]] = {}
            for deadline in batch:
                claim = {flag: now}
                if level == deadlines.State.OVERDUE:  # an item first seen overdue gets no late at-risk notice
                    Deadline.objects.filter(pk=deadline.pk, at_risk_notified_at__isnull=True).update(
                        at_risk_notified_at=now)
                if not Deadline.objects.filter(pk=deadline.pk, **{f"{flag}__isnull": True}).update(**claim):
                    continue
                claimed.setdefault(STEP_TEAM[Step(deadline.step)], []).append(deadline)
            for team, items in claimed.items():
                link = reverse("web:timeliness", kwargs={"team": team}) + f"?state={level}"
                if len(items) > DIGEST_ABOVE:
                    sent += _notify_digest(team=team, level=level, items=items, link=link)
                    continue
                for deadline in items:
                    notice = notify_team(team=team, kind=f"deadline_{level}", title=_notice_text(deadline, level),
                                         order=deadline.order, link=link,
                                         dedupe_key=f"deadline:{deadline.pk}:{level}")
                    sent += notice is not None
        if len(batch) < batch_size:
            return sent


def _notify_digest(*, team: str, level: str, items: list[Deadline], link: str) -> int:
    """One notice for many items reaching the same level in one sweep (the first sweep of a busy system,
    a morning after a holiday): a list to open, not a flood of single notices."""
    count = len(items)
    if level == deadlines.State.OVERDUE:
        title = ngettext("Overdue: %(count)d item of your queue is past its deadline",
                         "Overdue: %(count)d items of your queue are past their deadlines", count) % {"count": count}
    else:
        title = ngettext("At risk: %(count)d item of your queue is close to its deadline",
                         "At risk: %(count)d items of your queue are close to their deadlines", count) % {
            "count": count}
    body = ", ".join(d.order.order_no for d in items[:DIGEST_LISTED]) + ("…" if count > DIGEST_LISTED else "")
    notice = notify_team(team=team, kind=f"deadline_{level}_digest", title=title, body=body, link=link,
                         dedupe_key=f"deadline-digest:{level}:{items[0].pk}:{items[-1].pk}:{count}")
    return int(notice is not None)


def sweep(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> SweepResult:
    """Open, close and announce deadlines (run every minute by the worker, or `oms timeliness sweep`)."""
    now = now or timezone.now()
    result = SweepResult()
    result.opened = open_deadlines(cal=load_calendar(), policies=Policies(), batch_size=batch_size)
    result.closed = close_deadlines(now=now)
    for level in (deadlines.State.OVERDUE, deadlines.State.AT_RISK):
        result.notices[level] = _notify(now=now, level=level, batch_size=batch_size)
    return result


def recompute_open(*, batch_size: int = BATCH_SIZE) -> int:
    """Recompute due and at-risk times of every open deadline (after a policy or calendar change)."""
    cal, policies = load_calendar(), Policies()
    changed, last = 0, 0
    while True:
        rows = list(Deadline.objects.filter(done_at__isnull=True, pk__gt=last).order_by("pk")[:batch_size])
        if not rows:
            return changed
        last = rows[-1].pk
        dirty = []
        for row in rows:
            due, risk = compute(policies.for_channel(row.channel_id), cal, row.step, row.started_at)
            if (due, risk) != (row.due_at, row.at_risk_at):
                row.due_at, row.at_risk_at = due, risk
                dirty.append(row)
        Deadline.objects.bulk_update(dirty, ["due_at", "at_risk_at"])
        changed += len(dirty)
