"""Order list, order detail with its timeline, and the entry-check queue and actions."""

from __future__ import annotations

import re

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views import View

from oms.accounts.actor import Actor
from oms.accounts.roles import CHECK_ENTRIES, ENTER_ORDERS, VIEW_ORDERS
from oms.channels.models import Channel
from oms.core.errors import ApplicationError, PermissionDenied, ValidationFailed
from oms.fulfillment import merging
from oms.fulfillment.messages import allocation_event_data
from oms.orders import entry, selectors
from oms.orders.cancellation import REASON_LABELS as CANCEL_REASONS
from oms.orders.errors import OrderNotFound
from oms.orders.models import EntryCheck, Order
from oms.orders.personal_data import mask_value_change
from oms.orders.status import OrderStatus
from oms.shipping.package_timelines import with_tracking
from oms.web.access import PermissionRequiredMixin, forbidden
from oms.web.forms import ConfirmEntryForm, OrderFilterForm, ReturnEntryForm
from oms.web.labels import action_label, field_label, role_labels, value_label
from oms.web.views import review

PAGE_SIZE = 50


def not_found(request, order_no: str):
    return render(request, "web/404.html", {"order_no": order_no}, status=404)


class OrderListView(PermissionRequiredMixin, View):
    required_permission = VIEW_ORDERS

    def get(self, request):
        form = OrderFilterForm(request.GET)
        filters = form.filters()
        actor = Actor.of(request.user)
        counts = selectors.status_counts(filters, actor)
        paginator = selectors.OrderPaginator(selectors.order_list(filters, actor), PAGE_SIZE)
        # The tabs have just counted these orders; counting them again would double the page's cost.
        paginator.count = selectors.total_from_counts(counts, filters)
        page = paginator.get_page(request.GET.get("page"))
        page_numbers = paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
        tabs = [{"code": "", "label": _("All"), "count": sum(counts.values()), "active": not filters.status}]
        tabs += [
            {"code": s.value, "label": s.label, "count": counts.get(s.value, 0), "active": filters.status == s.value}
            for s in OrderStatus
        ]
        mergeable = merging.mergeable_orders([o.pk for o in page.object_list])
        context = {"form": form, "page": page, "page_numbers": page_numbers, "tabs": tabs, "filters": filters,
                   "mergeable": mergeable}
        partial = request.htmx and not request.htmx.history_restore_request
        template = "web/orders/_results.html" if partial else "web/orders/list.html"
        response = render(request, template, context)
        patch_vary_headers(response, ("HX-Request",))
        return response


LINE_SKU_CHANGE = re.compile(r"^line (\d+) SKU$")  # the key swap_line_sku records


def change_label(name: str) -> str:
    match = LINE_SKU_CHANGE.match(name)
    return _("line %(n)s SKU") % {"n": match.group(1)} if match else field_label(name)


def timeline(order: Order) -> list[dict]:
    events = list(order.events.all())
    channels = None
    if any("channel_id" in (e.changes or {}) for e in events):
        channels = dict(Channel.objects.values_list("id", "name"))
    channel_names = (dict(Channel.objects.values_list("code", "name"))
                     if any("channel" in (e.data or {}) for e in events) else {})
    warehouses = review.warehouse_names() if any((e.data or {}).get("reserved") for e in events) else {}
    rows = []
    for e in events:
        changes = [
            {"field": change_label(name), "old": value_label(name, pair[0], channels=channels),
             "new": value_label(name, pair[1], channels=channels)}
            # Old → new names, phones and addresses are masked like the order's own (§3.3).
            for name, pair in ((n, mask_value_change(n, p)) for n, p in (e.changes or {}).items())
            if isinstance(pair, (list, tuple)) and len(pair) == 2
        ]
        if e.action in ("order_allocated", "allocation_failed", "carrier_chosen_again", "package_carrier_set"):
            data = allocation_event_data(e.data or {})
        else:
            data = review.event_data(e.data or {}, warehouses=warehouses)
        if data is None:
            data = [
                (field_label(k), channel_names.get(v, v) if k == "channel" else value_label(k, v))
                for k, v in sorted((e.data or {}).items()) if v not in ("", None)
            ]
        reason = e.reason
        if e.action == "order_cancelled":
            reason = CANCEL_REASONS.get(reason, reason)
        rows.append({
            "at": e.at, "user": e.actor_username, "roles": role_labels(e.actor_roles),
            "action": action_label(e.action), "code": e.action, "changes": changes,
            "reason": reason, "note": e.note, "data": data, "findings": review.event_findings(e.data or {}),
        })
    return rows


def detail_context(request, order: Order, **extra) -> dict:
    user = request.user
    is_draft = order.status == OrderStatus.DRAFT
    events = timeline(order)
    returned_comment = ""
    if is_draft and order.entry_check == EntryCheck.RETURNED:
        returned = [e for e in events if e["code"] == "entry_returned"]
        returned_comment = returned[-1] if returned else ""
    return {
        "order": order,
        "lines": list(order.lines.all()),
        "discounts": list(order.discounts.all()),
        "events": events,
        "returned": returned_comment,
        "can_check": is_draft and order.entry_check == EntryCheck.AWAITING and user.has_perm(CHECK_ENTRIES),
        "can_edit": is_draft and user.has_perm(ENTER_ORDERS),
        "own_entry": user.pk in (order.created_by_id, order.last_edited_by_id),
        "confirm_form": extra.pop("confirm_form", None) or ConfirmEntryForm(),
        "return_form": extra.pop("return_form", None) or ReturnEntryForm(),
        "review": review.review_panel(request, order, extra.pop("review_forms", None)) if not is_draft else None,
        "reservations": list(order.reservations.all()),
        "packages": with_tracking(list(order.packages.all())),
        "cancel_reason": CANCEL_REASONS.get(order.cancel_reason, order.cancel_reason),
        "interceptions": list(order.interceptions.select_related("package", "resolved_by").order_by("created_at")),
        **extra,
    }


class OrderDetailView(PermissionRequiredMixin, View):
    required_permission = VIEW_ORDERS

    def get(self, request, order_no: str):
        try:
            order = selectors.order_detail(order_no)
        except OrderNotFound:
            return not_found(request, order_no)
        return render(request, "web/orders/detail.html", detail_context(request, order))


class DraftListView(PermissionRequiredMixin, View):
    required_permission = CHECK_ENTRIES

    def get(self, request):
        drafts = list(selectors.drafts_awaiting_check(Actor.of(request.user))[:500])
        return render(request, "web/orders/drafts.html", {"drafts": drafts})


class ConfirmEntryView(PermissionRequiredMixin, View):
    required_permission = CHECK_ENTRIES

    def post(self, request, order_no: str):
        form = ConfirmEntryForm(request.POST)
        note = form.cleaned_data["note"] if form.is_valid() else ""
        try:
            order = entry.confirm_entry(order_no=order_no, actor=Actor.of(request.user), note=note)
        except OrderNotFound:
            return not_found(request, order_no)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("web:order_detail", order_no=order_no)
        messages.success(
            request, _("Order %(no)s confirmed; it is now %(status)s.")
            % {"no": order.order_no, "status": order.get_status_display()},
        )
        return redirect("web:order_detail", order_no=order_no)


class ReturnEntryView(PermissionRequiredMixin, View):
    required_permission = CHECK_ENTRIES

    def post(self, request, order_no: str):
        form = ReturnEntryForm(request.POST)
        comment = form.cleaned_data["comment"] if form.is_valid() else ""
        try:
            entry.return_entry(order_no=order_no, actor=Actor.of(request.user), comment=comment)
        except OrderNotFound:
            return not_found(request, order_no)
        except ValidationFailed as exc:
            # Show the service's complaint next to the comment box and keep the page.
            form.add_error("comment", _("Say what needs correcting.") if "comment" in exc.details else exc.message)
            order = selectors.order_detail(order_no)
            context = detail_context(request, order, return_form=form)
            return render(request, "web/orders/detail.html", context, status=400)
        except PermissionDenied as exc:
            if exc.code == "permission_denied":
                return forbidden(request)
            messages.error(request, exc.message)
            return redirect("web:order_detail", order_no=order_no)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("web:order_detail", order_no=order_no)
        messages.success(request, _("Order %(no)s sent back for correction.") % {"no": order_no})
        return redirect("web:order_detail", order_no=order_no)
