"""`oms stock …`: verify the ledger, receive and adjust from the command line."""

from __future__ import annotations

from django.utils.translation import gettext as _

from oms.accounts.actor import Actor
from oms.accounts.models import User
from oms.core.errors import NotFound


def _actor(username: str) -> Actor:
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise NotFound(_("No active account has this username."), details={"user": username})
    return Actor.of(user)


def run_stock_command(args) -> int:
    from oms.inventory import services
    from oms.inventory.verification import verify_stock

    if args.stock_command == "verify":
        report = verify_stock()
        for m in report.mismatches:
            print(_("MISMATCH %(sku)s @ %(warehouse)s: %(what)s is %(level)s, ledger says %(expected)s") % {
                "sku": m.sku, "warehouse": m.warehouse, "what": m.what, "level": m.level, "expected": m.expected})
        print(_("%(levels)s stock levels, %(movements)s ledger rows: %(result)s") % {
            "levels": report.levels, "movements": report.movements,
            "result": _("consistent") if report.ok else _("%(n)s mismatches") % {"n": len(report.mismatches)}})
        return 0 if report.ok else 1
    if args.stock_command == "receive":
        level = services.receive_stock(sku_code=args.sku, warehouse_code=args.warehouse, quantity=args.quantity,
                                       actor=_actor(args.user), reference=args.reference)
    else:
        level = services.adjust_stock(sku_code=args.sku, warehouse_code=args.warehouse, delta=args.delta,
                                      reason=args.reason, actor=_actor(args.user))
    print(_("%(sku)s @ %(warehouse)s: on hand %(on_hand)s, reserved %(reserved)s, available %(available)s") % {
        "sku": args.sku, "warehouse": args.warehouse, "on_hand": level.on_hand, "reserved": level.reserved,
        "available": level.available})
    return 0
