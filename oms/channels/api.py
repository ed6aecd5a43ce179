from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from oms.accounts.roles import VIEW_CHANNELS
from oms.channels.models import Channel


class ChannelSerializer(serializers.ModelSerializer):
    class Meta:
        model = Channel
        fields = ["code", "name", "kind", "adapter", "active"]


class ChannelsView(APIView):
    required_permissions = {"GET": VIEW_CHANNELS}

    @extend_schema(operation_id="channels_list", responses=ChannelSerializer(many=True))
    def get(self, request):
        return Response(ChannelSerializer(Channel.objects.order_by("id"), many=True).data)
