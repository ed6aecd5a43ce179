"""The order page's after-sales panel: the order's requests and the button to open a new one."""

from __future__ import annotations

from django import template

from oms.accounts.roles import REQUEST_AFTER_SALES
from oms.aftersales.selectors import requests_of_order

register = template.Library()


@register.inclusion_tag("web/aftersales/_order_requests.html", takes_context=True)
def order_after_sales(context, order):
    """The requests of the order, newest first; the "new request" button for those who may open one."""
    user = context["request"].user
    return {"order": order, "after_sales_requests": requests_of_order(order),
            "can_request": user.has_perm(REQUEST_AFTER_SALES) and order.status not in ("draft", "cancelled")}
