from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from oms.accounts.actor import Actor
from oms.accounts.roles import PUSH_ORDERS, VIEW_CHANNELS
from oms.channels.models import Channel
from oms.channels.services import intake_channel_payload
from oms.orders.api import idempotency_key, intake_response, request_hash
from oms.orders.serializers import IntakeResultSerializer


class ChannelSerializer(serializers.ModelSerializer):
    class Meta:
        model = Channel
        fields = ["code", "name", "kind", "adapter", "active"]


class ChannelsView(APIView):
    required_permissions = {"GET": VIEW_CHANNELS}

    @extend_schema(operation_id="channels_list", responses=ChannelSerializer(many=True))
    def get(self, request):
        return Response(ChannelSerializer(Channel.objects.order_by("id"), many=True).data)


class ChannelOrdersView(APIView):
    """A platform pushes an order in its own format; the channel's adapter translates it."""

    required_permissions = {"POST": PUSH_ORDERS}

    @extend_schema(
        operation_id="channel_orders_push",
        request=dict,
        responses={201: IntakeResultSerializer, 200: IntakeResultSerializer},
    )
    def post(self, request, code: str):
        key = idempotency_key(request)
        result = intake_channel_payload(
            channel_code=code, raw=request.data, actor=Actor.of(request.user), idempotency_key=key,
            request_hash=request_hash(request, key),
        )
        return intake_response(result)
