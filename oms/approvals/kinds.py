"""The kinds of change request, one table: who approves, how `proposed` is checked, what it conflicts
with, and how approval applies it.

`clean` is pure (no database): the shape and format of the proposed values. `check` applies the
kind's rules to the live target, at request time and again at approval. `snapshot` is what the
request records as `current` and approval compares. `apply` writes the change on locked rows and
returns {field: [old, new]} for the one audit event.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from oms.accounts.actor import Actor
from oms.accounts.roles import APPROVE_CHANGES, FINANCE, OPERATIONS
from oms.approvals.errors import ChangeNotAllowed, InvalidChangeRequest, UseChangeAddress
from oms.approvals.status import ChangeKind
from oms.core.money import ZERO
from oms.orders.status import OrderStatus, PaymentStatus
from oms.orders.status import check_transition as check_order_transition


@dataclass(frozen=True)
class Target:
    """What a request changes: an order, or the stock of one SKU in one warehouse."""

    order: object | None = None  # orders.Order
    sku: object | None = None  # inventory.Sku
    warehouse: object | None = None  # inventory.Warehouse
    level: object | None = None  # inventory.StockLevel (None before the first movement)


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    approver_role: str  # the team whose members decide (besides holding `permission`)
    family: str  # requests of one family on one target conflict with each other
    on_order: bool
    clean: Callable[[dict], dict]
    snapshot: Callable[[Target, dict], dict]
    check: Callable[[Target, dict], None]
    apply: Callable[..., dict]
    permission: str = APPROVE_CHANGES
    # Refuse approval when the target's values differ from those captured at request time. A stock
    # adjustment is a difference found by counting: goods that moved since (picked, received) moved on
    # the shelf and in the books alike, so the difference still holds and the request is not stale.
    refuses_stale: bool = True

    def conflict_key(self, target: Target) -> str:
        if self.on_order:
            return f"order:{target.order.pk}:{self.family}"
        return f"stock:{target.sku.pk}:{target.warehouse.pk}"

    def may_decide(self, actor: Actor) -> bool:
        return actor.user is not None and actor.has(self.permission) and self.approver_role in actor.roles


# --- shared parsing -------------------------------------------------------------------------------

_MONEY = re.compile(r"[0-9]{1,8}(\.[0-9]{1,2})?")


def _money(value, field: str, errors: dict) -> str | None:
    """A non-negative amount with at most two decimals, as a string with two ("12.50")."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        errors[field] = [_("An amount such as 12.50.")]
        return None
    text = str(value).strip()
    if not _MONEY.fullmatch(text):
        errors[field] = [_("An amount of zero or more with at most two decimals.")]
        return None
    return f"{Decimal(text):.2f}"


def _only(proposed: dict, allowed: tuple[str, ...], errors: dict) -> dict:
    if not isinstance(proposed, dict) or not proposed:
        raise InvalidChangeRequest(_("Give at least one value to change."),
                                   details={"proposed": [_("This field is required.")]})
    for name in sorted(set(proposed) - set(allowed)):
        errors[name] = [_("This field cannot be changed by this kind of request.")]
    return {k: v for k, v in proposed.items() if k in allowed}


def _raise(errors: dict) -> None:
    if errors:
        raise InvalidChangeRequest(details=errors)


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _when(value, field: str, errors: dict) -> str | None:
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None or timezone.is_naive(parsed):
        errors[field] = [_("A date and time with its time zone, such as 2026-11-26T10:16:00+08:00.")]
        return None
    return parsed.isoformat()


def _live_refunded(order) -> Decimal:
    from oms.payments.refunds import live_refunded

    return live_refunded(order)


# --- order_amounts --------------------------------------------------------------------------------

AMOUNT_FIELDS = ("shipping_fee", "discount_total", "paid_amount")


def clean_amounts(proposed: dict) -> dict:
    errors: dict = {}
    given = _only(proposed, AMOUNT_FIELDS, errors)
    cleaned = {name: _money(value, name, errors) for name, value in given.items()}
    if not given and not errors:
        errors["proposed"] = [_("Give at least one value to change.")]
    _raise(errors)
    return cleaned


def snapshot_amounts(target: Target, proposed: dict) -> dict:
    o = target.order
    return {"goods_total": f"{o.goods_total:.2f}", "shipping_fee": f"{o.shipping_fee:.2f}",
            "discount_total": f"{o.discount_total:.2f}", "paid_amount": f"{o.paid_amount:.2f}",
            "payment_status": o.payment_status}


def check_amounts(target: Target, proposed: dict) -> None:
    from oms.orders.totals import Totals, totals_problems

    o = target.order
    new = {name: Decimal(proposed.get(name, f"{getattr(o, name):.2f}")) for name in AMOUNT_FIELDS}
    if all(new[name] == getattr(o, name) for name in AMOUNT_FIELDS):
        raise ChangeNotAllowed(_("The proposed amounts are the order's amounts already."),
                               details={"proposed": proposed})
    refunded = _live_refunded(o)
    if new["paid_amount"] < refunded:
        raise ChangeNotAllowed(
            _("The paid amount cannot be below what live refunds hold (%(refunded)s).") % {
                "refunded": f"{refunded:.2f}"},
            details={"paid_amount": [f"{new['paid_amount']:.2f}"], "refunded": f"{refunded:.2f}"})
    totals = Totals(goods_total=o.goods_total, shipping_fee=new["shipping_fee"], discount_total=new["discount_total"])
    problems = totals_problems(totals, paid=o.payment_status == PaymentStatus.PAID, paid_amount=new["paid_amount"])
    # Once money went back, paid and payable part ways by design (refunds keep the paid amount); the
    # discount rule still holds.
    if refunded > ZERO:
        problems = {k: v for k, v in problems.items() if k == "discounts"}
    if problems:
        raise ChangeNotAllowed(" ".join(problems.values()), details=problems)


def apply_amounts(target: Target, proposed: dict, *, actor: Actor, number: str, reason: str) -> dict:
    o = target.order
    fields = (*AMOUNT_FIELDS, "payable_amount")
    before = {f: getattr(o, f) for f in fields}
    for name, value in proposed.items():
        setattr(o, name, Decimal(value))
    o.payable_amount = o.goods_total + o.shipping_fee - o.discount_total
    o.save(update_fields=[*fields, "updated_at"])
    changes = {f: [before[f], getattr(o, f)] for f in fields if before[f] != getattr(o, f)}
    if "discount_total" in changes:
        changes["discounts"] = _match_discount_rows(o, number=number)
    return changes


def _match_discount_rows(order, *, number: str) -> list[str]:
    """Make the order's discount rows add up to its corrected discount total; [old rows, new rows] as text.

    The rows are the source of the total (line edits recompute it from them, refunds split it over
    lines): a raise is one manual discount row named after the request; a cut takes from the newest
    rows, manual ones first. A row cut to nothing goes (the audit event keeps it); a coupon whose use
    was counted is kept, so the cancellation gives that use back.
    """
    from oms.core.no_delete import discard_uncommitted_lines
    from oms.orders.models import OrderDiscount
    from oms.orders.status import DiscountKind

    rows = list(OrderDiscount.objects.select_for_update().filter(order=order).order_by("id"))
    text = lambda items: ", ".join(f"{r.kind}{(' ' + r.code) if r.code else ''} {r.amount:.2f}"  # noqa: E731
                                   for r in items)
    old = text(rows)
    gap = order.discount_total - sum((r.amount for r in rows), ZERO)
    if gap > ZERO:
        rows.append(OrderDiscount.objects.create(order=order, kind=DiscountKind.MANUAL, amount=gap,
                                                 description=_("Correction %(no)s") % {"no": number}))
    gone = []
    for row in sorted(rows, key=lambda r: (r.kind != DiscountKind.MANUAL, -r.pk)):
        if gap >= ZERO:
            break
        take = min(row.amount, -gap)
        if take == row.amount and row.use_counted:
            take -= Decimal("0.01")
        if take <= ZERO:
            continue
        row.amount -= take
        gap += take
        if row.amount == ZERO:
            gone.append(row.pk)
        else:
            row.save(update_fields=["amount"])
    if gap < ZERO:
        raise ChangeNotAllowed(_("The discount rows of this order cannot be cut that far."),
                               details={"discount_total": [f"{order.discount_total:.2f}"]})
    if gone:
        discard_uncommitted_lines(OrderDiscount.objects.filter(pk__in=gone))
    return [old, text(r for r in rows if r.pk not in gone)]


# --- payment_status -------------------------------------------------------------------------------

PAYMENT_FIELDS = ("payment_status", "paid_at", "transaction_id", "paid_amount")


def clean_payment(proposed: dict) -> dict:
    errors: dict = {}
    given = _only(proposed, PAYMENT_FIELDS, errors)
    status = given.get("payment_status")
    if status not in PaymentStatus.values:
        errors["payment_status"] = [", ".join(PaymentStatus.values)]
        _raise(errors)
    cleaned: dict = {"payment_status": status}
    if status == PaymentStatus.PAID:
        cleaned["paid_at"] = _when(given.get("paid_at"), "paid_at", errors)
        txn = given.get("transaction_id", "") or ""
        if not isinstance(txn, str) or len(txn.strip()) > 64:
            errors["transaction_id"] = [_("At most %(n)d characters.") % {"n": 64}]
        else:
            cleaned["transaction_id"] = txn.strip()
        if given.get("paid_amount") not in (None, ""):
            cleaned["paid_amount"] = _money(given["paid_amount"], "paid_amount", errors)
    else:
        for name in ("paid_at", "transaction_id", "paid_amount"):
            if given.get(name) not in (None, ""):
                errors[name] = [_("Leave empty when marking the order unpaid.")]
    _raise(errors)
    return cleaned


def snapshot_payment(target: Target, proposed: dict) -> dict:
    o = target.order
    return {"payment_status": o.payment_status, "paid_at": _iso(o.paid_at), "transaction_id": o.transaction_id,
            "paid_amount": f"{o.paid_amount:.2f}", "payable_amount": f"{o.payable_amount:.2f}"}


def _payment_after(order, proposed: dict) -> dict:
    if proposed["payment_status"] == PaymentStatus.UNPAID:
        return {"payment_status": PaymentStatus.UNPAID, "paid_at": None, "transaction_id": "", "paid_amount": ZERO}
    return {"payment_status": PaymentStatus.PAID, "paid_at": parse_datetime(proposed["paid_at"]),
            "transaction_id": proposed.get("transaction_id", ""),
            "paid_amount": Decimal(proposed["paid_amount"]) if "paid_amount" in proposed else order.payable_amount}


def check_payment(target: Target, proposed: dict) -> None:
    o = target.order
    after = _payment_after(o, proposed)
    if all(after[f] == getattr(o, f) for f in PAYMENT_FIELDS):
        raise ChangeNotAllowed(_("The order's payment already reads like this."), details={"proposed": proposed})
    refunded = _live_refunded(o)
    if refunded > ZERO and (after["payment_status"] == PaymentStatus.UNPAID or after["paid_amount"] < refunded):
        raise ChangeNotAllowed(
            _("Refunds of %(refunded)s are under way or done on this order; the payment cannot drop below them.")
            % {"refunded": f"{refunded:.2f}"}, details={"refunded": f"{refunded:.2f}"})
    if after["payment_status"] == PaymentStatus.PAID and refunded == ZERO and after["paid_amount"] != o.payable_amount:
        raise ChangeNotAllowed(
            _("A paid order pays its payable amount (%(payable)s); correct the amounts with an order-amounts "
              "request.") % {"payable": f"{o.payable_amount:.2f}"},
            details={"paid_amount": [f"{after['paid_amount']:.2f}"], "payable": f"{o.payable_amount:.2f}"})


def apply_payment(target: Target, proposed: dict, *, actor: Actor, number: str, reason: str) -> dict:
    o = target.order
    before = {f: getattr(o, f) for f in PAYMENT_FIELDS}
    after = _payment_after(o, proposed)
    for name, value in after.items():
        setattr(o, name, value)
    changes = {f: [before[f], after[f]] for f in PAYMENT_FIELDS if before[f] != after[f]}
    if o.status == OrderStatus.PENDING_PAYMENT and o.payment_status == PaymentStatus.PAID:
        # As recording a payment does (orders/review/corrections.py): a paid order waits for review,
        # not for a payment that came.
        check_order_transition(o.status, OrderStatus.PENDING_REVIEW)
        changes["status"] = [o.status, OrderStatus.PENDING_REVIEW]
        o.status = OrderStatus.PENDING_REVIEW
    o.save(update_fields=[*PAYMENT_FIELDS, "status", "updated_at"])
    return changes


# --- customer_data --------------------------------------------------------------------------------

# proposed field → the change-address action's field name (None: the buyer's own details)
CUSTOMER_FIELDS = {
    "customer_name": None, "customer_phone": None,
    "ship_name": "name", "ship_phone": "phone", "ship_province": "province", "ship_city": "city",
    "ship_district": "district", "ship_detail": "detail", "ship_postcode": "postcode",
}
_LIMITS = {"customer_name": 100, "customer_phone": 32, "ship_name": 100, "ship_phone": 32, "ship_province": 32,
           "ship_city": 32, "ship_district": 32, "ship_detail": 255, "ship_postcode": 12}


def clean_customer(proposed: dict) -> dict:
    from oms.orders.intake.validation import _storable

    errors: dict = {}
    given = _only(proposed, tuple(CUSTOMER_FIELDS), errors)
    cleaned = {}
    for name, value in given.items():
        value = "" if value is None else value
        if not isinstance(value, str):
            errors[name] = [_("Must be a string.")]
            continue
        value = value.strip()
        if not _storable(value):
            errors[name] = [_("Contains characters that cannot be stored (control characters or broken Unicode).")]
        elif len(value) > _LIMITS[name]:
            errors[name] = [_("At most %(n)d characters.") % {"n": _LIMITS[name]}]
        elif not value and name not in ("ship_district", "ship_postcode"):
            errors[name] = [_("This field is required.")]
        else:
            cleaned[name] = value
    _raise(errors)
    return cleaned


def snapshot_customer(target: Target, proposed: dict) -> dict:
    return {name: getattr(target.order, name) or "" for name in CUSTOMER_FIELDS}


def check_customer(target: Target, proposed: dict) -> None:
    from oms.orders.changes import AFTER_SHIPMENT, validate_address
    from oms.orders.review.facts import rule_settings
    from oms.orders.review.messages import PHONE_PROBLEMS
    from oms.orders.review.rules import RULES, phone_kind

    o = target.order
    if o.anonymised_at is not None:  # retention removed the buyer's data for good (orders/anonymisation.py)
        raise ChangeNotAllowed(_("This order's personal data was anonymised under the retention rule."),
                               details={"order_no": o.order_no})
    if o.status not in AFTER_SHIPMENT:
        raise UseChangeAddress(details={"order_no": o.order_no, "status": o.status,
                                        "use": f"/orders/{o.order_no}/change-address/"})
    current = snapshot_customer(target, proposed)
    if all(current[k] == v for k, v in proposed.items()):
        raise ChangeNotAllowed(_("The proposed values are the order's values already."), details={"proposed": proposed})
    errors: dict = {}
    if any(CUSTOMER_FIELDS[k] for k in proposed):
        address = {CUSTOMER_FIELDS[k]: v for k, v in {**current, **proposed}.items() if CUSTOMER_FIELDS[k]}
        back = {v: k for k, v in CUSTOMER_FIELDS.items() if v}
        errors = {back.get(f, f): msgs for f, msgs in validate_address(address).items()}
    if "customer_phone" in proposed:
        enabled, params = rule_settings().get("phone_invalid", (True, {}))
        params = {**RULES["phone_invalid"].defaults(), **params}
        problem = phone_kind(proposed["customer_phone"], allow_foreign=bool(params.get("allow_foreign")))
        if enabled and problem:
            errors["customer_phone"] = [str(PHONE_PROBLEMS.get(problem, problem))]
    _raise(errors)


def apply_customer(target: Target, proposed: dict, *, actor: Actor, number: str, reason: str) -> dict:
    o = target.order
    changes = {name: [getattr(o, name), value] for name, value in proposed.items() if getattr(o, name) != value}
    for name, (_old, new) in changes.items():
        setattr(o, name, new)
    o.save(update_fields=[*changes, "updated_at"])
    return changes


# --- status_correction ----------------------------------------------------------------------------

# (from, to): the manual corrections operations really meet. Both ends need every travelling parcel
# out of the warehouse, so a correction never lands on a status the quantities contradict.
CORRECTIONS = {
    (OrderStatus.SHIPPED, OrderStatus.DELIVERED),  # the carrier never reported the delivery
    (OrderStatus.DELIVERED, OrderStatus.SHIPPED),  # a delivery was reported wrongly
}


def clean_status(proposed: dict) -> dict:
    errors: dict = {}
    given = _only(proposed, ("status", "delivered_at"), errors)
    status = given.get("status")
    if status not in {to for _from, to in CORRECTIONS}:
        errors["status"] = [", ".join(sorted({to for _from, to in CORRECTIONS}))]
    cleaned = {"status": status}
    if given.get("delivered_at") not in (None, ""):
        if status != OrderStatus.DELIVERED:
            errors["delivered_at"] = [_("Only when correcting to delivered.")]
        else:
            cleaned["delivered_at"] = _when(given["delivered_at"], "delivered_at", errors)
    _raise(errors)
    return cleaned


def snapshot_status(target: Target, proposed: dict) -> dict:
    return {"status": target.order.status, "delivered_at": _iso(target.order.delivered_at)}


def check_status(target: Target, proposed: dict) -> None:
    from oms.fulfillment.models import Package
    from oms.shipping.progress import LEFT_WAREHOUSE, NOT_TRAVELLING

    o = target.order
    if (o.status, proposed["status"]) not in CORRECTIONS:
        raise ChangeNotAllowed(
            _("An order in status %(from)s cannot be corrected to %(to)s by hand.") % {
                "from": o.get_status_display(), "to": OrderStatus(proposed["status"]).label},
            details={"from": o.status, "to": proposed["status"],
                     "allowed": [f"{a}→{b}" for a, b in sorted(CORRECTIONS)]})
    statuses = Package.objects.filter(order=o).values_list("status", flat=True)
    if any(s not in LEFT_WAREHOUSE for s in statuses if s not in NOT_TRAVELLING):
        raise ChangeNotAllowed(_("Some of the order's parcels have not left the warehouse."),
                               details={"order_no": o.order_no})


def apply_status(target: Target, proposed: dict, *, actor: Actor, number: str, reason: str) -> dict:
    o = target.order
    before = {"status": o.status, "delivered_at": o.delivered_at}
    o.status = proposed["status"]
    if o.status == OrderStatus.DELIVERED:
        o.delivered_at = parse_datetime(proposed["delivered_at"]) if proposed.get("delivered_at") else timezone.now()
    else:
        o.delivered_at = None
    o.save(update_fields=["status", "delivered_at", "updated_at"])
    return {f: [before[f], getattr(o, f)] for f in before if before[f] != getattr(o, f)}


# --- stock_adjustment -----------------------------------------------------------------------------

def clean_stock(proposed: dict) -> dict:
    errors: dict = {}
    given = _only(proposed, ("sku", "warehouse", "delta"), errors)
    cleaned = {}
    for name in ("sku", "warehouse"):
        value = given.get(name)
        if not isinstance(value, str) or not value.strip():
            errors[name] = [_("This field is required.")]
        else:
            cleaned[name] = value.strip()
    delta = given.get("delta")
    if isinstance(delta, str) and re.fullmatch(r"-?[0-9]{1,9}", delta.strip()):
        delta = int(delta.strip())
    if isinstance(delta, bool) or not isinstance(delta, int) or delta == 0:
        errors["delta"] = [_("A whole number other than zero (negative to take units off).")]
    else:
        cleaned["delta"] = delta
    _raise(errors)
    return cleaned


def snapshot_stock(target: Target, proposed: dict) -> dict:
    return {"on_hand": target.level.on_hand if target.level else 0}


def check_stock(target: Target, proposed: dict) -> None:
    on_hand = target.level.on_hand if target.level else 0
    reserved = target.level.reserved if target.level else 0
    if on_hand + proposed["delta"] < reserved:
        raise ChangeNotAllowed(
            _("On hand would drop below what is reserved (%(reserved)d).") % {"reserved": reserved},
            details={"delta": [proposed["delta"]], "on_hand": on_hand, "reserved": reserved})


def apply_stock(target: Target, proposed: dict, *, actor: Actor, number: str, reason: str) -> dict:
    from oms.inventory.services import adjust_stock

    before = target.level.on_hand if target.level else 0
    level = adjust_stock(sku_code=target.sku.code, warehouse_code=target.warehouse.code, delta=proposed["delta"],
                         reason=f"{number}: {reason}", actor=actor, change_request=number)
    return {"on_hand": [before, level.on_hand]}


KINDS: dict[str, Kind] = {k.code: k for k in (
    Kind(ChangeKind.ORDER_AMOUNTS, ChangeKind.ORDER_AMOUNTS.label, FINANCE, "money", True,
         clean_amounts, snapshot_amounts, check_amounts, apply_amounts),
    Kind(ChangeKind.PAYMENT_STATUS, ChangeKind.PAYMENT_STATUS.label, FINANCE, "money", True,
         clean_payment, snapshot_payment, check_payment, apply_payment),
    Kind(ChangeKind.CUSTOMER_DATA, ChangeKind.CUSTOMER_DATA.label, OPERATIONS, "customer", True,
         clean_customer, snapshot_customer, check_customer, apply_customer),
    Kind(ChangeKind.STATUS_CORRECTION, ChangeKind.STATUS_CORRECTION.label, OPERATIONS, "status", True,
         clean_status, snapshot_status, check_status, apply_status),
    Kind(ChangeKind.STOCK_ADJUSTMENT, ChangeKind.STOCK_ADJUSTMENT.label, OPERATIONS, "stock", False,
         clean_stock, snapshot_stock, check_stock, apply_stock, refuses_stale=False),
)}

# The families whose pending requests block direct actions on the same order's money.
MONEY_FAMILY = "money"


def kind_of(code: str) -> Kind:
    kind = KINDS.get(code)
    if kind is None:
        raise InvalidChangeRequest(details={"kind": [", ".join(KINDS)]})
    return kind
