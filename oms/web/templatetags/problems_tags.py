"""Problem reports on other pages: the order page's panel and the home page's counts."""

from __future__ import annotations

from django import template

from oms.accounts.roles import HANDLE_PROBLEMS, RAISE_PROBLEMS
from oms.problems.selectors import home_counts, reports_of_order

register = template.Library()


@register.inclusion_tag("web/problems/_order_problems.html", takes_context=True)
def order_problems(context, order):
    """The order's reports and incidents, and the "Report a problem" link for those who may raise one."""
    user = context["request"].user
    can_see = user.has_perm(HANDLE_PROBLEMS)
    return {"order": order, "reports": reports_of_order(order) if can_see else [], "can_see": can_see,
            "can_raise": user.has_perm(RAISE_PROBLEMS)}


@register.simple_tag(takes_context=True)
def problem_counts(context) -> dict | None:
    """Open reports of the user's team, reports escalated to them, open incidents (None without the right)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.has_perm(HANDLE_PROBLEMS):
        return None
    return home_counts(user)
