"""Splitting a package by hand (manual §2.6.4 订单拆分): customer service or the warehouse decide
which units go in which parcel (too big for one box, part of it wanted sooner…).

Only a package that is allocated and not yet on a pick list, of an order that is not cash on
delivery, can be split; the parts must hold exactly its units, each part at least one. The
original is marked `split`; the parts are new packages of the same warehouse, priced again.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from oms.accounts.actor import Actor, require, require_warehouse
from oms.accounts.roles import SPLIT_PACKAGES
from oms.audit.services import record
from oms.core.errors import BusinessRuleViolation, ValidationFailed
from oms.fulfillment.errors import PackageNotFound
from oms.fulfillment.models import Package, PackageLine, PackageStatus
from oms.geo.divisions import province_name
from oms.orders.models import Order
from oms.orders.status import PaymentMethod, PaymentStatus
from oms.shipping.models import Carrier
from oms.shipping.rates import cheapest
from oms.shipping.selectors import load_cards


class CannotSplit(BusinessRuleViolation):
    code = "cannot_split"
    default_message = _("Only a package that is allocated, not on a pick list and not cash on delivery can be "
                        "split.")


class BadParts(ValidationFailed):
    code = "bad_parts"
    default_message = _("The parts must hold exactly the package's units, at least one unit in each part, "
                        "and at least two parts.")


def split_package(*, number: str, parts: list[dict[int, int]], actor: Actor) -> list[Package]:
    """Split the package into the given parts ({order line number: units}); returns the new packages."""
    require(actor, SPLIT_PACKAGES)
    with transaction.atomic():
        order_id = Package.objects.filter(number=number).values_list("order_id", flat=True).first()
        if order_id is None:
            raise PackageNotFound(details={"packages": [number]})
        order = Order.objects.select_for_update().get(pk=order_id)  # the order first, then its package
        package = Package.objects.select_for_update().get(number=number)
        require_warehouse(actor, package.warehouse_id)
        cod = order.payment_method == PaymentMethod.COD and order.payment_status != PaymentStatus.PAID
        if package.status != PackageStatus.ALLOCATED or package.pick_list_id or package.merged_from.exists() or cod:
            raise CannotSplit(details={"package": number, "status": package.status})
        lines = {ln.line.line_no: ln for ln in package.lines.select_related("line", "sku")}
        asked: dict[int, int] = defaultdict(int)
        for part in parts:
            for line_no, qty in part.items():
                asked[line_no] += qty
        holds = {no: ln.quantity for no, ln in lines.items()}
        if len(parts) < 2 or any(not part or any(q <= 0 for q in part.values()) for part in parts) \
                or dict(asked) != holds:
            raise BadParts(details={"package": number, "holds": holds, "asked": dict(asked)})
        cards = load_cards([package.warehouse_id]).get(package.warehouse_id, [])
        province = province_name(order.ship_province) or order.ship_province
        carriers = dict(Carrier.objects.values_list("code", "pk"))
        taken = order.packages.count()
        created = []
        for i, part in enumerate(parts, start=1):
            weight = sum(lines[no].sku.weight_g * qty for no, qty in part.items())
            quote = cheapest(cards, province=province, weight_g=weight) if cards else None
            new = Package.objects.create(
                order=order, number=f"{order.order_no}-{taken + i}", warehouse_id=package.warehouse_id,
                carrier_id=carriers.get(quote.carrier) if quote else package.carrier_id, weight_g=weight,
                freight=quote.price if quote else 0)
            PackageLine.objects.bulk_create([PackageLine(package=new, line=lines[no].line, sku=lines[no].sku,
                                                         quantity=qty) for no, qty in sorted(part.items())])
            created.append(new)
        package.status = PackageStatus.SPLIT
        package.save(update_fields=["status", "updated_at"])
        record(order, "package_split", actor=actor, data={
            "package": number, "into": [{"number": p.number, "lines": {str(k): v for k, v in part.items()}}
                                        for p, part in zip(created, parts, strict=True)]})
        return created
