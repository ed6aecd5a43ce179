"""Customer service confirms receipt of a shipped or delivered order (the buyer said so by phone or chat)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View

from oms.accounts.actor import Actor
from oms.accounts.roles import CONFIRM_RECEIPT
from oms.core.errors import ApplicationError
from oms.orders.completion import ReceiptBy, confirm_receipt
from oms.orders.errors import OrderNotFound
from oms.web.access import PermissionRequiredMixin
from oms.web.views.orders import not_found


class ConfirmReceiptView(PermissionRequiredMixin, View):
    required_permission = CONFIRM_RECEIPT

    def post(self, request, order_no: str):
        try:
            outcome = confirm_receipt(order_no=order_no, actor=Actor.of(request.user), by=ReceiptBy.CUSTOMER_SERVICE)
        except OrderNotFound:
            return not_found(request, order_no)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("web:order_detail", order_no=order_no)
        if outcome.changed:
            messages.success(request, _("Receipt confirmed; the order is completed."))
        else:
            messages.info(request, _("This order was already completed."))
        return redirect("web:order_detail", order_no=order_no)
