"""A channel's unpaid-order timeout through the API (read by anyone who sees channels, set by administrators)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from oms.accounts.actor import Actor
from oms.accounts.roles import VIEW_CHANNELS
from oms.channels.models import Channel
from oms.core.api_input import json_object
from oms.orders.expiry import CHANGE_CHANNEL, UnknownChannel, set_unpaid_timeout

TIMEOUT = inline_serializer("UnpaidTimeout", {"channel": serializers.CharField(),
                                              "unpaid_timeout_minutes": serializers.IntegerField()})


def _out(channel: Channel) -> Response:
    return Response({"channel": channel.code, "unpaid_timeout_minutes": channel.unpaid_timeout_minutes})


class UnpaidTimeoutView(APIView):
    required_permissions = {"GET": VIEW_CHANNELS, "PUT": CHANGE_CHANNEL}

    @extend_schema(operation_id="channel_unpaid_timeout_get", responses=TIMEOUT)
    def get(self, request, code: str):
        channel = Channel.objects.filter(code=code).first()
        if channel is None:
            raise UnknownChannel(details={"channel": code})
        return _out(channel)

    @extend_schema(operation_id="channel_unpaid_timeout_set",
                   request=inline_serializer("UnpaidTimeoutIn", {"unpaid_timeout_minutes": serializers.IntegerField()}),
                   responses=TIMEOUT,
                   description="Orders of this channel still unpaid this many minutes after they were placed are "
                               "cancelled by the minutely sweep (0: never).")
    def put(self, request, code: str):
        data = json_object(request)
        channel = set_unpaid_timeout(channel_code=code, minutes=data.get("unpaid_timeout_minutes"),
                                     actor=Actor.of(request.user))
        return _out(channel)
