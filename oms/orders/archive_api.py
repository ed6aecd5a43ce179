"""Archive search and export over the API: GET /api/v1/archive/orders, …/archive/orders/export.{csv,xlsx}."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from oms.accounts.actor import Actor
from oms.accounts.roles import VIEW_ARCHIVE
from oms.orders.api import _date_param, _int_param
from oms.orders.archive_export import export_archive
from oms.orders.archive_selectors import ArchiveQuery, archived_orders, capped_count
from oms.orders.serializers import OrderSummarySerializer

MAX_PAGE_SIZE = 200
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
ARCHIVE_PARAMS = [
    OpenApiParameter("order_no", str, description="order number or its beginning"),
    OpenApiParameter("phone", str, description="customer or recipient phone"),
    OpenApiParameter("date_from", str, description="placed on or after (YYYY-MM-DD, Asia/Shanghai)"),
    OpenApiParameter("date_to", str, description="placed on or before (YYYY-MM-DD)"),
]


def archive_query(request) -> ArchiveQuery:
    params = request.query_params
    return ArchiveQuery(
        order_no=params.get("order_no", "").strip(), phone=params.get("phone", "").strip(),
        date_from=_date_param(request, "date_from"), date_to=_date_param(request, "date_to"),
    )


class ArchiveOrdersView(APIView):
    required_permissions = {"GET": VIEW_ARCHIVE}

    @extend_schema(
        operation_id="archive_orders_search",
        parameters=[*ARCHIVE_PARAMS, OpenApiParameter("page", int), OpenApiParameter("page_size", int)],
        responses=inline_serializer("ArchivePage", {
            "count": serializers.IntegerField(), "more": serializers.BooleanField(),
            "page": serializers.IntegerField(), "page_size": serializers.IntegerField(),
            "results": OrderSummarySerializer(many=True),
        }),
        description="Archived orders by number, phone or placed date (at least one). `count` stops at 1000; "
        "`more` says there are more.",
    )
    def get(self, request):
        query = archive_query(request)
        page = _int_param(request, "page", 1, 10**6)
        size = _int_param(request, "page_size", 50, MAX_PAGE_SIZE)
        qs = archived_orders(query, Actor.of(request.user))
        count, more = capped_count(qs)
        rows = qs[(page - 1) * size: page * size]
        return Response({"count": count, "more": more, "page": page, "page_size": size,
                         "results": OrderSummarySerializer(rows, many=True).data})


class ArchiveExportView(APIView):
    required_permissions = {"GET": VIEW_ARCHIVE}

    @extend_schema(operation_id="archive_orders_export", parameters=ARCHIVE_PARAMS,
                   responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
                   description="The search's orders with lines, packages, tracking and timeline (CSV or XLSX).")
    def get(self, request, fmt: str):
        content, filename, _n = export_archive(query=archive_query(request), fmt=fmt, actor=Actor.of(request.user))
        response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
