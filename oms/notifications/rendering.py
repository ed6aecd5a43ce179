"""Rendering buyer messages from templates: a small, documented context and a sandboxed engine.

Templates use Django template syntax without tag libraries, includes or inheritance. They see
only the variables listed in VARIABLES (plus those of their event in EVENT_VARIABLES); anything
else is refused when a template is saved, so a typo cannot reach a buyer as an empty gap.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.template import Context, Engine, TemplateSyntaxError
from django.template.base import Node
from django.template.defaulttags import CsrfTokenNode, DebugNode, LoadNode, URLNode
from django.template.loader_tags import BlockNode, ExtendsNode, IncludeNode
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oms.core.money import format_money
from oms.notifications.models import MessageEvent, MessageLanguage

# The variables every template may use, with what they hold (shown on the template edit page).
VARIABLES: dict[str, Any] = {
    "order_no": gettext_lazy("order number, e.g. 26112600000301"),
    "recipient_name": gettext_lazy("the buyer's name (customer name, else the shipping recipient)"),
    "item_summary": gettext_lazy("the items on one line, e.g. 纯棉T恤 红色/M ×2 (three at most, then a count)"),
    "item_count": gettext_lazy("total number of pieces ordered"),
    "items": gettext_lazy("list of items, each with name, spec and quantity (use {% for item in items %})"),
    "payable_amount": gettext_lazy("amount payable with two decimals, e.g. 118.00 (no currency sign)"),
    "channel_name": gettext_lazy("name of the sales channel, e.g. 淘宝"),
    "placed_at": gettext_lazy("when the order was placed, Asia/Shanghai, e.g. 2026-11-26 10:15"),
}
EVENT_VARIABLES: dict[str, dict[str, Any]] = {
    MessageEvent.ORDER_CONFIRMED: {},
    MessageEvent.ORDER_SHIPPED: {
        "carrier_name": gettext_lazy("the carrier's name, e.g. 顺丰速运"),
        "tracking_no": gettext_lazy("the tracking number"),
    },
    MessageEvent.REFUND_ISSUED: {
        "refund_amount": gettext_lazy("refunded amount with two decimals, e.g. 59.00"),
    },
    MessageEvent.ORDER_CANCELLED: {
        "cancel_reason": gettext_lazy("why the order was cancelled, in the buyer's language, e.g. 商品缺货"),
    },
    MessageEvent.RETURN_APPROVED: {
        "request_no": gettext_lazy("the after-sales request number to write on the parcel"),
        "return_address": gettext_lazy("where to send the goods: recipient, phone and address of the warehouse"),
    },
    MessageEvent.AFTER_SALES_REJECTED: {
        "request_no": gettext_lazy("the after-sales request number"),
        "reject_reason": gettext_lazy("why the request was rejected"),
    },
}

# What the preview and the save-time check render against: no real buyer's data.
SAMPLE_CONTEXT: dict[str, Any] = {
    "order_no": "26112600000301",
    "recipient_name": "张三",
    "item_summary": "纯棉T恤 红色/M ×2、帆布包 ×1",
    "item_count": 3,
    "items": [
        {"name": "纯棉T恤", "spec": "红色/M", "quantity": 2},
        {"name": "帆布包", "spec": "", "quantity": 1},
    ],
    "payable_amount": "147.00",
    "channel_name": "淘宝",
    "placed_at": "2026-11-26 10:15",
    "carrier_name": "顺丰速运",
    "tracking_no": "SF1234567890123",
    "refund_amount": "59.00",
    "cancel_reason": "商品缺货",
    "request_no": "AS26112600000301-1",
    "return_address": "杭州仓 售后组 0571-88886666 浙江省杭州市余杭区仓前街道文一西路1500号",
    "reject_reason": "商品已超过7天无理由退货期限",
}

SUMMARY_ITEMS = 3
MAX_SUBJECT = 200
MAX_BODY = 5000
_REFUSED_NODES = (ExtendsNode, IncludeNode, BlockNode, LoadNode, DebugNode, URLNode, CsrfTokenNode)
_REFUSED_TAGS = "extends, include, block, load, debug, url, csrf_token"
_MISSING = "\x00missing:%s\x00"

# No tag libraries, no loaders (so include/extends find nothing), no HTML escaping: messages are text.
ENGINE = Engine(dirs=[], app_dirs=False, libraries={}, autoescape=False, string_if_invalid="")
_CHECKING_ENGINE = Engine(dirs=[], app_dirs=False, libraries={}, autoescape=False, string_if_invalid=_MISSING)


class TemplateProblem(ValueError):
    """A template that cannot be used; the message says why, in the reader's language."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


def allowed_variables(event: str) -> dict[str, Any]:
    return {**VARIABLES, **EVENT_VARIABLES.get(event, {})}


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


def _field_label(field: str) -> str:
    return {"subject": _("subject"), "body": _("body")}.get(field, field)


def _compile(engine: Engine, source: str, field: str):
    try:
        template = engine.from_string(source)
    except TemplateSyntaxError as exc:
        error = str(exc).split("\n", 1)[0].strip()
        raise TemplateProblem(
            _("Template syntax error in %(field)s: %(error)s") % {"field": _field_label(field), "error": error},
            field=field,
        ) from None
    for node in template.nodelist.get_nodes_by_type(Node):
        if isinstance(node, _REFUSED_NODES):
            raise TemplateProblem(
                _("%(field)s uses a tag that message templates may not use (%(tags)s).")
                % {"field": _field_label(field), "tags": _REFUSED_TAGS},
                field=field,
            )
    return template


def _render(template, context: Mapping[str, Any]) -> str:
    return template.render(Context(dict(context), autoescape=False))


def render_text(*, subject: str, body: str, context: Mapping[str, Any]) -> Rendered:
    """Render a template pair; the subject is one line, the body keeps its lines."""
    subject_text = _render(_compile(ENGINE, subject, "subject"), context) if subject else ""
    body_text = _render(_compile(ENGINE, body, "body"), context)
    return Rendered(subject=" ".join(subject_text.split())[:MAX_SUBJECT], body=body_text.strip())


def check_template(*, event: str, subject: str, body: str) -> Rendered:
    """Refuse a template that does not compile, uses refused tags or unknown variables;
    return its rendering against the sample order (the preview)."""
    allowed = allowed_variables(event)
    context = {k: v for k, v in SAMPLE_CONTEXT.items() if k in allowed}
    for field, source in (("subject", subject), ("body", body)):
        template = _compile(_CHECKING_ENGINE, source, field)
        try:
            text = _render(template, context)
        except Exception as exc:  # a filter that fails on the sample values fails on real ones too
            raise TemplateProblem(
                _("The %(field)s cannot be rendered: %(error)s") % {"field": _field_label(field), "error": exc},
                field=field,
            ) from None
        stray = next((mark for mark in ("{{", "}}", "{%", "%}", "{#", "#}") if mark in text), None)
        if stray:  # Django leaves a half-written tag as text: it would reach the buyer as such
            raise TemplateProblem(
                _("The %(field)s contains %(mark)s that is not part of a complete {{ variable }} or {%% tag %%}.")
                % {"field": _field_label(field), "mark": stray},
                field=field,
            )
        if "\x00missing:" in text:
            names = sorted({part.split("\x00", 1)[0] for part in text.split("\x00missing:")[1:]})
            raise TemplateProblem(
                _("Unknown variable %(names)s in %(field)s; available: %(available)s.")
                % {"names": ", ".join(names), "field": _field_label(field), "available": ", ".join(sorted(allowed))},
                field=field,
            )
    return render_text(subject=subject, body=body, context=context)


# --- the context of a real order -------------------------------------------------------------


def _item_summary(items: list[dict], language: str) -> str:
    parts = []
    for item in items[:SUMMARY_ITEMS]:
        name = f"{item['name']} {item['spec']}" if item["spec"] else item["name"]
        parts.append(f"{name} ×{item['quantity']}")
    rest = len(items) - SUMMARY_ITEMS
    if language == MessageLanguage.EN:
        text = ", ".join(parts)
        return f"{text} and {rest} more" if rest > 0 else text
    text = "、".join(parts)
    return f"{text}等{len(items)}种商品" if rest > 0 else text


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format_money(value)
    return value


def order_context(order, *, language: str, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The documented variables for one order (order.channel and order.lines are read)."""
    items = [{"name": line.name, "spec": line.spec, "quantity": line.quantity} for line in order.lines.all()]
    context = {
        "order_no": order.order_no,
        "recipient_name": order.customer_name or order.ship_name,
        "item_summary": _item_summary(items, language),
        "item_count": sum(i["quantity"] for i in items),
        "items": items,
        "payable_amount": format_money(order.payable_amount),
        "channel_name": order.channel.name,
        "placed_at": timezone.localtime(order.placed_at).strftime("%Y-%m-%d %H:%M"),
    }
    context.update({k: _plain(v) for k, v in (extra or {}).items()})
    return context
