"""Keeping Order.after_sales_status equal to what the order's requests and refunds say."""

from __future__ import annotations

from django.db.models import Count, Q, Sum

from oms.aftersales.status import OPEN_REQUEST_STATUSES, ItemCondition, RefundStatus, derived_after_sales_status
from oms.core.money import ZERO

IN_PROGRESS_REFUNDS = (RefundStatus.REQUESTED, RefundStatus.VERIFIED, RefundStatus.AWAITING_SECOND_APPROVAL,
                       RefundStatus.APPROVED, RefundStatus.FAILED)


def refresh_after_sales_status(order) -> str:
    """Recompute the order's after-sales state (caller holds the order lock) and store it if it changed."""
    from oms.aftersales.models import AfterSalesRequest, InspectionLine
    from oms.fulfillment.models import PackageLine, PackageStatus
    from oms.payments.models import Refund

    open_requests = AfterSalesRequest.objects.filter(order=order, status__in=OPEN_REQUEST_STATUSES).count()
    refunds = Refund.objects.filter(order=order).aggregate(
        busy=Count("pk", filter=Q(status__in=IN_PROGRESS_REFUNDS)),
        done=Sum("amount", filter=Q(status=RefundStatus.SUCCEEDED)))
    returned = InspectionLine.objects.filter(
        request_line__request__order=order, condition__in=(ItemCondition.RESELLABLE, ItemCondition.DAMAGED),
    ).aggregate(n=Sum("quantity"))["n"] or 0
    shipped = PackageLine.objects.filter(
        package__order=order, package__status__in=(PackageStatus.SHIPPED, PackageStatus.DELIVERED),
    ).aggregate(n=Sum("quantity"))["n"] or 0
    status = derived_after_sales_status(
        open_requests=open_requests, refunds_in_progress=refunds["busy"], refunded=refunds["done"] or ZERO,
        paid=order.paid_amount, returned_units=returned, shipped_units=shipped)
    if status != order.after_sales_status:
        type(order).objects.filter(pk=order.pk).update(after_sales_status=status)
        order.after_sales_status = status
    return status
