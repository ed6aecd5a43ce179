"""A package's carrier after allocation: chosen again with the weighed weight, or set by hand.

Both run before hand-over (the package has no tracking number and is on no hand-over list), lock
the order row and then the package, and record one audit event on the order with the carriers
compared, so the timeline explains the change.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from oms.accounts.actor import Actor, require
from oms.accounts.roles import HAND_OVER, MANAGE_CARRIERS
from oms.audit.services import record
from oms.core.errors import ValidationFailed
from oms.fulfillment.errors import PackageNotFound
from oms.fulfillment.models import Package, PackageStatus
from oms.geo.divisions import province_name
from oms.orders.entry import lock_order
from oms.orders.status import PaymentMethod, PaymentStatus
from oms.shipping import choice
from oms.shipping.errors import CarrierDoesNotServe, CarrierNotChangeable, NoCarrierLeft
from oms.shipping.models import Carrier
from oms.shipping.selectors import insure_above, load_cards, load_rules

CHANGEABLE = (PackageStatus.ALLOCATED, PackageStatus.PACKED)


def _lock_package(package_number: str) -> Package:
    """Lock the package's order, then the package (the fixed lock order)."""
    found = Package.objects.filter(number=package_number).values_list("order__order_no", flat=True).first()
    if found is None:
        raise PackageNotFound(details={"package": package_number})
    order = lock_order(found)
    package = (Package.objects.select_for_update(of=("self",)).select_related("carrier", "box")
               .get(number=package_number))
    package.order = order
    return package


def _require_changeable(package: Package, statuses=CHANGEABLE) -> None:
    if package.status not in statuses or package.handover_list_id or package.tracking_no:
        raise CarrierNotChangeable(details={"package": package.number, "status": package.status})


def parcel_of(package: Package, *, weight_g: int) -> choice.Parcel:
    """The facts the carrier choice looks at for a package that exists."""
    order = package.order
    lines = list(package.lines.select_related("line", "sku"))
    if package.box_id:
        box = package.box
        volume = box.inner_length_mm * box.inner_width_mm * box.inner_height_mm / 1000
    else:
        volume = sum(pl.sku.length_mm * pl.sku.width_mm * pl.sku.height_mm / 1000 * pl.quantity for pl in lines)
    return choice.Parcel(
        warehouse_id=package.warehouse_id, province=province_name(order.ship_province) or order.ship_province,
        weight_g=weight_g, volume_cm3=volume,
        cod=order.payment_method == PaymentMethod.COD and order.payment_status != PaymentStatus.PAID,
        declared_value=sum((pl.line.unit_price * pl.quantity for pl in lines), Decimal(0)),
        remark=order.buyer_remark, order_amount=order.payable_amount)


def _choose(package: Package, *, weight_g: int) -> choice.Choice:
    cards = load_cards([package.warehouse_id]).get(package.warehouse_id, [])
    return choice.choose(cards, parcel_of(package, weight_g=weight_g), rules=load_rules(),
                         insure_above=insure_above())


def _apply(package: Package, carrier: Carrier, price: Decimal) -> dict:
    before = {"carrier": package.carrier.code if package.carrier else "", "freight": package.freight}
    package.carrier, package.freight = carrier, price
    package.save(update_fields=["carrier", "freight", "updated_at"])
    return {k: [v, after] for (k, v), after in zip(before.items(), (carrier.code, price), strict=True)
            if v != after}


@transaction.atomic
def choose_carrier_again(*, package_number: str, actor: Actor) -> Package:
    """Run the carrier choice again for a packed package with its weighed weight, before hand-over."""
    require(actor, HAND_OVER)
    package = _lock_package(package_number)
    _require_changeable(package, (PackageStatus.PACKED,))
    weight = package.packed_weight_g or package.weight_g
    result = _choose(package, weight_g=weight)
    if result.quote is None:
        raise NoCarrierLeft(details={"package": package_number, "weight_g": weight, **result.as_data()})
    carrier = Carrier.objects.get(code=result.quote.carrier)
    changes = _apply(package, carrier, result.quote.price)
    record(package.order, "carrier_chosen_again", actor=actor, changes=changes,
           data={"package": package_number, "weight_g": weight, **result.as_data()})
    return package


@transaction.atomic
def set_package_carrier(*, package_number: str, carrier_code: str, actor: Actor, reason: str) -> Package:
    """Give a package another carrier by hand (with a reason); refused when that carrier does not go there."""
    require(actor, MANAGE_CARRIERS)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Say why the carrier is set by hand."),
                               details={"reason": [_("This field is required.")]})
    package = _lock_package(package_number)
    _require_changeable(package)
    carrier = Carrier.objects.filter(code=carrier_code, active=True).first()
    if carrier is None:
        raise ValidationFailed(_("There is no active carrier with this code."),
                               details={"carrier": [_("There is no active carrier with this code.")]})
    weight = package.packed_weight_g or package.weight_g
    result = _choose(package, weight_g=weight)
    option = next((o for o in result.options if o.carrier == carrier_code), None)
    if option is None or option.quote is None:
        raise CarrierDoesNotServe(details={"package": package_number, "carrier": carrier_code,
                                           "reason": option.reason if option else "no_rate_card"})
    changes = _apply(package, carrier, option.quote.price)
    record(package.order, "package_carrier_set", actor=actor, changes=changes, reason=reason,
           data={"package": package_number, "weight_g": weight, **result.as_data()})
    return package
