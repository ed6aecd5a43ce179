"""Address and phone changes before shipment, and carrier redirection after it (manual §2.6.4, FAQ 6).

Before shipment the new address goes through the same address and phone rules review applies
to every new order; any problem is a field error and nothing is stored. The change is one audit
event (old → new). An order waiting for review is reviewed again; a parcel whose pick list or
label is already printed is flagged for re-print; a destination its warehouse no longer serves
(or in another zone of its carrier) moves the order to other packages when the warehouse has not
started on it, and is flagged for re-allocation when it has.

A partially shipped order is refused like a shipped one: the parcel already on its way carries the
old address, and one order with two delivery addresses is what the buyer and the carrier get wrong.
After shipment the only path is a redirection request: a logistics exception ticket (reason
"address problem") per parcel on the road, carrying the requested address, handled by logistics.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oms.accounts.actor import Actor, require
from oms.accounts.roles import CHANGE_BEFORE_SHIPMENT
from oms.audit.services import diff, record
from oms.core.errors import Conflict, ValidationFailed
from oms.fulfillment.models import Package, PackageStatus
from oms.geo.divisions import check_address, province_name
from oms.orders.entry import lock_order
from oms.orders.intake.validation import _storable
from oms.orders.models import Order
from oms.orders.personal_data import masked_changes, masked_fields
from oms.orders.review.facts import rule_settings
from oms.orders.review.messages import ADDRESS_PROBLEMS, PHONE_PROBLEMS
from oms.orders.review.rules import RULES, phone_kind
from oms.orders.review.services import REVIEWABLE, ReviewOutcome, review_locked
from oms.orders.status import OrderStatus

# API/form field → order column.
ADDRESS_FIELDS = {
    "name": "ship_name", "phone": "ship_phone", "province": "ship_province", "city": "ship_city",
    "district": "ship_district", "detail": "ship_detail", "postcode": "ship_postcode",
}
REQUIRED = ("name", "phone", "province", "city", "detail")
CHANGEABLE = (OrderStatus.PENDING_PAYMENT, OrderStatus.PENDING_REVIEW, OrderStatus.ON_HOLD,
              OrderStatus.PENDING_SHIPMENT)
AFTER_SHIPMENT = (OrderStatus.PARTIALLY_SHIPPED, OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.COMPLETED)
LIVE_PACKAGES = (PackageStatus.ALLOCATED, PackageStatus.PACKED)
ON_THE_ROAD = (PackageStatus.SHIPPED,)


class InvalidAddressChange(ValidationFailed):
    code = "invalid_address_change"
    default_message = gettext_lazy("The new address or phone is not valid; see the fields.")


class AddressNotChangeable(Conflict):
    code = "address_not_changeable"
    default_message = gettext_lazy("The address of this order can no longer be changed.")


class AlreadyShipped(Conflict):
    code = "already_shipped"
    default_message = gettext_lazy("The parcel has left; ask logistics for a carrier redirection.")


class NothingToRedirect(Conflict):
    code = "nothing_to_redirect"
    default_message = gettext_lazy("No parcel of this order is on its way: a redirection is only for parcels "
                                   "the carrier still has.")


@dataclass(frozen=True)
class AddressChange:
    order: Order
    changes: dict  # column → [old, new]
    reprint: list[str]  # package numbers flagged for re-print
    reallocated: bool
    review: ReviewOutcome | None


def _texts(values: dict) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The given fields as stripped strings, with a message per malformed one."""
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(values) - set(ADDRESS_FIELDS))
    for name in unknown:
        errors[name] = [_("This field cannot be changed here.")]
    cleaned = {}
    for name, value in values.items():
        if name not in ADDRESS_FIELDS:
            continue
        if value is None:
            value = ""
        if not isinstance(value, str):
            errors[name] = [_("Must be a string.")]
            continue
        value = value.strip()
        limit = Order._meta.get_field(ADDRESS_FIELDS[name]).max_length
        if not _storable(value):
            errors[name] = [_("Contains characters that cannot be stored (control characters or broken Unicode).")]
        elif len(value) > limit:
            errors[name] = [_("At most %(n)d characters.") % {"n": limit}]
        else:
            cleaned[name] = value
    return cleaned, errors


def validate_address(address: dict[str, str]) -> dict[str, list[str]]:
    """The intake rules for a whole address (review's address and phone rules): {field: [messages]}."""
    errors: dict[str, list[str]] = {}
    for name in REQUIRED:
        if not address.get(name):
            errors.setdefault(name, []).append(_("This field is required."))
    # The same switches as review: a rule operations turned off does not refuse a change either.
    settings = rule_settings()
    checked = {kind for kind in ("incomplete", "invalid") if settings.get(f"address_{kind}", (True, {}))[0]}
    for problem in check_address(province=address.get("province", ""), city=address.get("city", ""),
                                 district=address.get("district", ""), detail=address.get("detail", ""),
                                 postcode=address.get("postcode", "")):
        if problem.field not in errors and problem.kind in checked:
            errors.setdefault(problem.field, []).append(str(ADDRESS_PROBLEMS.get(problem.code, problem.code)))
    enabled, params = settings.get("phone_invalid", (True, {}))
    params = {**RULES["phone_invalid"].defaults(), **params}
    if enabled and address.get("phone") and "phone" not in errors:
        kind = phone_kind(address["phone"], allow_foreign=bool(params.get("allow_foreign")))
        if kind:
            errors["phone"] = [str(PHONE_PROBLEMS.get(kind, kind))]
    return errors


def _current(order: Order) -> dict[str, str]:
    return {name: getattr(order, column) or "" for name, column in ADDRESS_FIELDS.items()}


def _live_packages(order: Order) -> list[Package]:
    """The order's parcels still in the warehouse, and the packages its parcels were merged into."""
    own = list(Package.objects.filter(order=order).exclude(status__in=(PackageStatus.CANCELLED,)).select_related(
        "warehouse", "carrier").order_by("pk"))
    merged_into = [p.merged_into_id for p in own if p.status == PackageStatus.MERGED and p.merged_into_id]
    extra = list(Package.objects.filter(pk__in=merged_into, status__in=LIVE_PACKAGES).select_related(
        "warehouse", "carrier").order_by("pk")) if merged_into else []
    return [p for p in own if p.status in LIVE_PACKAGES] + extra


def started(package: Package) -> bool:
    """The warehouse has begun on the parcel: it is on a pick list, packed or has a label."""
    return bool(package.pick_list_id or package.packed_at or package.tracking_no)


def _route_problem(package: Package, old_province: str, new_province: str) -> str:
    """Why the parcel should leave from elsewhere or with another carrier zone now, or ''."""
    old, new = province_name(old_province) or old_province, province_name(new_province) or new_province
    if old == new:
        return ""
    if not package.warehouse.serves(new_province):
        return _("warehouse %(wh)s does not serve %(province)s") % {"wh": package.warehouse.code, "province": new}
    if package.carrier_id is None:
        return ""
    from oms.shipping.selectors import load_cards

    card = next((c for c in load_cards([package.warehouse_id]).get(package.warehouse_id, [])
                 if c.carrier == package.carrier.code), None)
    if card is None:
        return ""
    before, after = card.zone_for(old), card.zone_for(new)
    if after is None or not after.served:
        return _("carrier %(carrier)s does not deliver to %(province)s from here") % {
            "carrier": package.carrier.code, "province": new}
    if before is None or before.name != after.name:
        return _("carrier zone changes to %(zone)s") % {"zone": after.name}
    return ""


def _flag(packages: list[Package], reason: str) -> None:
    for package in packages:
        text = reason if not package.needs_reprint or reason in package.needs_reprint \
            else f"{package.needs_reprint}; {reason}"
        package.needs_reprint = text[:200]
        Package.objects.filter(pk=package.pk).update(needs_reprint=package.needs_reprint, updated_at=timezone.now())


@transaction.atomic
def change_address(*, order_no: str, actor: Actor, address: dict, note: str = "") -> AddressChange:
    """Change the recipient, phone or address of an order not yet shipped; re-checked like at intake."""
    require(actor, CHANGE_BEFORE_SHIPMENT)
    given, errors = _texts(address if isinstance(address, dict) else {})
    if not address or not isinstance(address, dict):
        raise InvalidAddressChange(_("Give at least one field to change."),
                                   details={"address": [_("This field is required.")]})
    order = lock_order(order_no)
    if order.status in AFTER_SHIPMENT:
        raise AlreadyShipped(details={"order_no": order_no, "status": order.status})
    if order.status not in CHANGEABLE:
        raise AddressNotChangeable(details={"order_no": order_no, "status": order.status})
    if errors:
        raise InvalidAddressChange(details=errors)
    before = _current(order)
    after = {**before, **given}
    errors = validate_address(after)
    if errors:
        raise InvalidAddressChange(details=errors)
    changes = diff({ADDRESS_FIELDS[k]: v for k, v in before.items()}, {ADDRESS_FIELDS[k]: v for k, v in after.items()})
    if not changes:
        return AddressChange(order=order, changes={}, reprint=[], reallocated=False, review=None)
    for column, (_old, new) in changes.items():
        setattr(order, column, new)
    order.save(update_fields=[*changes, "updated_at"])

    packages = _live_packages(order) if order.status == OrderStatus.PENDING_SHIPMENT else []
    problems = {p.pk: _route_problem(p, before["province"], after["province"]) for p in packages}
    in_work = [p for p in packages if started(p)]
    reallocated = False
    data: dict = {}
    if in_work:
        only_phone = set(changes) <= {"ship_phone"}
        reason = _("phone changed") if only_phone else _("address changed")
        _flag(in_work, reason)
        for p in in_work:
            if problems[p.pk]:
                _flag([p], _("re-allocate: %(problem)s") % {"problem": problems[p.pk]})
        data["reprint"] = [p.number for p in in_work]
        late = {p.number: problems[p.pk] for p in in_work if problems[p.pk]}
        if late:
            data["reallocation_needed"] = late
    elif any(problems.values()):
        # Nothing printed or picked yet: the order gets packages that fit the new destination.
        from oms.fulfillment.services import allocate_locked, cancel_packages

        data["reallocated_from"] = {p.number: problems[p.pk] for p in packages if problems[p.pk]}
        cancel_packages(order)
        reallocated = True
    record(order, "address_changed", actor=actor, changes=masked_changes(changes), note=note[:2000], data=data)
    if reallocated:
        allocate_locked(order, actor=actor)  # records order_allocated or allocation_failed itself
    review = review_locked(order, actor=actor, trigger="address_change") if order.status in REVIEWABLE else None
    return AddressChange(order=order, changes=changes, reprint=data.get("reprint", []), reallocated=reallocated,
                         review=review)


@dataclass(frozen=True)
class Redirection:
    order: Order
    tickets: list[str]


@transaction.atomic
def request_redirection(*, order_no: str, actor: Actor, address: dict, note: str = "") -> Redirection:
    """Ask logistics to have the carrier redirect the order's parcels on the road to a new address."""
    from oms.shipping.exceptions import default_owner, ticket_numbers
    from oms.shipping.models import ExceptionReason, ExceptionStatus, LogisticsException

    require(actor, CHANGE_BEFORE_SHIPMENT)
    given, errors = _texts(address if isinstance(address, dict) else {})
    order = lock_order(order_no)
    if errors:
        raise InvalidAddressChange(details=errors)
    after = {**_current(order), **given}
    errors = validate_address(after)
    if errors:
        raise InvalidAddressChange(details=errors)
    on_road = list(Package.objects.filter(order=order, status__in=ON_THE_ROAD, carrier__isnull=False)
                   .order_by("pk"))
    if not on_road:
        raise NothingToRedirect(details={"order_no": order_no, "status": order.status})
    now = timezone.now()
    line = (f"{after['name']} {after['phone']} {after['province']}{after['city']}{after['district']}"
            f"{after['detail']} {after['postcode']}").strip()
    detail = (_("Carrier redirection requested to: %(address)s") % {"address": line})[:500]
    owner = default_owner()
    open_ones = {t.package_id: t for t in LogisticsException.objects.select_for_update().filter(
        package__in=on_road, reason=ExceptionReason.ADDRESS_PROBLEM, status=ExceptionStatus.OPEN)}
    fresh = [p for p in on_road if p.pk not in open_ones]
    numbers = ticket_numbers(len(fresh), now) if fresh else []
    for number, package in zip(numbers, fresh, strict=True):
        LogisticsException.objects.create(number=number, package=package, order=order, carrier_id=package.carrier_id,
                                          reason=ExceptionReason.ADDRESS_PROBLEM, detail=detail, owner=owner,
                                          opened_at=now, last_action_at=now)
    # A package that already has an open address ticket gets the request on that ticket.
    tickets = sorted(numbers + [t.number for t in open_ones.values()])
    record(order, "redirection_requested", actor=actor, note=note[:2000], reason="redirect", data={
        "tickets": tickets, "packages": [p.number for p in on_road],
        "address": masked_fields(after), "owner": owner.username if owner else ""})
    return Redirection(order=order, tickets=tickets)
