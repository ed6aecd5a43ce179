"""Thin API views over orders: parse, call a service or selector, shape the answer."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import date

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from oms.accounts.actor import Actor, require
from oms.accounts.roles import CHECK_ENTRIES, ENTER_ORDERS, PUSH_ORDERS, VIEW_ARCHIVE, VIEW_ORDERS
from oms.channels.selectors import channel_lookup
from oms.core.errors import ValidationFailed
from oms.orders import entry, selectors
from oms.orders.intake.services import intake_order
from oms.orders.intake.validation import parse_intake
from oms.orders.serializers import (
    CommentIn,
    DraftIn,
    IntakeResultSerializer,
    NoteIn,
    OrderDetailSerializer,
    OrderIntakeIn,
    OrderSummarySerializer,
)
from oms.orders.status import OrderSource

MAX_PAGE_SIZE = 200


def idempotency_key(request) -> str | None:
    key = request.headers.get("Idempotency-Key", "").strip() or None
    if key and len(key) > 128:
        raise ValidationFailed(details={"Idempotency-Key": ["At most 128 characters."]})
    return key


def request_hash(request, key: str | None) -> str:
    return hashlib.sha256(request.body).hexdigest() if key else ""


def intake_response(result) -> Response:
    """201 for a new order, 200 for one already stored (with what the repeat applied)."""
    return Response(
        {"order_no": result.order.order_no, "status": result.order.status, "created": result.created,
         "applied": result.applied},
        status=201 if result.created else 200,
    )


def _date_param(request, name: str) -> date | None:
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed(details={name: ["Use YYYY-MM-DD."]}) from None


def filters_from(params, date_param) -> selectors.OrderFilters:
    return selectors.OrderFilters(
        status=params.get("status", "").strip(),
        channel=params.get("channel", "").strip(),
        date_from=date_param("date_from"),
        date_to=date_param("date_to"),
        order_no=params.get("order_no", "").strip(),
        external_id=params.get("external_id", "").strip(),
        phone=params.get("phone", "").strip(),
        recipient=params.get("recipient", "").strip(),
        entry_check=params.get("entry_check", "").strip(),
    )


def _int_param(request, name: str, default: int, maximum: int) -> int:
    raw = request.query_params.get(name, "")
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ValidationFailed(details={name: ["Must be a positive whole number."]})
    return min(int(raw), maximum)


LIST_PARAMS = [
    OpenApiParameter(n, str, description=d) for n, d in [
        ("status", "order status code"), ("channel", "channel code"),
        ("date_from", "placed on or after (YYYY-MM-DD, Asia/Shanghai)"), ("date_to", "placed on or before"),
        ("order_no", "order number or its beginning"), ("external_id", "the channel's order id"),
        ("phone", "customer or recipient phone, the full number (found through a keyed hash)"),
        ("recipient", "the recipient's full name (names are encrypted at rest: no partial match)"),
        ("entry_check", "awaiting / returned / confirmed"),
        ("archived", "1: include archived orders (needs the archive permission)"),
    ]
] + [OpenApiParameter("page", int), OpenApiParameter("page_size", int)]


class OrdersView(APIView):
    required_permissions = {"GET": VIEW_ORDERS, "POST": PUSH_ORDERS}

    @extend_schema(
        operation_id="orders_list",
        parameters=LIST_PARAMS,
        responses=inline_serializer("OrderPage", {
            "count": serializers.IntegerField(), "page": serializers.IntegerField(),
            "page_size": serializers.IntegerField(),
            "status_counts": serializers.DictField(child=serializers.IntegerField()),
            "results": OrderSummarySerializer(many=True),
        }),
    )
    def get(self, request):
        filters = filters_from(request.query_params, lambda n: _date_param(request, n))
        if request.query_params.get("archived", "") in ("1", "true"):
            # Archived orders too, for those who may see the archive.
            require(Actor.of(request.user), VIEW_ARCHIVE)
            filters = replace(filters, include_archived=True)
        page = _int_param(request, "page", 1, 10**6)
        size = _int_param(request, "page_size", 50, MAX_PAGE_SIZE)
        actor = Actor.of(request.user)
        qs = selectors.order_list(filters, actor)
        counts = selectors.status_counts(filters, actor)
        rows = qs[(page - 1) * size: page * size]
        return Response({
            "count": selectors.total_from_counts(counts, filters), "page": page, "page_size": size,
            "status_counts": counts,
            "results": OrderSummarySerializer(rows, many=True).data,
        })

    @extend_schema(
        operation_id="orders_push",
        request=OrderIntakeIn,
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False)],
        responses={201: IntakeResultSerializer, 200: IntakeResultSerializer},
        description="Push a channel's order. The same (channel, external_id) again returns the stored order "
        "(200) and applies payment or cancellation news; other changes are refused with 409.",
    )
    def post(self, request):
        command = parse_intake(request.data, channel_lookup=channel_lookup)
        key = idempotency_key(request)
        result = intake_order(
            command=command, actor=Actor.of(request.user), source=OrderSource.API,
            idempotency_key=key, request_hash=request_hash(request, key),
        )
        return intake_response(result)


class OrderDetailView(APIView):
    required_permissions = {"GET": VIEW_ORDERS}

    @extend_schema(operation_id="orders_retrieve", responses=OrderDetailSerializer)
    def get(self, request, order_no: str):
        return Response(OrderDetailSerializer(selectors.order_detail(order_no)).data)


def _draft_command(data):
    return parse_intake(
        {**data, "channel": data.get("channel") or "offline"} if isinstance(data, dict) else data,
        channel_lookup=channel_lookup, require_external_id=False, default_placed_at=timezone.now(),
    )


class DraftsView(APIView):
    required_permissions = {"GET": VIEW_ORDERS, "POST": ENTER_ORDERS}

    @extend_schema(operation_id="drafts_list", responses=OrderSummarySerializer(many=True))
    def get(self, request):
        drafts = selectors.drafts_awaiting_check(Actor.of(request.user))[:500]
        return Response(OrderSummarySerializer(drafts, many=True).data)

    @extend_schema(operation_id="drafts_create", request=DraftIn, responses={201: OrderDetailSerializer},
                   description="Enter an order by hand (channel defaults to offline). It stays a draft until "
                   "a second person confirms it.")
    def post(self, request):
        order = entry.enter_order(command=_draft_command(request.data), actor=Actor.of(request.user))
        return Response(OrderDetailSerializer(selectors.order_detail(order.order_no)).data, status=201)


class DraftView(APIView):
    required_permissions = {"PUT": ENTER_ORDERS}

    @extend_schema(operation_id="drafts_update", request=DraftIn, responses=OrderDetailSerializer)
    def put(self, request, order_no: str):
        entry.edit_draft(order_no=order_no, command=_draft_command(request.data), actor=Actor.of(request.user))
        return Response(OrderDetailSerializer(selectors.order_detail(order_no)).data)


def _text_field(request, name: str) -> str:
    value = request.data.get(name, "") if isinstance(request.data, dict) else ""
    return str(value or "")


class ConfirmEntryView(APIView):
    required_permissions = {"POST": CHECK_ENTRIES}

    @extend_schema(operation_id="drafts_confirm", request=NoteIn, responses=OrderDetailSerializer)
    def post(self, request, order_no: str):
        entry.confirm_entry(order_no=order_no, actor=Actor.of(request.user), note=_text_field(request, "note"))
        return Response(OrderDetailSerializer(selectors.order_detail(order_no)).data)


class ReturnEntryView(APIView):
    required_permissions = {"POST": CHECK_ENTRIES}

    @extend_schema(operation_id="drafts_return", request=CommentIn, responses=OrderDetailSerializer)
    def post(self, request, order_no: str):
        comment = _text_field(request, "comment")
        entry.return_entry(order_no=order_no, actor=Actor.of(request.user), comment=comment)
        return Response(OrderDetailSerializer(selectors.order_detail(order_no)).data)
