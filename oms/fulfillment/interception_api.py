"""Interceptions through the API: the warehouse's queue, confirming one, reporting one too late."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from oms.accounts.actor import Actor
from oms.accounts.roles import RESOLVE_INTERCEPTIONS, VIEW_ORDERS
from oms.core.api_input import text_field
from oms.core.errors import ValidationFailed
from oms.fulfillment.interception import confirm_interception, report_too_late
from oms.fulfillment.interception_selectors import as_data, interceptions
from oms.fulfillment.models import Interception, InterceptionStatus

PAGE = 200

class InterceptionOut(serializers.Serializer):
    """The schema of one interception (as_data)."""

    id = serializers.IntegerField()
    order_no = serializers.CharField()
    package = serializers.CharField()
    package_status = serializers.CharField()
    warehouse = serializers.CharField()
    status = serializers.ChoiceField(choices=InterceptionStatus.values)
    reason = serializers.CharField()
    note = serializers.CharField()
    via = serializers.CharField()
    requested_at = serializers.DateTimeField()
    requested_by = serializers.CharField()
    resolved_at = serializers.DateTimeField(allow_null=True)
    resolved_by = serializers.CharField(allow_null=True)
    pick_list = serializers.CharField(allow_null=True)
    handover_list = serializers.CharField(allow_null=True)
    bins = serializers.ListField(child=serializers.DictField())

    class Meta:
        ref_name = "Interception"


def interception_out(**kwargs) -> InterceptionOut:
    """A fresh schema field for one interception; `many=True` for a list."""
    return InterceptionOut(**kwargs)


RESOLUTION_OUT = inline_serializer("InterceptionResolution", {
    "interception": interception_out(), "changed": serializers.BooleanField(),
    "order_cancelled": serializers.BooleanField(), "returned_to_bins": serializers.ListField(
        child=serializers.DictField()),
})
NOTE_IN = inline_serializer("InterceptionNoteIn", {"note": serializers.CharField(required=False)})


def _body(request) -> dict:
    data = request.data if request.data else {}
    if not isinstance(data, dict):
        raise ValidationFailed(_("The request body must be a JSON object."))
    return data


def _resolution(outcome) -> Response:
    item = Interception.objects.select_related(
        "order", "package__warehouse", "package__pick_list", "package__handover_list", "requested_by",
        "resolved_by").get(pk=outcome.interception.pk)
    return Response({"interception": as_data([item])[0], "changed": outcome.changed,
                     "order_cancelled": outcome.order_cancelled, "returned_to_bins": outcome.returns})


class InterceptionsView(APIView):
    required_permissions = {"GET": VIEW_ORDERS}

    @extend_schema(operation_id="interceptions_list",
                   parameters=[OpenApiParameter("status", str, enum=[*InterceptionStatus.values, "all"],
                                                description="default: requested (the open ones)"),
                               OpenApiParameter("warehouse", str, description="warehouse code")],
                   responses=inline_serializer("Interceptions", {"count": serializers.IntegerField(),
                                                                 "results": interception_out(many=True)}),
                   description="Interception requests, oldest first, within the caller's warehouses "
                               f"(at most {PAGE}).")
    def get(self, request):
        status = request.query_params.get("status", InterceptionStatus.REQUESTED)
        if status not in (*InterceptionStatus.values, "all"):
            raise ValidationFailed(details={"status": [*InterceptionStatus.values, "all"]})
        query = interceptions(actor=Actor.of(request.user), status="" if status == "all" else status,
                              warehouse=request.query_params.get("warehouse", ""))
        items = list(query[:PAGE])
        return Response({"count": query.count(), "results": as_data(items)})


class ConfirmInterceptionView(APIView):
    required_permissions = {"POST": RESOLVE_INTERCEPTIONS}

    @extend_schema(operation_id="interceptions_confirm", request=NOTE_IN, responses=RESOLUTION_OUT,
                   description="The parcel was stopped: its units go back to their bins (returned_to_bins), the "
                               "package is cancelled and its reservations released; when no interception of the "
                               "order is left open, the order is cancelled (with a refund if it was paid). "
                               "409 package_already_left when the parcel has been handed over.")
    def post(self, request, interception_id: str):
        outcome = confirm_interception(interception_id=interception_id, actor=Actor.of(request.user),
                                       note=text_field(_body(request), "note"))
        return _resolution(outcome)


class TooLateInterceptionView(APIView):
    required_permissions = {"POST": RESOLVE_INTERCEPTIONS}

    @extend_schema(operation_id="interceptions_too_late", request=NOTE_IN, responses=RESOLUTION_OUT,
                   description="The parcel had already left: the order stays; customer service continues with "
                               "after-sales (return and refund, or refund only).")
    def post(self, request, interception_id: str):
        outcome = report_too_late(interception_id=interception_id, actor=Actor.of(request.user),
                                  note=text_field(_body(request), "note"))
        return _resolution(outcome)
