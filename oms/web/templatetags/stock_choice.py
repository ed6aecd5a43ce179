"""The order page's out-of-stock panel ({% stock_choice_panel %}), so the page view stays as it is."""

from __future__ import annotations

from django import template

register = template.Library()


@register.inclusion_tag("web/stock_choices/_order_panel.html", takes_context=True)
def stock_choice_panel(context) -> dict:
    from oms.accounts.roles import RECORD_STOCK_CHOICE
    from oms.orders.stock_choice import StockChoice, shortage_of_order
    from oms.web.views.stock_choices import StockChoiceForm

    request, order = context["request"], context["order"]
    shortage = shortage_of_order(order) if order.pk else None
    if shortage is None:
        return {}
    form = None
    if request.user.has_perm(RECORD_STOCK_CHOICE):
        form = StockChoiceForm(shortage=shortage)
    label = StockChoice(shortage.choice).label if shortage.choice in StockChoice.values else shortage.choice
    return {"shortage": shortage, "form": form, "choice_label": label, "next": request.get_full_path(),
            "csrf_token": context.get("csrf_token"), "request": request}
