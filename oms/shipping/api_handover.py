"""Hand-over API: carrier hand-over lists (交接单), scanning parcels onto them, handing over, printing."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from oms.accounts.actor import Actor
from oms.accounts.roles import HAND_OVER
from oms.core.api_input import text_field
from oms.core.errors import ValidationFailed
from oms.shipping import handover
from oms.shipping.documents.handover_pdf import render_handover
from oms.shipping.handover_selectors import handover_lists, handover_sheet, require_handover_scope
from oms.shipping.models import HandoverStatus

HANDOVER_OUT = inline_serializer("HandoverList", {
    "number": serializers.CharField(), "status": serializers.CharField(), "carrier": serializers.CharField(),
    "warehouse": serializers.CharField(), "parcels": serializers.IntegerField(),
    "weight_g": serializers.IntegerField(), "courier_name": serializers.CharField(),
    "created_at": serializers.DateTimeField(), "handed_over_at": serializers.DateTimeField(allow_null=True),
    "packages": serializers.ListField(child=serializers.DictField()),
})


def _strings(data, *names: str, required: tuple[str, ...] = ()) -> dict[str, str]:
    if not isinstance(data, dict):
        raise ValidationFailed(_("The request body must be a JSON object."))
    values, problems = {}, {}
    for name in names:  # every bad field is named, not only the first
        try:
            values[name] = text_field(data, name, required=name in required).strip()
        except ValidationFailed as exc:
            problems.update(exc.details)
    if problems:
        raise ValidationFailed(details=problems)
    return values


def _out(number: str) -> dict:
    sheet = handover_sheet(number)
    return {k: v for k, v in sheet.items() if k not in ("status_label",)}


class HandoverListsView(APIView):
    required_permissions = {"GET": HAND_OVER, "POST": HAND_OVER}

    @extend_schema(operation_id="handover_lists_list",
                   parameters=[OpenApiParameter("status", str, enum=HandoverStatus.values, required=False)],
                   responses=inline_serializer("HandoverLists", {"results": serializers.ListField(
                       child=serializers.DictField())}),
                   description="Recent hand-over lists of the warehouses you work in, newest first.")
    def get(self, request):
        status = request.query_params.get("status") or None
        if status is not None and status not in HandoverStatus.values:
            raise ValidationFailed(details={"status": sorted(HandoverStatus.values)})
        return Response({"results": handover_lists(actor=Actor.of(request.user), status=status)})

    @extend_schema(operation_id="handover_lists_create",
                   request=inline_serializer("HandoverListIn", {"carrier": serializers.CharField(),
                                                                "warehouse": serializers.CharField()}),
                   responses={201: HANDOVER_OUT},
                   description="Open a hand-over list for one carrier's courier at one warehouse.")
    def post(self, request):
        data = _strings(request.data, "carrier", "warehouse", required=("carrier", "warehouse"))
        created = handover.open_handover_list(carrier_code=data["carrier"], warehouse_code=data["warehouse"],
                                              actor=Actor.of(request.user))
        return Response(_out(created.number), status=201)


class HandoverListView(APIView):
    required_permissions = {"GET": HAND_OVER}

    @extend_schema(operation_id="handover_lists_retrieve", responses=HANDOVER_OUT)
    def get(self, request, number: str):
        require_handover_scope(number, Actor.of(request.user))
        return Response(_out(number))


class HandoverPackagesView(APIView):
    required_permissions = {"POST": HAND_OVER}

    @extend_schema(operation_id="handover_lists_scan",
                   request=inline_serializer("HandoverScanIn", {
                       "code": serializers.CharField(help_text="Package number (or its tracking number)."),
                       "tracking_no": serializers.CharField(required=False, help_text=(
                           "The waybill number typed or scanned; leave out for carriers with electronic "
                           "waybills."))}),
                   responses={200: HANDOVER_OUT},
                   description="Put a packed parcel on the list with its tracking number (checked against the "
                               "carrier's format, unique per carrier: 422 invalid_tracking_number, 409 "
                               "duplicate_tracking_number). Scanning a parcel already on the list changes nothing.")
    def post(self, request, number: str):
        data = _strings(request.data, "code", "tracking_no", required=("code",))
        handover.scan_onto_list(list_number=number, code=data["code"], tracking_no=data.get("tracking_no", ""),
                                actor=Actor.of(request.user))
        return Response(_out(number))


class HandoverPackageView(APIView):
    required_permissions = {"DELETE": HAND_OVER}

    @extend_schema(operation_id="handover_lists_remove", responses={200: HANDOVER_OUT},
                   description="Take a parcel off an open list (scanned by mistake).")
    def delete(self, request, number: str, package: str):
        handover.remove_from_list(list_number=number, package_number=package, actor=Actor.of(request.user))
        return Response(_out(number))


class HandOverView(APIView):
    required_permissions = {"POST": HAND_OVER}

    @extend_schema(operation_id="handover_lists_hand_over",
                   request=inline_serializer("HandOverIn", {"courier_name": serializers.CharField(required=False)}),
                   responses={200: HANDOVER_OUT},
                   description="The courier has taken the parcels: every package on the list is shipped (stock "
                               "leaves the ledger, orders move to partially shipped / shipped, buyers are told the "
                               "carrier and tracking number).")
    def post(self, request, number: str):
        data = _strings(request.data if request.data else {}, "courier_name")
        handover.hand_over(list_number=number, courier_name=data.get("courier_name", ""),
                           actor=Actor.of(request.user))
        return Response(_out(number))


class HandoverPdfView(APIView):
    required_permissions = {"GET": HAND_OVER}

    @extend_schema(operation_id="handover_lists_pdf", responses={(200, "application/pdf"): bytes},
                   description="The hand-over list as an A4 PDF with counts and signature lines.")
    def get(self, request, number: str):
        require_handover_scope(number, Actor.of(request.user))
        response = HttpResponse(render_handover(handover_sheet(number)), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{number}.pdf"'
        return response
