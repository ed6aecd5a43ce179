"""The order page's panel for changes before shipment ({% change_panel %}), so the page view stays as it is."""

from __future__ import annotations

from django import template

register = template.Library()


@register.inclusion_tag("web/orders/_change_panel.html", takes_context=True)
def change_panel(context) -> dict:
    from oms.web.views.order_changes import change_panel as panel

    request, order = context["request"], context["order"]
    return {"change": panel(request, order, context.get("change_extra")), "order": order,
            "lines": context.get("lines") or list(order.lines.all()), "csrf_token": context.get("csrf_token"),
            "request": request}
