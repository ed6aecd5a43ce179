"""The Reveal button of the order page: one order's full personal data, audited (oms/orders/reveal.py)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views import View

from oms.accounts.actor import Actor
from oms.accounts.roles import REVEAL_PERSONAL_DATA
from oms.core.errors import ApplicationError, PermissionDenied
from oms.orders.errors import OrderNotFound
from oms.orders.models import Order
from oms.orders.reveal import reveal_personal_data
from oms.web.access import PermissionRequiredMixin, forbidden
from oms.web.views.orders import not_found


class RevealView(PermissionRequiredMixin, View):
    required_permission = REVEAL_PERSONAL_DATA

    def post(self, request, order_no: str):
        try:
            revealed = reveal_personal_data(order_no=order_no, actor=Actor.of(request.user))
        except OrderNotFound:
            return not_found(request, order_no)
        except PermissionDenied as exc:
            return forbidden(request, reason=exc.message)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("web:order_detail", order_no=order_no)
        order = Order.objects.get(order_no=revealed["order_no"])
        template = "web/orders/_contact.html" if request.htmx else "web/orders/reveal.html"
        response = render(request, template, {"order": order, "revealed": revealed})
        add_never_cache_headers(response)  # not kept by the browser or a proxy
        return response
