"""`oms verify`: is this (restored) database whole? Row counts, the audit chain, the stock ledger."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

from oms.audit.chain import verify_chain
from oms.audit.models import AuditEvent
from oms.backup.manifest import Manifest


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def current_row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def _row_counts(manifest: Manifest) -> Check:
    counts = current_row_counts()
    differ = [f"{t}: {counts[t]} (manifest {manifest.row_counts[t]})" if t in counts else f"{t}: missing table"
              for t in sorted(manifest.row_counts) if counts.get(t) != manifest.row_counts[t]]
    total = sum(manifest.row_counts.values())
    if differ:
        return Check("row counts", False, f"{len(differ)} tables differ: " + "; ".join(differ[:5]))
    return Check("row counts", True, f"{len(manifest.row_counts)} tables, {total} rows as in the manifest")


def _audit_chain(manifest: Manifest | None) -> Check:
    report = verify_chain()
    if not report.ok:
        return Check("audit chain", False, f"{report.problem}: {report.message}")
    if manifest and manifest.audit_head:
        seq, digest = manifest.audit_head.get("seq", 0), manifest.audit_head.get("hash")
        if report.head_seq < seq:
            return Check("audit chain", False, f"the chain ends at seq {report.head_seq}, before the manifest's {seq}")
        at_seq = AuditEvent.objects.filter(seq=seq).values_list("hash", flat=True).first() if seq else digest
        if at_seq != digest:
            return Check("audit chain", False, f"the event at seq {seq} differs from the one the backup recorded")
    return Check("audit chain", True, f"{report.checked} events chained, head seq {report.head_seq}"
                                      f", {report.unsealed} not sealed yet")


def _stock_ledger() -> Check:
    from oms.inventory.verification import verify_stock

    report = verify_stock()
    if report.ok:
        return Check("stock ledger", True, f"{report.levels} stock levels match {report.movements} ledger rows")
    first = report.mismatches[0]
    return Check("stock ledger", False, f"{len(report.mismatches)} mismatches, first {first.sku} @ "
                                        f"{first.warehouse}: {first.what} {first.level}, ledger {first.expected}")


def run_checks(*, manifest: Manifest | None = None) -> list[Check]:
    """Every check, in order; a restored database passes when all are ok."""
    checks = [_row_counts(manifest)] if manifest else []
    return [*checks, _audit_chain(manifest), _stock_ledger()]
