"""Small template helpers of the back office: money, form fields."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def money(amount) -> str:
    """¥1,234.50 from a Decimal; empty for None."""
    if amount is None or amount == "":
        return ""
    return f"¥{Decimal(amount):,.2f}"


@register.inclusion_tag("web/_field.html")
def field(bound_field, css: str = ""):
    """A form field with its label, a required marker, its help text and errors."""
    return {
        "field": bound_field,
        "css": css,
        "marked_required": getattr(bound_field.field, "marked_required", bound_field.field.required),
    }


@register.simple_tag(takes_context=True)
def page_query(context, **changes) -> str:
    """The current query string with some parameters changed (None drops one)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"
