"""After-sales pages: the queue, a request with its actions, a new request from an order, receiving returns."""

from __future__ import annotations

import re

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from oms.accounts.actor import Actor, channel_scope, warehouse_scope
from oms.accounts.roles import (
    OVERRIDE_AFTER_SALES,
    RECEIVE_RETURNS,
    RECORD_PAYMENT,
    REQUEST_AFTER_SALES,
    REVIEW_AFTER_SALES,
    VIEW_ORDERS,
)
from oms.aftersales import exchange, photos, receiving, requests, selectors
from oms.aftersales.errors import PhotoNotFound, RequestNotFound
from oms.aftersales.selectors import Tab
from oms.aftersales.status import ItemCondition, RequestKind, RequestReason, RequestStatus
from oms.core.errors import ApplicationError, PermissionDenied, ValidationFailed
from oms.inventory.models import Warehouse
from oms.orders.errors import OrderNotFound
from oms.orders.models import Order
from oms.web.access import PermissionRequiredMixin, forbidden
from oms.web.views.action_forms import ActionFormsMixin

PAGE_SIZE = 100
TABS = [(Tab.TO_REVIEW, gettext_lazy("To review")), (Tab.AWAITING_PARCEL, gettext_lazy("Awaiting return parcel")),
        (Tab.RECEIVED, gettext_lazy("Received")), (Tab.DONE, gettext_lazy("Done"))]
TEXT = {"max_length": 500, "widget": forms.Textarea(attrs={"rows": 2})}
WHOLE_NUMBER = re.compile(r"[0-9]+")  # not str.isdigit(): "²" is a digit that int() refuses


def _not_found(request):
    return render(request, "web/404.html", {}, status=404)


def _scope(user) -> frozenset[int] | None:
    """Warehouse staff see the parcels coming back to their own warehouses; reviewers see everything."""
    if user.has_perm(REVIEW_AFTER_SALES):
        return None
    return warehouse_scope(Actor.of(user))


class QueueView(PermissionRequiredMixin, View):
    required_permission = VIEW_ORDERS

    def get(self, request):
        tab = request.GET.get("tab") or Tab.TO_REVIEW
        if tab not in Tab.ALL:
            tab = Tab.TO_REVIEW
        kind = request.GET.get("kind", "")
        kind = kind if kind in RequestKind.values else ""
        scope = _scope(request.user)
        channels = channel_scope(Actor.of(request.user))
        qs = selectors.queue(selectors.QueueFilters(tab=tab, kind=kind, warehouse_ids=scope, channel_ids=channels,
                                                    order_no=request.GET.get("order_no", "").strip()))
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        counts = selectors.tab_counts(scope, channels)
        return render(request, "web/aftersales/queue.html", {
            "page": page, "tab": tab, "kind": kind, "kinds": RequestKind.choices,
            "tabs": [{"key": k, "label": label, "count": counts.get(k)} for k, label in TABS],
        })


class ApproveForm(forms.Form):
    return_warehouse = forms.ChoiceField(label=gettext_lazy("Receiving warehouse"), required=False)
    override_reason = forms.CharField(label=gettext_lazy("Supervisor's reason (outside the rules)"),
                                      required=False, **TEXT)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, **TEXT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["return_warehouse"].choices = [
            ("", _("The warehouse that shipped")), *Warehouse.objects.filter(active=True).values_list("code", "name")]


class RejectForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason told to the buyer"), **TEXT)


class NoteForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Note"), required=False, **TEXT)


class ReplacementForm(forms.Form):
    warehouse = forms.ChoiceField(label=gettext_lazy("Send from"), required=False)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, **TEXT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].choices = [
            ("", _("The receiving warehouse")), *Warehouse.objects.filter(active=True).values_list("code", "name")]


class DifferenceForm(forms.Form):
    reference = forms.CharField(label=gettext_lazy("Payment reference"), max_length=64)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, **TEXT)


FORMS = {"approve": ApproveForm, "reject": RejectForm, "withdraw": NoteForm, "send_replacement": ReplacementForm,
         "collect_difference": DifferenceForm, "photos": NoteForm}


def _run(action: str, number: str, data: dict, actor: Actor, files) -> str:
    if action == "approve":
        requests.approve_request(number=number, actor=actor, return_warehouse=data["return_warehouse"],
                                 override_reason=data["override_reason"], note=data["note"])
        return _("Request approved.")
    if action == "reject":
        requests.reject_request(number=number, actor=actor, reason=data["reason"])
        return _("Request rejected; the buyer is told the reason.")
    if action == "withdraw":
        requests.withdraw_request(number=number, actor=actor, note=data["note"])
        return _("Request withdrawn.")
    if action == "send_replacement":
        package = exchange.send_replacement(number=number, actor=actor, warehouse=data["warehouse"],
                                            note=data["note"])
        if package is None:
            return _("Nothing to send: no unit passed inspection.")
        return _("Replacement package %(no)s created; its stock is reserved.") % {"no": package.number}
    if action == "collect_difference":
        exchange.collect_difference(number=number, actor=actor, reference=data["reference"], note=data["note"])
        return _("Difference recorded as collected.")
    photos.add_photos(number=number, uploads=files.getlist("photos"), actor=actor)
    return _("Photos added.")


class RequestView(PermissionRequiredMixin, ActionFormsMixin, View):
    # Each action checks its own permission in its service (review, withdraw, collect, photos).
    required_permission = VIEW_ORDERS
    action_forms = FORMS
    not_found = (RequestNotFound,)

    def show(self, number: str, *, bound: dict | None = None, error: ApplicationError | None = None,
             status: int = 200):
        try:
            item = selectors.get_request(number)
        except RequestNotFound:
            return _not_found(self.request)
        lines = selectors.request_lines(item)
        user = self.request.user
        is_open = item.status in (RequestStatus.SUBMITTED, RequestStatus.APPROVED)
        forms_ = {name: (bound or {}).get(name) or cls(prefix=name) for name, cls in FORMS.items()}
        return render(self.request, "web/aftersales/detail.html", {
            "r": item, "lines": lines, "forms": forms_, "error": error,
            "data": selectors.request_data(item, lines=lines),
            "refunds": item.refunds.order_by("id"),
            "can_review": user.has_perm(REVIEW_AFTER_SALES) and item.status == RequestStatus.SUBMITTED,
            "can_override": user.has_perm(OVERRIDE_AFTER_SALES),
            "can_withdraw": user.has_perm(REQUEST_AFTER_SALES) and is_open,
            "can_receive": user.has_perm(RECEIVE_RETURNS) and item.status == RequestStatus.APPROVED
            and item.kind != RequestKind.REFUND_ONLY,
            "can_send": user.has_perm(REVIEW_AFTER_SALES) and item.kind == RequestKind.EXCHANGE
            and item.status == RequestStatus.RECEIVED
            and not (item.difference_due > 0 and item.difference_collected_at is None),
            "can_collect": user.has_perm(RECORD_PAYMENT) and item.difference_due > 0
            and item.difference_collected_at is None,
            "can_add_photos": user.has_perm(REQUEST_AFTER_SALES),
            "attachments": list(item.attachments.order_by("id")),
        }, status=status)

    def get(self, request, number: str):
        return self.show(number)

    def perform(self, action: str, key: str, data: dict, actor: Actor) -> str:
        return _run(action, key, data, actor, self.request.FILES)

    def done_url(self, key: str) -> str:
        return reverse("web:after_sales_request", args=[key])

    def not_found_response(self, request):
        return _not_found(request)


class PhotoView(PermissionRequiredMixin, View):
    required_permission = VIEW_ORDERS

    def get(self, request, number: str, photo_id: str):
        try:
            found = photos.photo(number=number, photo_id=photo_id, actor=Actor.of(request.user))
            handle = found.file.open("rb")
        except (PhotoNotFound, OSError):
            return _not_found(request)
        response = FileResponse(handle, content_type=found.content_type)
        response["X-Content-Type-Options"] = "nosniff"
        return response


class NewRequestForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Type"), choices=RequestKind.choices)
    reason = forms.ChoiceField(label=gettext_lazy("Reason"), choices=RequestReason.choices)
    description = forms.CharField(label=gettext_lazy("Buyer's description"), required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    override_reason = forms.CharField(label=gettext_lazy("Supervisor's reason (outside the rules)"),
                                      required=False, **TEXT)


def _line_inputs(post, order_lines) -> tuple[list, dict]:
    """Lines from the per-line inputs qty_N, sku_N, price_N; errors by line number."""
    out, errors = [], {}
    for ln in order_lines:
        raw = (post.get(f"qty_{ln.line_no}") or "").strip()
        if not raw or raw == "0":
            continue
        if not WHOLE_NUMBER.fullmatch(raw):
            errors[ln.line_no] = _("A whole number of units.")
            continue
        item = {"line_no": ln.line_no, "quantity": int(raw)}
        if post.get(f"sku_{ln.line_no}", "").strip():
            item["exchange_sku"] = post[f"sku_{ln.line_no}"].strip()
        if post.get(f"price_{ln.line_no}", "").strip():
            item["exchange_unit_price"] = post[f"price_{ln.line_no}"].strip()
        out.append(item)
    return out, errors


class NewRequestView(PermissionRequiredMixin, View):
    required_permission = REQUEST_AFTER_SALES

    def _order(self, order_no):
        return Order.objects.filter(order_no=order_no).select_related("channel").first()

    def show(self, order, form, *, line_errors=None, error=None, status=200):
        lines = list(order.lines.order_by("line_no"))
        post = self.request.POST
        rows = [{"ln": ln, "qty": post.get(f"qty_{ln.line_no}", ""), "sku": post.get(f"sku_{ln.line_no}", ""),
                 "price": post.get(f"price_{ln.line_no}", ""), "error": (line_errors or {}).get(ln.line_no)}
                for ln in lines]
        return render(self.request, "web/aftersales/new.html", {
            "order": order, "form": form, "rows": rows, "error": error,
            "can_override": self.request.user.has_perm(OVERRIDE_AFTER_SALES),
        }, status=status)

    def get(self, request, order_no: str):
        order = self._order(order_no)
        if order is None:
            return _not_found(request)
        return self.show(order, NewRequestForm())

    def post(self, request, order_no: str):
        order = self._order(order_no)
        if order is None:
            return _not_found(request)
        form = NewRequestForm(request.POST)
        raw_lines, line_errors = _line_inputs(request.POST, order.lines.order_by("line_no"))
        if not form.is_valid() or line_errors:
            return self.show(order, form, line_errors=line_errors, status=400)
        if not raw_lines:
            return self.show(order, form, error=ValidationFailed(_("Give the units of at least one line.")),
                             status=400)
        data = form.cleaned_data
        try:
            created = requests.submit_request(
                order_no=order.order_no, kind=data["kind"], reason=data["reason"],
                lines=requests.parse_lines(raw_lines), actor=Actor.of(request.user),
                description=data["description"], photos=request.FILES.getlist("photos"),
                override_reason=data["override_reason"])
        except OrderNotFound:
            return _not_found(request)
        except PermissionDenied as exc:
            if exc.code == "permission_denied":
                return forbidden(request)
            return self.show(order, form, error=exc, status=403)
        except ApplicationError as exc:
            return self.show(order, form, error=exc, status=exc.http_status)
        messages.success(request, _("After-sales request %(no)s opened.") % {"no": created.number})
        return redirect(reverse("web:after_sales_request", args=[created.number]))


class ReceiveScanView(PermissionRequiredMixin, View):
    required_permission = RECEIVE_RETURNS

    def get(self, request):
        code = (request.GET.get("code") or "").strip()
        actor = Actor.of(request.user)
        found = selectors.find_parcel(code, actor) if code else None
        if found is not None:
            return redirect(reverse("web:returns_inspect", args=[found.number]))
        waiting = selectors.queue(selectors.QueueFilters(tab=Tab.AWAITING_PARCEL, warehouse_ids=warehouse_scope(actor),
                                                         channel_ids=channel_scope(actor)))[:100]
        return render(request, "web/aftersales/receive_scan.html", {
            "code": code, "not_found": bool(code), "waiting": waiting}, status=404 if code else 200)


CONDITIONS = [c for c, _label in ItemCondition.choices]


class InspectView(PermissionRequiredMixin, View):
    required_permission = RECEIVE_RETURNS

    def show(self, item, *, error=None, status=200):
        post = self.request.POST
        lines = selectors.request_lines(item)
        rows = [{"al": al, "values": [(c, label, post.get(f"{c}_{al.line.line_no}", "")) for c, label in
                                      ItemCondition.choices],
                 "note": post.get(f"note_{al.line.line_no}", "")} for al in lines]
        return render(self.request, "web/aftersales/inspect.html", {
            "r": item, "rows": rows, "error": error,
            "receivable": item.status == RequestStatus.APPROVED and item.kind != RequestKind.REFUND_ONLY,
            "tracking_no": post.get("tracking_no", item.return_tracking_no), "carrier": post.get("carrier", ""),
            "note": post.get("note", ""),
        }, status=status)

    def get(self, request, number: str):
        try:
            return self.show(selectors.get_request(number))
        except RequestNotFound:
            return _not_found(request)

    def post(self, request, number: str):
        try:
            item = selectors.get_request(number)
        except RequestNotFound:
            return _not_found(request)
        rows, problems = [], {}
        for al in item.lines.select_related("line"):
            no = al.line.line_no
            for condition in CONDITIONS:
                raw = (request.POST.get(f"{condition}_{no}") or "").strip() or "0"
                if not WHOLE_NUMBER.fullmatch(raw):
                    problems[f"line {no}"] = [_("Whole numbers of units.")]
                    continue
                if int(raw):
                    rows.append(receiving.InspectionInput(line_no=no, condition=condition, quantity=int(raw),
                                                          note=(request.POST.get(f"note_{no}") or "").strip()[:500]))
        if problems:
            return self.show(item, error=ValidationFailed(details=problems), status=400)
        try:
            receiving.receive_parcel(number=number, actor=Actor.of(request.user), inspections=rows,
                                     tracking_no=request.POST.get("tracking_no", ""),
                                     carrier=request.POST.get("carrier", ""), note=request.POST.get("note", ""),
                                     photos=request.FILES.getlist("photos"))
        except ApplicationError as exc:
            return self.show(item, error=exc, status=exc.http_status)
        messages.success(request, _("Parcel %(no)s received and inspected.") % {"no": number})
        return redirect(reverse("web:after_sales_request", args=[number]))
