"""How long a sweep over many parcels on the road takes (measured, never asserted on time)."""

import time

from django.utils import timezone

from oms.fulfillment.models import Package, PackageLine
from oms.shipping import exceptions as svc
from oms.shipping.models import LogisticsException, TrackingEvent
from oms.shipping.models import TrackingStatus as S
from tests.shipping.exception_setup import hours_ago, network, shipped

PARCELS = 1000


def test_a_sweep_over_a_thousand_parcels_opens_one_ticket_per_quiet_parcel(db, report_figure):
    network(no_update_hours=24)
    template = shipped(shipped_at=hours_ago(40))
    line = PackageLine.objects.get(package=template)
    packages = Package.objects.bulk_create([
        Package(order_id=template.order_id, number=f"B{i:06d}", warehouse_id=template.warehouse_id,
                carrier_id=template.carrier_id, status="shipped", tracking_no=f"ZTB{i:09d}",
                shipped_at=hours_ago(40)) for i in range(PARCELS)])
    packages = list(Package.objects.filter(number__startswith="B"))
    PackageLine.objects.bulk_create([PackageLine(package=p, line_id=line.line_id, sku_id=line.sku_id, quantity=1)
                                     for p in packages])
    # Half went quiet 30 h ago, half were scanned an hour ago.
    TrackingEvent.objects.bulk_create([
        TrackingEvent(package=p, status=S.IN_TRANSIT, occurred_at=hours_ago(30 if i % 2 else 1), location="杭州",
                      source="push", dedup_key=f"k{i}-{j}")
        for i, p in enumerate(packages) for j in range(3)])
    started = time.perf_counter()
    result = svc.sweep(now=timezone.now())
    elapsed = time.perf_counter() - started
    assert result.opened == PARCELS // 2 + 1  # the template parcel has no scan at all
    assert LogisticsException.objects.count() == result.opened
    report_figure(f"exceptions_sweep parcels={PARCELS + 1} events={3 * PARCELS} opened={result.opened} "
                  f"seconds={elapsed:.2f}")
