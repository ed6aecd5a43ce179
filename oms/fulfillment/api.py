"""Fulfilment API: run allocation again by hand."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from oms.accounts.actor import Actor
from oms.accounts.roles import ALLOCATE_ORDERS
from oms.fulfillment.errors import NoAllocation
from oms.fulfillment.services import allocate_order
from oms.orders.selectors import order_detail
from oms.orders.serializers import OrderDetailSerializer


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
