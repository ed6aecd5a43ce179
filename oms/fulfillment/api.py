"""Fulfilment API: allocation by hand, pick lists."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from oms.accounts.actor import Actor, warehouse_scope
from oms.accounts.roles import ALLOCATE_ORDERS, PACK_ORDERS, PICK_ORDERS, SPLIT_PACKAGES
from oms.core.errors import ValidationFailed
from oms.fulfillment import merging, packing, splitting
from oms.fulfillment.documents.labels_pdf import render_labels
from oms.fulfillment.documents.pick_list_pdf import render_pick_list
from oms.fulfillment.errors import NoAllocation
from oms.fulfillment.picking import (
    DEFAULT_MAX_LINES,
    MAX_LINES,
    WaveRules,
    create_pick_list,
)
from oms.fulfillment.selectors import (
    label_data,
    pick_list_sheet,
    require_package_scope,
    require_pick_list_scope,
)
from oms.fulfillment.services import allocate_order, set_allocation_strategy
from oms.fulfillment.strategy import AllocationStrategy
from oms.inventory.models import Warehouse
from oms.orders.personal_data import mask_name
from oms.orders.selectors import order_detail
from oms.orders.serializers import OrderDetailSerializer
from oms.shipping.handover import assign_waybills


class AllocateOrderView(APIView):
    required_permissions = {"POST": ALLOCATE_ORDERS}

    @extend_schema(operation_id="orders_allocate", request=None, responses=OrderDetailSerializer,
                   description="Allocate an approved order to warehouses now (after an allocation failed, or "
                               "after stock or rate cards changed). The strategy is the channel's.")
    def post(self, request, order_no: str):
        outcome = allocate_order(order_no=order_no, actor=Actor.of(request.user))
        if outcome.allocation is None:
            raise NoAllocation(details={"order_no": order_no, "problem": outcome.problem})
        return Response(OrderDetailSerializer(order_detail(order_no)).data)


PICK_LIST_OUT = inline_serializer("PickList", {
    "number": serializers.CharField(), "warehouse": serializers.CharField(), "status": serializers.CharField(),
    "route_m": serializers.FloatField(), "created_at": serializers.DateTimeField(),
    "created_by": serializers.CharField(allow_null=True), "packages": serializers.IntegerField(),
    "units": serializers.IntegerField(), "stops": serializers.ListField(child=serializers.DictField()),
    "sort_to_order": serializers.ListField(child=serializers.DictField()),
})


def _wave_rules(data) -> WaveRules:
    if not isinstance(data, dict):
        raise ValidationFailed(_("The request body must be a JSON object."))
    problems = {}
    warehouse = data.get("warehouse")
    if not isinstance(warehouse, str) or not warehouse.strip():
        problems["warehouse"] = [_("This field is required.")]
    carrier = data.get("carrier") or None
    if carrier is not None and not isinstance(carrier, str):
        problems["carrier"] = [_("Must be a string.")]
    max_lines = data.get("max_lines", DEFAULT_MAX_LINES)
    if not isinstance(max_lines, int) or isinstance(max_lines, bool) or not 1 <= max_lines <= MAX_LINES:
        problems["max_lines"] = [_("A whole number from 1 to %(max)s.") % {"max": MAX_LINES}]
    packages = data.get("packages") or []
    if not isinstance(packages, list) or not all(isinstance(p, str) for p in packages):
        problems["packages"] = [_("A list of package numbers.")]
    cutoff = data.get("cutoff") or None
    if cutoff is not None:
        cutoff = parse_datetime(cutoff) if isinstance(cutoff, str) else None
        if cutoff is None or timezone.is_naive(cutoff):
            problems["cutoff"] = [_("A date and time with its offset, e.g. 2026-11-27T16:00:00+08:00.")]
    if problems:
        raise ValidationFailed(details=problems)
    return WaveRules(carrier=carrier, max_lines=max_lines, cutoff=cutoff, package_numbers=tuple(packages))


class PickListsView(APIView):
    required_permissions = {"POST": PICK_ORDERS}

    @extend_schema(operation_id="pick_lists_create",
                   request=inline_serializer("PickListIn", {
                       "warehouse": serializers.CharField(), "carrier": serializers.CharField(required=False),
                       "max_lines": serializers.IntegerField(required=False),
                       "cutoff": serializers.DateTimeField(required=False),
                       "packages": serializers.ListField(child=serializers.CharField(), required=False)}),
                   responses={201: PICK_LIST_OUT},
                   description="Put the packages waiting in a warehouse on a pick list (a wave: oldest orders "
                               "first, optionally of one carrier, up to max_lines lines), or exactly the given "
                               "packages. The stops come in walking order; sort_to_order says which units go to "
                               "which package.")
    def post(self, request):
        data = request.data
        rules = _wave_rules(data)
        pick_list = create_pick_list(warehouse_code=data["warehouse"].strip(), actor=Actor.of(request.user),
                                     rules=rules)
        return Response(pick_list_sheet(pick_list.number), status=201)


class PickListView(APIView):
    required_permissions = {"GET": PICK_ORDERS}

    @extend_schema(operation_id="pick_lists_retrieve", responses=PICK_LIST_OUT)
    def get(self, request, number: str):
        require_pick_list_scope(number, Actor.of(request.user))
        return Response(pick_list_sheet(number))


PDF = "application/pdf"
MAX_LABELS = 200


class PickListPdfView(APIView):
    required_permissions = {"GET": PICK_ORDERS}

    @extend_schema(operation_id="pick_lists_pdf", responses={(200, PDF): bytes},
                   description="The pick list as an A4 PDF (Chinese font embedded, barcodes for the list and SKUs).")
    def get(self, request, number: str):
        require_pick_list_scope(number, Actor.of(request.user))
        pdf = render_pick_list(pick_list_sheet(number))
        response = HttpResponse(pdf, content_type=PDF)
        response["Content-Disposition"] = f'inline; filename="{number}.pdf"'
        return response


class LabelsView(APIView):
    required_permissions = {"POST": PACK_ORDERS}

    @extend_schema(operation_id="labels_print",
                   request=inline_serializer("LabelsIn", {"packages": serializers.ListField(
                       child=serializers.CharField())}),
                   responses={(200, PDF): bytes},
                   description="Shipping labels (100 × 150 mm, one page per package) for the given packages, in "
                               "one PDF; each print is recorded in the orders' timelines.")
    def post(self, request):
        data = request.data
        packages = data.get("packages") if isinstance(data, dict) else None
        if not isinstance(packages, list) or not packages or not all(isinstance(p, str) for p in packages) \
                or len(packages) > MAX_LABELS:
            raise ValidationFailed(details={"packages": [
                _("A list of 1 to %(max)s package numbers.") % {"max": MAX_LABELS}]})
        require_package_scope(packages, Actor.of(request.user))
        assign_waybills(package_numbers=packages, actor=Actor.of(request.user))
        pdf = render_labels(label_data(packages))
        packing.record_labels_printed(package_numbers=packages, actor=Actor.of(request.user))
        response = HttpResponse(pdf, content_type=PDF)
        response["Content-Disposition"] = 'inline; filename="labels.pdf"'
        return response


def _packing_out(state, weight_off: bool | None = None) -> dict:
    suggestion = state.suggestion
    out = {
        "package": state.package.number, "order_no": state.package.order.order_no, "status": state.package.status,
        "lines": state.lines, "checked": state.checked, "expected_weight_g": state.expected_weight_g,
        "suggested_box": suggestion.box.code if suggestion else None,
        "protective_material": bool(suggestion and suggestion.protective_material),
        "box": state.package.box.code if state.package.box else None, "weight_g": state.package.packed_weight_g,
    }
    if weight_off is not None:
        out["weight_off"] = weight_off
    return out


PACKING_OUT = inline_serializer("PackingState", {
    "package": serializers.CharField(), "order_no": serializers.CharField(), "status": serializers.CharField(),
    "lines": serializers.ListField(child=serializers.DictField()), "checked": serializers.BooleanField(),
    "expected_weight_g": serializers.IntegerField(), "suggested_box": serializers.CharField(allow_null=True),
    "protective_material": serializers.BooleanField(), "box": serializers.CharField(allow_null=True),
    "weight_g": serializers.IntegerField(allow_null=True),
    "weight_off": serializers.BooleanField(required=False),
})


class PackingView(APIView):
    required_permissions = {"GET": PACK_ORDERS}

    @extend_schema(operation_id="packages_packing", responses=PACKING_OUT,
                   description="What re-check and packing of a package stand at, with the suggested box.")
    def get(self, request, number: str):
        require_package_scope([number], Actor.of(request.user))
        return Response(_packing_out(packing.packing_state(number)))


class RecheckView(APIView):
    required_permissions = {"POST": PACK_ORDERS}

    @extend_schema(operation_id="packages_recheck",
                   request=inline_serializer("RecheckIn", {"code": serializers.CharField()}), responses=PACKING_OUT,
                   description="Re-check one scanned unit; a code that does not belong is refused (409 "
                               "recheck_mismatch) and recorded on the order.")
    def post(self, request, number: str):
        code = request.data.get("code") if isinstance(request.data, dict) else None
        if not isinstance(code, str):
            raise ValidationFailed(details={"code": [_("Scan a code.")]})
        return Response(_packing_out(packing.recheck_scan(number=number, code=code, actor=Actor.of(request.user))))


class PackView(APIView):
    required_permissions = {"POST": PACK_ORDERS}

    @extend_schema(operation_id="packages_pack",
                   request=inline_serializer("PackIn", {"weight_g": serializers.IntegerField(),
                                                        "box": serializers.CharField(required=False)}),
                   responses=PACKING_OUT,
                   description="Pack a re-checked package: the box (the suggested one when not given) and the "
                               "weighed weight; weight_off says it differs from the expected weight.")
    def post(self, request, number: str):
        data = request.data if isinstance(request.data, dict) else {}
        box = data.get("box") or None
        if box is not None and not isinstance(box, str):
            raise ValidationFailed(details={"box": [_("Must be a string.")]})
        state, off = packing.pack(number=number, weight_g=data.get("weight_g"), box_code=box,
                                  actor=Actor.of(request.user))
        return Response(_packing_out(state, off))


class MergeCandidatesView(APIView):
    required_permissions = {"GET": PICK_ORDERS}

    @extend_schema(operation_id="packages_merge_candidates",
                   responses=inline_serializer("MergeGroups", {"groups": serializers.ListField(
                       child=serializers.DictField())}),
                   description="Packages that can ship together (same buyer, address, warehouse and channel, not "
                               "cash on delivery, placed within the merge window, not on a pick list yet).")
    def get(self, request):
        warehouse = Warehouse.objects.filter(code=request.query_params.get("warehouse", "")).first()
        groups = merging.merge_candidates(warehouse.pk if warehouse else None,
                                          scope=warehouse_scope(Actor.of(request.user)))
        return Response({"groups": [{
            "warehouse": g[0].warehouse.code, "recipient": mask_name(g[0].order.ship_name),
            "packages": [{"number": p.number, "order_no": p.order.order_no} for p in g]} for g in groups]})


class MergeView(APIView):
    required_permissions = {"POST": PICK_ORDERS}

    @extend_schema(operation_id="packages_merge",
                   request=inline_serializer("MergeIn", {"packages": serializers.ListField(
                       child=serializers.CharField())}),
                   responses={201: inline_serializer("Merged", {"package": serializers.CharField(),
                                                                "orders": serializers.ListField()})},
                   description="Ship these packages as one; each order keeps its number, money and after-sales.")
    def post(self, request):
        packages = request.data.get("packages") if isinstance(request.data, dict) else None
        if not isinstance(packages, list) or not all(isinstance(p, str) for p in packages):
            raise ValidationFailed(details={"packages": [_("A list of package numbers.")]})
        merged = merging.merge_packages(package_numbers=packages, actor=Actor.of(request.user))
        orders = sorted(set(merged.lines.values_list("line__order__order_no", flat=True)))
        return Response({"package": merged.number, "orders": orders}, status=201)


def _parts(data) -> list[dict[int, int]]:
    parts = data.get("parts") if isinstance(data, dict) else None
    problem = ValidationFailed(details={"parts": [_(
        'A list of parts, each a list of {"line": line number, "quantity": units}.')]})
    if not isinstance(parts, list):
        raise problem
    result = []
    for part in parts:
        if not isinstance(part, list):
            raise problem
        units: dict[int, int] = {}
        for item in part:
            if not isinstance(item, dict) or not all(
                    isinstance(item.get(k), int) and not isinstance(item.get(k), bool) for k in ("line", "quantity")):
                raise problem
            units[item["line"]] = units.get(item["line"], 0) + item["quantity"]
        result.append(units)
    return result


class SplitView(APIView):
    required_permissions = {"POST": SPLIT_PACKAGES}

    @extend_schema(operation_id="packages_split",
                   request=inline_serializer("SplitIn", {"parts": serializers.ListField(
                       child=serializers.ListField(child=serializers.DictField()))}),
                   responses={201: inline_serializer("SplitOut", {"packages": serializers.ListField()})},
                   description="Split an allocated package (not on a pick list, not cash on delivery) into parts: "
                               '[[{"line": 1, "quantity": 1}], [{"line": 1, "quantity": 1}, {"line": 2, '
                               '"quantity": 3}]].')
    def post(self, request, number: str):
        created = splitting.split_package(number=number, parts=_parts(request.data), actor=Actor.of(request.user))
        return Response({"packages": [{
            "number": p.number, "weight_g": p.weight_g, "freight": f"{p.freight:.2f}",
            "lines": [{"line": ln.line.line_no, "sku": ln.sku.code, "quantity": ln.quantity}
                      for ln in p.lines.select_related("line", "sku")]} for p in created]}, status=201)


class AllocationStrategyView(APIView):
    required_permissions = {"PUT": ALLOCATE_ORDERS}

    @extend_schema(operation_id="channels_allocation_strategy",
                   request=inline_serializer("StrategyIn", {"strategy": serializers.ChoiceField(
                       choices=AllocationStrategy.values)}),
                   responses=inline_serializer("StrategyOut", {"channel": serializers.CharField(),
                                                               "strategy": serializers.CharField()}),
                   description="How the warehouses that ship this channel's orders are chosen: "
                               "fewest_then_cheapest (default), cheapest, nearest or priority.")
    def put(self, request, code: str):
        strategy = request.data.get("strategy") if isinstance(request.data, dict) else None
        if not isinstance(strategy, str):
            raise ValidationFailed(details={"strategy": sorted(AllocationStrategy.values)})
        set_allocation_strategy(channel_code=code, strategy=strategy, actor=Actor.of(request.user))
        return Response({"channel": code, "strategy": strategy})
