"""After-sales API: requests (JSON or multipart with photos), review, withdraw, receiving, exchange, photos."""

from __future__ import annotations

import json
import re

from django.http import FileResponse, QueryDict
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from oms.accounts.actor import Actor, channel_scope, warehouse_scope
from oms.accounts.roles import (
    INTEGRATION,
    RECEIVE_RETURNS,
    RECORD_PAYMENT,
    REQUEST_AFTER_SALES,
    REVIEW_AFTER_SALES,
    VIEW_ORDERS,
)
from oms.aftersales import exchange, photos, receiving, requests, selectors
from oms.aftersales.errors import PhotoNotFound
from oms.aftersales.status import RequestKind, RequestStatus
from oms.core.api_input import text_field
from oms.core.errors import ValidationFailed

MAX_PAGE_SIZE = 200

REQUEST_OUT = inline_serializer("AfterSalesRequest", {
    "number": serializers.CharField(), "order_no": serializers.CharField(),
    "kind": serializers.ChoiceField(choices=RequestKind.choices), "reason": serializers.CharField(),
    "description": serializers.CharField(), "status": serializers.ChoiceField(choices=RequestStatus.choices),
    "ineligible": serializers.ListField(child=serializers.DictField()),
    "override_reason": serializers.CharField(), "override_by": serializers.CharField(allow_null=True),
    "via": serializers.CharField(), "reject_reason": serializers.CharField(),
    "return_warehouse": serializers.CharField(allow_null=True), "return_tracking_no": serializers.CharField(),
    "return_carrier": serializers.CharField(), "created_at": serializers.DateTimeField(),
    "reviewed_at": serializers.DateTimeField(allow_null=True),
    "received_at": serializers.DateTimeField(allow_null=True),
    "completed_at": serializers.DateTimeField(allow_null=True),
    "replacement_package": serializers.CharField(allow_null=True), "difference_due": serializers.CharField(),
    "difference_collected_at": serializers.DateTimeField(allow_null=True),
    "lines": serializers.ListField(child=serializers.DictField()),
    "refunds": serializers.ListField(child=serializers.DictField()),
    "photos": serializers.ListField(child=serializers.DictField()),
})


def body(request, *, list_fields: tuple[str, ...] = ()) -> dict:
    """The body as a dict: a JSON object, or multipart fields (list fields sent as JSON text)."""
    data = request.data
    if isinstance(data, QueryDict):
        out = {k: data.get(k) for k in data.keys() if k != "photos"}
        for name in list_fields:
            if isinstance(out.get(name), str):
                try:
                    out[name] = json.loads(out[name])
                except ValueError:
                    raise ValidationFailed(details={name: [_("JSON text of a list.")]}) from None
        return out
    if not isinstance(data, dict):
        raise ValidationFailed(_("The request body must be a JSON object."))
    return data


def uploads(request) -> list:
    return request.FILES.getlist("photos") if hasattr(request, "FILES") else []


def _data(number: str) -> dict:
    return selectors.request_data(selectors.get_request(number))


class AfterSalesView(APIView):
    required_permissions = {"GET": VIEW_ORDERS, "POST": REQUEST_AFTER_SALES}

    @extend_schema(operation_id="after_sales_list",
                   parameters=[OpenApiParameter("status", str, enum=RequestStatus.values),
                               OpenApiParameter("kind", str, enum=RequestKind.values),
                               OpenApiParameter("order_no", str), OpenApiParameter("limit", int)],
                   responses=inline_serializer("AfterSalesList", {
                       "count": serializers.IntegerField(), "results": serializers.ListField(child=REQUEST_OUT)}),
                   description="After-sales requests, oldest first; a warehouse user sees the requests returning "
                               "to their warehouses.")
    def get(self, request):
        params = request.query_params
        status, kind = params.get("status", ""), params.get("kind", "")
        if status and status not in RequestStatus.values:
            raise ValidationFailed(details={"status": [", ".join(RequestStatus.values)]})
        if kind and kind not in RequestKind.values:
            raise ValidationFailed(details={"kind": [", ".join(RequestKind.values)]})
        limit = params.get("limit", "100")
        if not re.fullmatch(r"[0-9]+", limit) or not 1 <= int(limit) <= MAX_PAGE_SIZE:  # "²".isdigit() is True
            raise ValidationFailed(details={"limit": [_("A whole number from 1 to %(max)s.") % {
                "max": MAX_PAGE_SIZE}]})
        actor = Actor.of(request.user)
        scope = warehouse_scope(actor) if not actor.has(REVIEW_AFTER_SALES) else None
        qs = selectors.queue(selectors.QueueFilters(status=status, kind=kind, order_no=params.get("order_no", ""),
                                                    warehouse_ids=scope, channel_ids=channel_scope(actor)))
        return Response({"count": qs.count(),
                         "results": [selectors.request_data(r) for r in qs[:int(limit)]]})

    @extend_schema(operation_id="after_sales_create",
                   request=inline_serializer("AfterSalesIn", {
                       "order_no": serializers.CharField(),
                       "kind": serializers.ChoiceField(choices=RequestKind.choices),
                       "reason": serializers.CharField(), "description": serializers.CharField(required=False),
                       "lines": serializers.ListField(child=serializers.DictField()),
                       "override_reason": serializers.CharField(required=False)}),
                   responses={201: REQUEST_OUT},
                   description="Open an after-sales request: kind return_refund, refund_only or exchange; lines "
                               "[{line_no, quantity, exchange_sku?, exchange_unit_price?}]; reason quality, "
                               "wrong_item, damaged_in_transit, not_as_described, no_reason, not_received or "
                               "other. Multipart is accepted too: the same fields (lines as JSON text) and up to "
                               "OMS_AFTER_SALES_MAX_PHOTOS images in `photos`. Outside the rules the answer is 422 "
                               "after_sales_not_eligible listing the findings, unless a supervisor sends "
                               "override_reason.")
    def post(self, request):
        data = body(request, list_fields=("lines",))
        actor = Actor.of(request.user)
        created = requests.submit_request(
            order_no=text_field(data, "order_no", required=True).strip(), kind=text_field(data, "kind"),
            reason=text_field(data, "reason"), lines=requests.parse_lines(data.get("lines")), actor=actor,
            description=text_field(data, "description"), photos=uploads(request),
            override_reason=text_field(data, "override_reason"),
            via=requests.Via.CHANNEL if INTEGRATION in actor.roles else requests.Via.API)
        return Response(_data(created.number), status=201)


class AfterSalesDetailView(APIView):
    required_permissions = {"GET": VIEW_ORDERS}

    @extend_schema(operation_id="after_sales_retrieve", responses=REQUEST_OUT,
                   description="One after-sales request with its lines, inspections, refunds and photos.")
    def get(self, request, number: str):
        return Response(_data(number))


class _ActionView(APIView):
    list_fields: tuple[str, ...] = ()

    def act(self, request, data: dict, number: str, actor: Actor):
        raise NotImplementedError

    def post(self, request, number: str):
        self.act(request, body(request, list_fields=self.list_fields), number, Actor.of(request.user))
        return Response(_data(number))


class ApproveView(_ActionView):
    required_permissions = {"POST": REVIEW_AFTER_SALES}

    @extend_schema(operation_id="after_sales_approve", responses=REQUEST_OUT,
                   request=inline_serializer("AfterSalesApproveIn", {
                       "return_warehouse": serializers.CharField(required=False),
                       "override_reason": serializers.CharField(required=False),
                       "note": serializers.CharField(required=False)}),
                   description="Approve. Returns and exchanges: the buyer is sent the receiving warehouse's "
                               "address (the warehouse that shipped by default) and the request number. "
                               "Refund-only: the refund is raised at once and the request completes.")
    def post(self, request, number: str):
        return super().post(request, number)

    def act(self, request, data, number, actor):
        requests.approve_request(number=number, actor=actor,
                                 return_warehouse=text_field(data, "return_warehouse").strip(),
                                 override_reason=text_field(data, "override_reason"), note=text_field(data, "note"))


class RejectView(_ActionView):
    required_permissions = {"POST": REVIEW_AFTER_SALES}

    @extend_schema(operation_id="after_sales_reject", responses=REQUEST_OUT,
                   request=inline_serializer("AfterSalesRejectIn", {"reason": serializers.CharField()}),
                   description="Reject with a reason; the buyer is told it.")
    def post(self, request, number: str):
        return super().post(request, number)

    def act(self, request, data, number, actor):
        requests.reject_request(number=number, actor=actor, reason=text_field(data, "reason", required=True))


class WithdrawView(_ActionView):
    required_permissions = {"POST": REQUEST_AFTER_SALES}

    @extend_schema(operation_id="after_sales_withdraw", responses=REQUEST_OUT,
                   request=inline_serializer("AfterSalesWithdrawIn", {"note": serializers.CharField(required=False)}),
                   description="The buyer withdraws the request (before the parcel is received).")
    def post(self, request, number: str):
        return super().post(request, number)

    def act(self, request, data, number, actor):
        requests.withdraw_request(number=number, actor=actor, note=text_field(data, "note"))


class ReceiveView(_ActionView):
    required_permissions = {"POST": RECEIVE_RETURNS}
    list_fields = ("lines",)

    @extend_schema(operation_id="after_sales_receive", responses=REQUEST_OUT,
                   request=inline_serializer("AfterSalesReceiveIn", {
                       "lines": serializers.ListField(child=serializers.DictField()),
                       "tracking_no": serializers.CharField(required=False),
                       "carrier": serializers.CharField(required=False),
                       "note": serializers.CharField(required=False)}),
                   description="Record the inspection of the returned parcel: lines [{line_no, condition "
                               "(resellable, damaged, wrong_item, missing), quantity, note?}] accounting for "
                               "every requested unit. Resellable units go back on hand, damaged ones to "
                               "quarantine; a return raises its refund, an exchange sends its replacement. "
                               "Multipart accepted, with inspection photos in `photos`.")
    def post(self, request, number: str):
        return super().post(request, number)

    def act(self, request, data, number, actor):
        receiving.receive_parcel(number=number, actor=actor, inspections=receiving.parse_inspections(
            data.get("lines")), tracking_no=text_field(data, "tracking_no"), carrier=text_field(data, "carrier"),
            note=text_field(data, "note"), photos=uploads(request))


class SendReplacementView(_ActionView):
    required_permissions = {"POST": REVIEW_AFTER_SALES}

    @extend_schema(operation_id="after_sales_send_replacement", responses=REQUEST_OUT,
                   request=inline_serializer("AfterSalesReplacementIn", {
                       "warehouse": serializers.CharField(required=False),
                       "note": serializers.CharField(required=False)}),
                   description="Send an inspected exchange's replacement once stock is in (optionally from "
                               "another warehouse); 409 exchange_out_of_stock while it is not.")
    def post(self, request, number: str):
        return super().post(request, number)

    def act(self, request, data, number, actor):
        exchange.send_replacement(number=number, actor=actor, warehouse=text_field(data, "warehouse").strip(),
                                  note=text_field(data, "note"))


class CollectDifferenceView(_ActionView):
    required_permissions = {"POST": RECORD_PAYMENT}

    @extend_schema(operation_id="after_sales_collect_difference", responses=REQUEST_OUT,
                   request=inline_serializer("AfterSalesDifferenceIn", {
                       "reference": serializers.CharField(), "note": serializers.CharField(required=False)}),
                   description="Record that the buyer paid a dearer exchange's price difference (payment "
                               "reference); the replacement then goes out if stock allows.")
    def post(self, request, number: str):
        return super().post(request, number)

    def act(self, request, data, number, actor):
        exchange.collect_difference(number=number, actor=actor, reference=text_field(data, "reference"),
                                    note=text_field(data, "note"))


class PhotosView(APIView):
    required_permissions = {"POST": REQUEST_AFTER_SALES}

    @extend_schema(operation_id="after_sales_photos_add", request={"multipart/form-data": inline_serializer(
        "AfterSalesPhotosIn", {"photos": serializers.ListField(child=serializers.FileField())})},
        responses={201: REQUEST_OUT},
        description="Add the buyer's photos (multipart, field `photos`; JPEG, PNG, GIF or WebP within the "
                    "size and count limits).")
    def post(self, request, number: str):
        photos.add_photos(number=number, uploads=uploads(request), actor=Actor.of(request.user))
        return Response(_data(number), status=201)


class PhotoView(APIView):
    required_permissions = {"GET": VIEW_ORDERS}

    @extend_schema(operation_id="after_sales_photo", responses={(200, "image/*"): bytes},
                   description="One photo of the request (people who may see orders only).")
    def get(self, request, number: str, photo_id: str):
        found = photos.photo(number=number, photo_id=photo_id, actor=Actor.of(request.user))
        try:
            handle = found.file.open("rb")
        except OSError:  # the row outlived its file (restored database, cleaned media folder)
            raise PhotoNotFound(details={"number": number, "photo": photo_id}) from None
        response = FileResponse(handle, content_type=found.content_type)
        response["Content-Disposition"] = f'inline; filename="{found.file.name.rsplit("/", 1)[-1]}"'
        response["X-Content-Type-Options"] = "nosniff"
        return response
