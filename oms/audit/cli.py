"""`oms audit …`: seal pending events into the hash chain and verify the chain."""

from __future__ import annotations

from django.utils.translation import gettext as _


def run_audit_command(args) -> int:
    from oms.audit.chain import seal_pending, verify_chain

    sealed = seal_pending()
    if args.audit_command == "seal":
        print(_("sealed %(n)s audit events") % {"n": sealed})
        return 0
    report = verify_chain()
    if report.ok:
        print(_("OK: audit chain intact, %(checked)s events, head seq %(seq)s") % {
            "checked": report.checked, "seq": report.head_seq})
        return 0
    print(_("FAILED (%(problem)s): %(message)s") % {"problem": report.problem, "message": report.message})
    return 1
