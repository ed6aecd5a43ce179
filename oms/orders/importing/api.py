"""Thin API views for file import: upload a file, download the template."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from oms.accounts.actor import Actor
from oms.accounts.roles import IMPORT_ORDERS
from oms.core.errors import ValidationFailed
from oms.orders.importing.services import import_orders
from oms.orders.importing.template import CONTENT_TYPES, FORMATS, LANGUAGES, template_bytes, template_filename

ImportReportSerializer = inline_serializer("ImportReport", {
    "orders_in_file": serializers.IntegerField(),
    "created": serializers.ListField(child=serializers.CharField(), help_text="order numbers of the new orders"),
    "duplicates": serializers.ListField(
        child=serializers.CharField(), help_text="external ids already stored: skipped, unchanged"
    ),
    "errors": inline_serializer("ImportRowError", {
        "row": serializers.IntegerField(help_text="spreadsheet row number; the header is row 1"),
        "column": serializers.CharField(help_text="header text as in the file; empty for the whole row"),
        "message": serializers.CharField(),
    }, many=True),
})


class ImportOrdersView(APIView):
    required_permissions = {"POST": IMPORT_ORDERS}
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="orders_import",
        request={"multipart/form-data": inline_serializer("ImportUpload", {"file": serializers.FileField()})},
        responses={200: ImportReportSerializer},
        description="Import orders from a CSV or XLSX file (one row per order line, see the template). Valid "
        "orders are created; orders already stored (same channel and external id) are skipped; every invalid "
        "row is reported with its row number and column, and its order is not created. A file that cannot be "
        "read at all is refused with 400 (import_file_invalid).",
    )
    def post(self, request):
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationFailed(details={"file": [_("Attach a CSV or XLSX file in the field 'file'.")]})
        report = import_orders(fileobj=upload, filename=upload.name, actor=Actor.of(request.user))
        return Response(report.as_dict())


class _IgnoreFormatParameter(DefaultContentNegotiation):
    """`?format=` names the template's format here, not a DRF renderer; errors are still JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class ImportTemplateView(APIView):
    required_permissions = {"GET": IMPORT_ORDERS}
    content_negotiation_class = _IgnoreFormatParameter

    @extend_schema(
        operation_id="orders_import_template",
        parameters=[
            OpenApiParameter("format", str, enum=list(FORMATS), description="csv or xlsx (default xlsx)"),
            OpenApiParameter("lang", str, enum=list(LANGUAGES), description="header language, zh or en (default zh)"),
        ],
        responses={(200, "text/csv"): OpenApiTypes.BINARY, (200, CONTENT_TYPES["xlsx"]): OpenApiTypes.BINARY},
        description="Download the import template: the header row and one example order of two lines.",
    )
    def get(self, request):
        fmt = request.query_params.get("format", "xlsx").strip().lower()
        lang = request.query_params.get("lang", "zh").strip().lower()
        problems = {}
        if fmt not in FORMATS:
            problems["format"] = [_("Use csv or xlsx.")]
        if lang not in LANGUAGES:
            problems["lang"] = [_("Use zh or en.")]
        if problems:
            raise ValidationFailed(details=problems)
        response = HttpResponse(template_bytes(fmt, lang), content_type=CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="{template_filename(fmt, lang)}"'
        return response
