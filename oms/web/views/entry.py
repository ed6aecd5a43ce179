"""Manual entry of an offline order, and editing a draft before or after its check."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from oms.accounts.actor import Actor
from oms.accounts.roles import ENTER_ORDERS
from oms.channels.selectors import channel_lookup
from oms.core.errors import ApplicationError
from oms.orders import entry, selectors
from oms.orders.errors import OrderNotFound
from oms.orders.intake.validation import parse_intake
from oms.orders.models import Order
from oms.orders.status import OrderStatus
from oms.web.access import PermissionRequiredMixin, forbidden
from oms.web.entry_forms import EntryForms
from oms.web.views.orders import not_found


class EntryFormView(PermissionRequiredMixin, View):
    required_permission = ENTER_ORDERS
    order: Order | None = None

    def save(self, command, actor: Actor) -> Order:
        raise NotImplementedError

    def saved(self, order: Order):
        raise NotImplementedError

    def show(self, forms: EntryForms, *, status: int = 200):
        context = {"forms": forms, "order": self.order, "form": forms.order}
        return render(self.request, "web/orders/form.html", context, status=status)

    def submit(self, request):
        if "add_line" in request.POST:
            return self.show(EntryForms.with_extra_row(request.POST, "lines"))
        if "add_discount" in request.POST:
            return self.show(EntryForms.with_extra_row(request.POST, "discounts"))
        forms = EntryForms.bind(request.POST)
        if not forms.is_valid():
            return self.show(forms, status=400)
        try:
            command = parse_intake(
                forms.payload(), channel_lookup=channel_lookup, require_external_id=False,
                default_placed_at=timezone.now(),
            )
            order = self.save(command, Actor.of(request.user))
        except ApplicationError as exc:
            if exc.code == "permission_denied":
                return forbidden(request)
            forms.general_errors.append(exc.message)
            forms.show_errors(exc.details)
            return self.show(forms, status=exc.http_status)
        return self.saved(order)


class OrderNewView(EntryFormView):
    def get(self, request):
        return self.show(EntryForms.blank())

    def post(self, request):
        return self.submit(request)

    def save(self, command, actor):
        return entry.enter_order(command=command, actor=actor)

    def saved(self, order):
        messages.success(
            self.request,
            _("Order %(no)s saved as draft, waiting for a second person's check.") % {"no": order.order_no},
        )
        return redirect("web:order_detail", order_no=order.order_no)


class OrderEditView(EntryFormView):
    def load(self, order_no: str):
        try:
            self.order = selectors.order_detail(order_no)
        except OrderNotFound:
            return not_found(self.request, order_no)
        if self.order.status != OrderStatus.DRAFT:
            messages.error(self.request, _("Only drafts can be edited here."))
            return redirect("web:order_detail", order_no=order_no)
        return None

    def get(self, request, order_no: str):
        return self.load(order_no) or self.show(EntryForms.from_order(self.order))

    def post(self, request, order_no: str):
        return self.load(order_no) or self.submit(request)

    def save(self, command, actor):
        return entry.edit_draft(order_no=self.order.order_no, command=command, actor=actor)

    def saved(self, order):
        messages.success(
            self.request,
            _("Draft %(no)s updated; it waits for a second person's check again.") % {"no": order.order_no},
        )
        return redirect("web:order_detail", order_no=order.order_no)
