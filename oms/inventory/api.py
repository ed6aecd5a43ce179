"""Stock through the API: levels, the ledger, receipts, adjustments, and platform SKU mappings."""

from __future__ import annotations

from django.db.models import F, Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from oms.accounts.actor import Actor
from oms.accounts.roles import ADJUST_STOCK, MANAGE_CATALOGUE, RECEIVE_STOCK, VIEW_STOCK
from oms.channels.mapping import map_platform_sku
from oms.core.errors import ValidationFailed
from oms.inventory import catalogue, selectors, services
from oms.inventory.models import MovementKind, StockLevel, StockMovement

PAGE = 200


class StockLevelOut(serializers.Serializer):
    sku = serializers.CharField(source="sku.code")
    name = serializers.CharField(source="sku.name")
    spec = serializers.CharField(source="sku.spec")
    warehouse = serializers.CharField(source="warehouse.code")
    on_hand = serializers.IntegerField()
    reserved = serializers.IntegerField()
    available = serializers.IntegerField()
    low = serializers.SerializerMethodField()

    def get_low(self, level) -> bool:
        return level.available <= level.sku.low_stock_threshold


class MovementOut(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    sku = serializers.CharField(source="sku.code")
    warehouse = serializers.CharField(source="warehouse.code")
    kind = serializers.CharField()
    on_hand_delta = serializers.IntegerField()
    reserved_delta = serializers.IntegerField()
    on_hand_after = serializers.IntegerField()
    reserved_after = serializers.IntegerField()
    order_no = serializers.CharField(source="order.order_no", default=None)
    reason = serializers.CharField()
    reference = serializers.CharField()
    user = serializers.CharField(source="actor_username")


def _body(request) -> dict:
    if not isinstance(request.data, dict):
        raise ValidationFailed(_("The request body must be a JSON object."))
    return request.data


def _string(data: dict, name: str, *, required: bool = True) -> str:
    value = data.get(name, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise ValidationFailed(details={name: [_("This field is required.")]})
    return value.strip()


def _integer(data: dict, name: str) -> int:
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed(details={name: [_("Must be a whole number.")]})
    return value


class StockLevelsView(APIView):
    required_permissions = {"GET": VIEW_STOCK}

    @extend_schema(operation_id="stock_levels", responses=StockLevelOut(many=True), parameters=[
        OpenApiParameter("warehouse", str), OpenApiParameter("sku", str, description="code or name contains"),
        OpenApiParameter("low", bool, description="only levels at or below the SKU's low-stock threshold"),
    ])
    def get(self, request):
        levels = selectors.scoped_stock(Actor.of(request.user), StockLevel.objects.all())
        levels = levels.select_related("sku", "warehouse").order_by("sku__code", "warehouse__priority")
        q = request.query_params
        if q.get("warehouse"):
            levels = levels.filter(warehouse__code=q["warehouse"])
        if q.get("sku"):
            levels = levels.filter(Q(sku__code__icontains=q["sku"]) | Q(sku__name__icontains=q["sku"]))
        if q.get("low") in ("1", "true", "yes"):
            levels = levels.filter(on_hand__lte=F("reserved") + F("sku__low_stock_threshold"))
        return Response(StockLevelOut(levels[:PAGE], many=True).data)


class MovementsView(APIView):
    required_permissions = {"GET": VIEW_STOCK}

    @extend_schema(operation_id="stock_movements", responses=MovementOut(many=True), parameters=[
        OpenApiParameter("sku", str), OpenApiParameter("warehouse", str),
        OpenApiParameter("kind", str, enum=MovementKind.values),
        OpenApiParameter("before_id", int, description="page backwards: rows older than this id"),
    ], description="The stock ledger, newest first.")
    def get(self, request):
        rows = selectors.scoped_stock(Actor.of(request.user), StockMovement.objects.all())
        rows = rows.select_related("sku", "warehouse", "order").order_by("-id")
        q = request.query_params
        for param, field in (("sku", "sku__code"), ("warehouse", "warehouse__code"), ("kind", "kind")):
            if q.get(param):
                rows = rows.filter(**{field: q[param]})
        if q.get("before_id", "").isdigit():
            rows = rows.filter(id__lt=int(q["before_id"]))
        return Response(MovementOut(rows[:PAGE], many=True).data)


class ReceiptsView(APIView):
    required_permissions = {"POST": RECEIVE_STOCK}

    @extend_schema(operation_id="stock_receive", responses={201: StockLevelOut},
                   request=inline_serializer("ReceiptIn", {
                       "sku": serializers.CharField(), "warehouse": serializers.CharField(),
                       "quantity": serializers.IntegerField(min_value=1),
                       "reference": serializers.CharField(required=False),
                       "note": serializers.CharField(required=False)}),
                   description="Receive units into a warehouse; held orders waiting for them are reviewed again.")
    def post(self, request):
        data = _body(request)
        level = services.receive_stock(
            sku_code=_string(data, "sku"), warehouse_code=_string(data, "warehouse"),
            quantity=_integer(data, "quantity"), actor=Actor.of(request.user),
            reference=_string(data, "reference", required=False), note=_string(data, "note", required=False),
        )
        return Response(StockLevelOut(StockLevel.objects.select_related("sku", "warehouse").get(pk=level.pk)).data,
                        status=201)


class AdjustmentsView(APIView):
    required_permissions = {"POST": ADJUST_STOCK}

    @extend_schema(operation_id="stock_adjust", responses={201: StockLevelOut},
                   request=inline_serializer("AdjustmentIn", {
                       "sku": serializers.CharField(), "warehouse": serializers.CharField(),
                       "delta": serializers.IntegerField(), "reason": serializers.CharField()}),
                   description="Correct the on-hand count with a reason (stock take, damage, loss).")
    def post(self, request):
        data = _body(request)
        level = services.adjust_stock(
            sku_code=_string(data, "sku"), warehouse_code=_string(data, "warehouse"),
            delta=_integer(data, "delta"), reason=_string(data, "reason", required=False),
            actor=Actor.of(request.user),
        )
        return Response(StockLevelOut(StockLevel.objects.select_related("sku", "warehouse").get(pk=level.pk)).data,
                        status=201)


class SkuMappingsView(APIView):
    required_permissions = {"POST": MANAGE_CATALOGUE}

    @extend_schema(operation_id="channels_map_sku",
                   request=inline_serializer("SkuMappingIn", {"platform_sku": serializers.CharField(),
                                                              "sku": serializers.CharField()}),
                   responses={201: inline_serializer("SkuMappingOut", {
                       "channel": serializers.CharField(), "platform_sku": serializers.CharField(),
                       "sku": serializers.CharField()})},
                   description="Point a platform SKU code at one of our SKUs; orders held for it are reviewed again.")
    def post(self, request, code: str):
        data = _body(request)
        mapping = map_platform_sku(channel_code=code, platform_sku=_string(data, "platform_sku"),
                                   sku_code=_string(data, "sku"), actor=Actor.of(request.user))
        return Response({"channel": code, "platform_sku": mapping.platform_sku, "sku": mapping.sku.code},
                        status=201)


class PickFaceView(APIView):
    required_permissions = {"PUT": MANAGE_CATALOGUE}

    @extend_schema(operation_id="skus_pick_face",
                   request=inline_serializer("PickFaceIn", {"warehouse": serializers.CharField(),
                                                            "bin": serializers.CharField()}),
                   responses=inline_serializer("PickFace", {"sku": serializers.CharField(),
                                                            "warehouse": serializers.CharField(),
                                                            "bin": serializers.CharField()}),
                   description="Set the bin a SKU is picked from in a warehouse (its pick face).")
    def put(self, request, code: str):
        data = request.data if isinstance(request.data, dict) else {}
        values = {k: data.get(k) for k in ("warehouse", "bin")}
        bad = {k: [_("This field is required.")] for k, v in values.items() if not isinstance(v, str) or not v}
        if bad:
            raise ValidationFailed(details=bad)
        location = catalogue.set_pick_face(sku_code=code, warehouse_code=values["warehouse"], bin_code=values["bin"],
                                           actor=Actor.of(request.user))
        return Response({"sku": code, "warehouse": values["warehouse"], "bin": location.bin.code})
