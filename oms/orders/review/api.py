"""Review through the API: the held queue, rule settings, coupons, block list and every review action."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db.models import Count
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from oms.accounts.actor import Actor
from oms.accounts.roles import (
    CANCEL_ORDERS,
    INTEGRATION,
    MANAGE_REVIEW_RULES,
    OVERRIDE_REVIEW,
    RECORD_PAYMENT,
    REVIEW_ORDERS,
    VIEW_ORDERS,
)
from oms.core.api_input import json_object, text_field
from oms.core.errors import ValidationFailed
from oms.fulfillment.interception_api import interception_out
from oms.orders import selectors
from oms.orders.cancellation import cancel_order
from oms.orders.models import Order
from oms.orders.personal_data import mask_name
from oms.orders.review import corrections, lists, settings
from oms.orders.review.messages import describe, reason_title
from oms.orders.review.models import BlockKind, BlockListEntry, Coupon, OrderHold
from oms.orders.review.rules import RULES
from oms.orders.review.services import approve_anyway, review_order
from oms.orders.serializers import MoneyString, OrderDetailSerializer
from oms.orders.status import OrderStatus

QUEUE_PAGE = 100
CANCEL_VIA = ("api", "channel", "buyer")  # who asked, for the timeline: staff's tool, the channel, the buyer




def _detail(order_no: str) -> Response:
    return Response(OrderDetailSerializer(selectors.order_detail(order_no)).data)


NOTE_IN = inline_serializer("ReviewNoteIn", {"note": serializers.CharField(required=False)})
REASON_IN = inline_serializer("OverrideIn", {"reason": serializers.CharField()})


class ReviewQueueView(APIView):
    required_permissions = {"GET": VIEW_ORDERS}

    @extend_schema(
        operation_id="review_queue",
        parameters=[OpenApiParameter("reason", str, description="only orders held for this rule code"),
                    OpenApiParameter("channel", str)],
        responses=inline_serializer("ReviewQueue", {
            "reasons": serializers.ListField(child=serializers.DictField()),
            "results": serializers.ListField(child=serializers.DictField()),
        }),
        description="Orders on hold, counted per reason, and the oldest held orders (for one reason if given).",
    )
    def get(self, request):
        holds = OrderHold.objects.filter(cleared_at__isnull=True, order__status=OrderStatus.ON_HOLD)
        channel = request.query_params.get("channel", "").strip()
        if channel:
            holds = holds.filter(order__channel__code=channel)
        counts = dict(holds.values_list("code").annotate(n=Count("order_id", distinct=True)).order_by())
        reason = request.query_params.get("reason", "").strip()
        if reason:
            holds = holds.filter(code=reason)
        orders = (
            Order.objects.filter(pk__in=holds.values("order_id")).select_related("channel")
            .order_by("placed_at", "id")[:QUEUE_PAGE]
        )
        open_holds: dict[int, list] = {}
        for h in OrderHold.objects.filter(order__in=list(orders), cleared_at__isnull=True).order_by("id"):
            open_holds.setdefault(h.order_id, []).append(h)
        return Response({
            "reasons": [{"code": code, "title": reason_title(code), "orders": counts.get(code, 0)}
                        for code in RULES if counts.get(code)],
            "results": [{
                "order_no": o.order_no, "channel": o.channel.code, "placed_at": o.placed_at,
                "recipient": mask_name(o.ship_name), "payable_amount": f"{o.payable_amount:.2f}",
                "hold_reasons": [{"code": h.code, "message": describe(h.code, h.details), "held_at": h.created_at}
                                 for h in open_holds.get(o.pk, [])],
            } for o in orders],
        })


class ReviewOrderView(APIView):
    required_permissions = {"POST": REVIEW_ORDERS}

    @extend_schema(operation_id="orders_review", request=None, responses=OrderDetailSerializer,
                   description="Run the review again now (after a fix made elsewhere).")
    def post(self, request, order_no: str):
        review_order(order_no=order_no, actor=Actor.of(request.user), trigger="manual")
        return _detail(order_no)


class ApproveAnywayView(APIView):
    required_permissions = {"POST": OVERRIDE_REVIEW}

    @extend_schema(operation_id="orders_approve_anyway", request=REASON_IN, responses=OrderDetailSerializer,
                   description="Approve a held order despite its reasons; the reason is recorded. Not possible "
                   "for missing stock or unknown SKUs.")
    def post(self, request, order_no: str):
        approve_anyway(order_no=order_no, actor=Actor.of(request.user),
                       reason=text_field(json_object(request), "reason"))
        return _detail(order_no)


class CorrectOrderView(APIView):
    required_permissions = {"POST": REVIEW_ORDERS}

    @extend_schema(
        operation_id="orders_correct",
        request=inline_serializer("CorrectionIn", {
            **{f: serializers.CharField(required=False) for f in corrections.CORRECTABLE_FIELDS},
            "note": serializers.CharField(required=False),
        }),
        responses=OrderDetailSerializer,
        description="Correct the recipient, address or phones of an order not yet approved; it is reviewed again.",
    )
    def post(self, request, order_no: str):
        data = json_object(request)
        changes = {k: text_field(data, k) for k in data if k != "note"}
        corrections.correct_order(order_no=order_no, actor=Actor.of(request.user), changes=changes,
                                  note=text_field(data, "note"))
        return _detail(order_no)


class SwapSkuView(APIView):
    required_permissions = {"POST": REVIEW_ORDERS}

    @extend_schema(operation_id="orders_swap_line_sku",
                   request=inline_serializer("SwapSkuIn", {"sku": serializers.CharField(),
                                                           "note": serializers.CharField(required=False)}),
                   responses=OrderDetailSerializer)
    def post(self, request, order_no: str, line_no: int):
        data = json_object(request)
        corrections.swap_line_sku(order_no=order_no, line_no=line_no, sku_code=text_field(data, "sku", required=True),
                                  actor=Actor.of(request.user), note=text_field(data, "note"))
        return _detail(order_no)


class AcknowledgeRemarkView(APIView):
    required_permissions = {"POST": REVIEW_ORDERS}

    @extend_schema(operation_id="orders_acknowledge_remark", request=NOTE_IN, responses=OrderDetailSerializer,
                   description="The buyer's remark has been read and handled; it no longer holds the order.")
    def post(self, request, order_no: str):
        corrections.acknowledge_remark(order_no=order_no, actor=Actor.of(request.user),
                                       note=text_field(json_object(request), "note"))
        return _detail(order_no)


def _amount(data: dict) -> Decimal:
    raw = data.get("amount")
    try:
        if isinstance(raw, bool) or raw is None or isinstance(raw, float):
            raise InvalidOperation
        return Decimal(str(raw))
    except (InvalidOperation, ValueError):
        raise ValidationFailed(details={"amount": [_("A decimal string such as \"59.00\".")]}) from None


def _moment(data: dict, name: str) -> datetime | None:
    raw = text_field(data, name)
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed(details={name: [_("An ISO 8601 time with offset.")]}) from None
    if value.tzinfo is None:
        raise ValidationFailed(details={name: [_("An ISO 8601 time with offset.")]})
    return value


class RecordPaymentView(APIView):
    required_permissions = {"POST": RECORD_PAYMENT}

    @extend_schema(operation_id="orders_record_payment",
                   request=inline_serializer("PaymentRecordIn", {
                       "method": serializers.CharField(), "amount": serializers.CharField(),
                       "transaction_id": serializers.CharField(required=False),
                       "paid_at": serializers.DateTimeField(required=False)}),
                   responses=OrderDetailSerializer,
                   description="Record the payment of an unpaid order; it then goes through review.")
    def post(self, request, order_no: str):
        data = json_object(request)
        corrections.record_payment(order_no=order_no, actor=Actor.of(request.user),
                                   method=text_field(data, "method", required=True), amount=_amount(data),
                                   transaction_id=text_field(data, "transaction_id"), paid_at=_moment(data, "paid_at"))
        return _detail(order_no)


class CancelOrderView(APIView):
    required_permissions = {"POST": CANCEL_ORDERS}

    @extend_schema(operation_id="orders_cancel",
                   request=inline_serializer("CancelIn", {"reason": serializers.CharField(),
                                                          "note": serializers.CharField(required=False),
                                                          "via": serializers.ChoiceField(
                                                              choices=list(CANCEL_VIA), required=False)}),
                   responses={200: OrderDetailSerializer, 202: inline_serializer("CancelInterception", {
                       "result": serializers.CharField(), "order": OrderDetailSerializer(),
                       "interceptions": interception_out(many=True)})},
                   description="Cancel an order that has not shipped (200, the order): reservations are released "
                               "and a refund is raised when it was paid. When picking has started the warehouse is "
                               "asked to intercept the parcels instead (202, result=interception_requested; asking "
                               "again returns the open interceptions). A parcel that left answers 409 "
                               "already_shipped: use after-sales. Integration clients cancel for the buyer only "
                               "(reason buyer_request) and only orders of their channels.")
    def post(self, request, order_no: str):
        from oms.fulfillment.interception_selectors import as_data

        data = json_object(request)
        actor = Actor.of(request.user)
        via = text_field(data, "via") or ("channel" if INTEGRATION in actor.roles else "api")
        if via not in CANCEL_VIA:
            raise ValidationFailed(details={"via": list(CANCEL_VIA)})
        outcome = cancel_order(order_no=order_no, actor=actor, reason=text_field(data, "reason", required=True),
                               note=text_field(data, "note"), via=via)
        if outcome.cancelled:
            return _detail(order_no)
        return Response({"result": "interception_requested",
                         "order": OrderDetailSerializer(selectors.order_detail(order_no)).data,
                         "interceptions": as_data(outcome.interceptions)}, status=202)


RULE_OUT = inline_serializer("ReviewRule", {
    "code": serializers.CharField(), "title": serializers.CharField(), "description": serializers.CharField(),
    "enabled": serializers.BooleanField(), "params": serializers.DictField(),
    "defaults": serializers.DictField(),
})


class ReviewRulesView(APIView):
    required_permissions = {"GET": REVIEW_ORDERS}

    @extend_schema(operation_id="review_rules_list", responses=RULE_OUT)
    def get(self, request):
        return Response(settings.rules_with_settings())


class ReviewRuleView(APIView):
    required_permissions = {"GET": REVIEW_ORDERS, "PUT": MANAGE_REVIEW_RULES}

    @extend_schema(operation_id="review_rules_retrieve", responses=RULE_OUT)
    def get(self, request, code: str):
        return Response(settings.rule_with_settings(code))

    @extend_schema(operation_id="review_rules_update",
                   request=inline_serializer("ReviewRuleIn", {"enabled": serializers.BooleanField(required=False),
                                                              "params": serializers.DictField(required=False)}),
                   responses=RULE_OUT,
                   description="Switch a rule on or off and set its parameters (only the ones given change).")
    def put(self, request, code: str):
        data = json_object(request)
        enabled = data.get("enabled")
        if enabled is not None and not isinstance(enabled, bool):
            raise ValidationFailed(details={"enabled": [_("Must be true or false.")]})
        params = data.get("params", {})
        if not isinstance(params, dict):
            raise ValidationFailed(details={"params": [_("Must be an object.")]})
        settings.update_rule(code=code, actor=Actor.of(request.user), enabled=enabled, params=params)
        return Response(settings.rule_with_settings(code))


# --- coupons and block list -------------------------------------------------------------------------

LIST_PAGE_MAX = 200


class CouponSerializer(serializers.ModelSerializer):
    channel = serializers.CharField(source="channel.code", default=None, allow_null=True,
                                    help_text="channel code; null: valid on every channel")
    amount = MoneyString()
    min_spend = MoneyString()

    class Meta:
        model = Coupon
        fields = ["id", "code", "name", "channel", "amount", "min_spend", "valid_from", "valid_until", "max_uses",
                  "used_count", "active", "created_at", "updated_at"]


@extend_schema_field({"type": "string", "pattern": f"^({'|'.join(BlockKind.values)})$", "example": "phone",
                      "description": "phone or address"})
class BlockKindField(serializers.ChoiceField):
    """A block-list kind; a pattern rather than an enum, whose name "kind" other components took already."""

    def __init__(self, **kwargs):
        super().__init__(choices=BlockKind.choices, **kwargs)


class BlockListEntrySerializer(serializers.ModelSerializer):
    kind = BlockKindField()
    created_by = serializers.CharField(source="created_by.username", default=None, allow_null=True)

    class Meta:
        model = BlockListEntry
        fields = ["id", "kind", "value", "reason", "active", "created_by", "created_at", "updated_at"]


class CouponChangeIn(serializers.Serializer):
    """Documentation of PATCH input; every field is optional, the code cannot change."""

    name = serializers.CharField(required=False, allow_blank=True)
    channel = serializers.CharField(required=False, allow_null=True, allow_blank=True,
                                    help_text="channel code; null or empty: every channel")
    amount = MoneyString(required=False)
    min_spend = MoneyString(required=False)
    valid_from = serializers.DateTimeField(required=False, allow_null=True)
    valid_until = serializers.DateTimeField(required=False, allow_null=True)
    max_uses = serializers.IntegerField(required=False, allow_null=True, min_value=0, help_text="null: no limit")
    active = serializers.BooleanField(required=False)


class CouponIn(CouponChangeIn):
    code = serializers.CharField()
    amount = MoneyString()


class BlockListEntryChangeIn(serializers.Serializer):
    kind = BlockKindField(required=False)
    value = serializers.CharField(required=False, help_text="a phone number (stored as digits) or a piece of address")
    reason = serializers.CharField(required=False)
    active = serializers.BooleanField(required=False)


class BlockListEntryIn(BlockListEntryChangeIn):
    kind = BlockKindField()
    value = serializers.CharField(help_text="a phone number (stored as digits) or a piece of address")
    reason = serializers.CharField()


def _page_param(request, name: str, default: int, maximum: int) -> int:
    raw = request.query_params.get(name, "")
    if not raw:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= maximum:
        raise ValidationFailed(details={name: [_("Must be a whole number from 1 to %(max)d.") % {"max": maximum}]})
    return int(raw)


def _active_param(request) -> bool | None:
    raw = request.query_params.get("active", "")
    if raw not in ("", "true", "false"):
        raise ValidationFailed(details={"active": [_("Must be true or false.")]})
    return None if raw == "" else raw == "true"


def _paged(request, qs, serializer) -> Response:
    page = _page_param(request, "page", 1, 10**6)
    size = _page_param(request, "page_size", 50, LIST_PAGE_MAX)
    return Response({"count": qs.count(), "page": page, "page_size": size,
                     "results": serializer(qs[(page - 1) * size: page * size], many=True).data})


def _time_in(value):
    """An ISO 8601 string as a datetime; anything else is passed on for the service to name."""
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            pass
    return value


def _coupon_changes(data: dict) -> dict:
    """The coupon fields present in the body, as the service takes them (its checks name bad ones)."""
    changes = {k: data[k] for k in ("name", "amount", "min_spend", "max_uses", "active") if k in data}
    if "channel" in data:
        changes["channel"] = data["channel"] if data["channel"] is not None else ""
    for name in ("valid_from", "valid_until"):
        if name in data:
            changes[name] = _time_in(data[name])
    return changes


def _page_params(*extra: OpenApiParameter) -> list[OpenApiParameter]:
    return [OpenApiParameter("q", str), *extra, OpenApiParameter("active", bool),
            OpenApiParameter("page", int), OpenApiParameter("page_size", int)]


def _page_of(name: str, item) -> serializers.Serializer:
    return inline_serializer(name, {"count": serializers.IntegerField(), "page": serializers.IntegerField(),
                                    "page_size": serializers.IntegerField(), "results": item(many=True)})


class CouponsView(APIView):
    required_permissions = {"GET": REVIEW_ORDERS, "POST": MANAGE_REVIEW_RULES}

    @extend_schema(operation_id="review_coupons_list", parameters=_page_params(),
                   responses=_page_of("CouponPage", CouponSerializer),
                   description="Our coupons, active ones first; q matches the code or the name.")
    def get(self, request):
        qs = lists.find_coupons(q=request.query_params.get("q", ""), active=_active_param(request))
        return _paged(request, qs, CouponSerializer)

    @extend_schema(operation_id="review_coupons_create", request=CouponIn, responses={201: CouponSerializer},
                   description="Add a coupon. Every bad field is named in the error's details.")
    def post(self, request):
        data = json_object(request)
        changes = _coupon_changes(data)
        values = lists.CouponFields(**{"amount": None, **changes})
        coupon = lists.create_coupon(code=data.get("code", ""), values=values, actor=Actor.of(request.user))
        return Response(CouponSerializer(coupon).data, status=201)


class CouponView(APIView):
    required_permissions = {"GET": REVIEW_ORDERS, "PATCH": MANAGE_REVIEW_RULES}

    @extend_schema(operation_id="review_coupons_retrieve", responses=CouponSerializer)
    def get(self, request, coupon_id: int):
        return Response(CouponSerializer(lists.get_coupon(coupon_id)).data)

    @extend_schema(operation_id="review_coupons_update", request=CouponChangeIn, responses=CouponSerializer,
                   description="Change some of a coupon's fields; the use limit may not go below its uses, and "
                   "the code cannot change.")
    def patch(self, request, coupon_id: int):
        data = json_object(request)
        if "code" in data and data["code"] != lists.get_coupon(coupon_id).code:
            raise ValidationFailed(details={"code": [_("A coupon's code cannot be changed.")]})
        coupon = lists.update_coupon(coupon_id=coupon_id, changes=_coupon_changes(data), actor=Actor.of(request.user))
        return Response(CouponSerializer(coupon).data)


class BlockListView(APIView):
    required_permissions = {"GET": REVIEW_ORDERS, "POST": MANAGE_REVIEW_RULES}

    @extend_schema(operation_id="review_blocklist_list",
                   parameters=_page_params(OpenApiParameter("kind", str, description="phone or address")),
                   responses=_page_of("BlockListPage", BlockListEntrySerializer),
                   description="Phone numbers and addresses review holds orders for, active ones first; q matches "
                   "the value or the reason, and phone numbers whatever their punctuation.")
    def get(self, request):
        kind = request.query_params.get("kind", "")
        if kind and kind not in BlockKind.values:
            raise ValidationFailed(details={"kind": [_("Choose one of %(values)s.")
                                                     % {"values": ", ".join(BlockKind.values)}]})
        qs = lists.find_block_entries(q=request.query_params.get("q", ""), kind=kind, active=_active_param(request))
        return _paged(request, qs, BlockListEntrySerializer)

    @extend_schema(operation_id="review_blocklist_create", request=BlockListEntryIn,
                   responses={201: BlockListEntrySerializer},
                   description="Put a phone number or a piece of address on the block list; the same one twice "
                   "is refused (already_listed).")
    def post(self, request):
        data = json_object(request)
        values = lists.BlockEntryFields(kind=data.get("kind", ""), value=data.get("value", ""),
                                        reason=data.get("reason", ""), active=data.get("active", True))
        entry = lists.add_block_entry(values=values, actor=Actor.of(request.user))
        return Response(BlockListEntrySerializer(entry).data, status=201)


class BlockListEntryView(APIView):
    required_permissions = {"GET": REVIEW_ORDERS, "PATCH": MANAGE_REVIEW_RULES}

    @extend_schema(operation_id="review_blocklist_retrieve", responses=BlockListEntrySerializer)
    def get(self, request, entry_id: int):
        return Response(BlockListEntrySerializer(lists.get_block_entry(entry_id)).data)

    @extend_schema(operation_id="review_blocklist_update", request=BlockListEntryChangeIn,
                   responses=BlockListEntrySerializer,
                   description="Change some of an entry's fields, or switch it off with {\"active\": false}.")
    def patch(self, request, entry_id: int):
        data = json_object(request)
        changes = {k: data[k] for k in ("kind", "value", "reason", "active") if k in data}
        entry = lists.update_block_entry(entry_id=entry_id, changes=changes, actor=Actor.of(request.user))
        return Response(BlockListEntrySerializer(entry).data)
