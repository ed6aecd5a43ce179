"""Settlement API: a channel's day (pending orders, refunds, settled batches) and finance's settle action."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from oms.accounts.actor import Actor, scope_q
from oms.accounts.object_scope import OutOfScopeNotFound
from oms.accounts.roles import SETTLE_ORDERS
from oms.channels.models import Channel
from oms.core.errors import ValidationFailed
from oms.core.money import InvalidMoney, parse_money
from oms.payments.selectors import EARLIEST_DAY, batch_data, business_today, day_data, day_settlement
from oms.payments.services import settle_batch


def parse_day(raw, name: str = "day") -> date:
    if isinstance(raw, str):
        try:
            day = date.fromisoformat(raw.strip())
        except ValueError:
            pass
        else:
            if day >= EARLIEST_DAY:
                return day
    raise ValidationFailed(details={name: [_("Use YYYY-MM-DD, from 2000-01-01.")]})


DAY_OUT = inline_serializer("SettlementDay", {
    "channel": serializers.CharField(), "day": serializers.DateField(), "status": serializers.CharField(),
    "pending": serializers.DictField(), "refunds": serializers.ListField(), "batches": serializers.ListField(
        child=serializers.DictField()),
})


class SettlementView(APIView):
    required_permissions = {"GET": SETTLE_ORDERS}

    @extend_schema(operation_id="settlement_retrieve",
                   parameters=[OpenApiParameter("channel", str, required=False,
                                                description="Channel code; all channels when left out."),
                               OpenApiParameter("day", str, required=False,
                                                description="Business day YYYY-MM-DD (Asia/Shanghai); default today.")],
                   responses=inline_serializer("SettlementDays", {"day": serializers.DateField(),
                                                                  "channels": serializers.ListField(child=DAY_OUT)}),
                   description="Per channel, the day's completed orders not yet settled (with mismatch flags), "
                               "refunds (empty until after-sales records refunds), the net, and the batches "
                               "already settled. Channels with nothing on the day are left out when no channel "
                               "is asked for.")
    def get(self, request):
        raw_day = request.query_params.get("day", "").strip()
        day = parse_day(raw_day) if raw_day else business_today()
        code = request.query_params.get("channel", "").strip()
        channels = Channel.objects.filter(scope_q(Actor.of(request.user), channel="id"))  # the person's channels
        if code and not channels.filter(code=code).exists() and Channel.objects.filter(code=code).exists():
            raise OutOfScopeNotFound(details={"channel": code})
        codes = [code] if code else list(channels.order_by("id").values_list("code", flat=True))
        days = [day_settlement(c, day) for c in codes]
        shown = [d for d in days if code or d.status != "empty"]
        return Response({"day": day.isoformat(), "channels": [day_data(d) for d in shown]})


class SettleView(APIView):
    required_permissions = {"POST": SETTLE_ORDERS}

    @extend_schema(operation_id="settlement_settle",
                   request=inline_serializer("SettleIn", {
                       "reported_amount": serializers.CharField(required=False),
                       "note": serializers.CharField(required=False),
                       "expected_orders": serializers.IntegerField(required=False)}),
                   responses={201: inline_serializer("SettlementBatch", {
                       "channel": serializers.CharField(), "day": serializers.DateField(),
                       "batch": serializers.IntegerField(), "orders": serializers.IntegerField(),
                       "gross": serializers.CharField(), "refunds": serializers.CharField(),
                       "net": serializers.CharField(), "reported_amount": serializers.CharField(allow_null=True),
                       "difference": serializers.CharField(allow_null=True),
                       "mismatches": serializers.ListField(child=serializers.DictField()),
                       "note": serializers.CharField(), "settled_at": serializers.DateTimeField(),
                       "settled_by": serializers.CharField(allow_null=True),
                       "order_numbers": serializers.ListField(child=serializers.CharField())})},
                   description="Mark the channel's unsettled completed orders of the day settled, as one batch "
                               "(batch 2, 3, … for orders completed after an earlier settlement of that day). "
                               "With mismatches (amount differences, missing transaction ids, cash on delivery "
                               "not collected, or a reported_amount other than the computed net) a note is "
                               "required (422 mismatches_need_note). expected_orders guards against settling "
                               "orders you have not seen (409 settlement_changed); nothing left to settle is "
                               "409 nothing_to_settle.")
    def post(self, request, channel: str, day: str):
        data = request.data if request.data else {}
        if not isinstance(data, dict):
            raise ValidationFailed(_("The request body must be a JSON object."))
        problems = {}
        reported = data.get("reported_amount")
        if reported in ("", None):
            reported = None
        else:
            try:
                reported = parse_money(reported)
            except InvalidMoney:
                problems["reported_amount"] = [_("A decimal string with two places, e.g. \"59.00\".")]
        note = data.get("note", "")
        if not isinstance(note, str):
            problems["note"] = [_("Must be a string.")]
        expected = data.get("expected_orders")
        if expected is not None and (not isinstance(expected, int) or isinstance(expected, bool) or expected < 0):
            problems["expected_orders"] = [_("A whole number.")]
        if problems:
            raise ValidationFailed(details=problems)
        batch = settle_batch(channel_code=channel, day=parse_day(day), actor=Actor.of(request.user),
                             reported_amount=reported, note=note, expected_orders=expected)
        return Response(batch_data(batch), status=201)
