"""Hand-over pages: open a list per carrier, scan packed parcels onto it with their tracking
numbers, print it, and hand it over to the courier."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from oms.accounts.actor import Actor, OutOfScope, warehouse_scope
from oms.accounts.roles import HAND_OVER
from oms.core.errors import ApplicationError
from oms.inventory.models import Warehouse
from oms.shipping import handover
from oms.shipping.documents.handover_pdf import render_handover
from oms.shipping.handover_selectors import handover_lists, handover_sheet, packed_waiting, require_handover_scope
from oms.shipping.models import Carrier
from oms.web.access import PermissionRequiredMixin, forbidden


class NewListForm(forms.Form):
    warehouse = forms.ChoiceField(label=gettext_lazy("Warehouse"))
    carrier = forms.ChoiceField(label=gettext_lazy("Carrier"))

    def __init__(self, *args, scope=None, **kwargs):
        super().__init__(*args, **kwargs)
        warehouses = Warehouse.objects.filter(active=True)
        if scope is not None:
            warehouses = warehouses.filter(pk__in=scope)
        self.fields["warehouse"].choices = list(warehouses.values_list("code", "name"))
        self.fields["carrier"].choices = list(Carrier.objects.filter(active=True).values_list("code", "name"))


class HandoverListsView(PermissionRequiredMixin, View):
    required_permission = HAND_OVER

    def render_page(self, form: NewListForm, status: int = 200):
        actor = Actor.of(self.request.user)
        return render(self.request, "web/handover/lists.html", {
            "form": form, "lists": handover_lists(actor=actor), "waiting": packed_waiting(actor=actor)},
            status=status)

    def get(self, request):
        return self.render_page(NewListForm(scope=warehouse_scope(Actor.of(request.user))))

    def post(self, request):
        actor = Actor.of(request.user)
        form = NewListForm(request.POST, scope=warehouse_scope(actor))
        if not form.is_valid():
            return self.render_page(form, status=400)
        try:
            created = handover.open_handover_list(carrier_code=form.cleaned_data["carrier"],
                                                  warehouse_code=form.cleaned_data["warehouse"], actor=actor)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            return self.render_page(form, status=exc.http_status)
        return redirect(reverse("web:handover_detail", args=[created.number]))


class HandoverDetailView(PermissionRequiredMixin, View):
    required_permission = HAND_OVER

    def show(self, number: str, *, error: ApplicationError | None = None, notice: str = "", status: int = 200,
             typed: dict | None = None):
        try:
            require_handover_scope(number, Actor.of(self.request.user))
        except handover.HandoverListNotFound as exc:
            raise Http404(number) from exc
        except OutOfScope:
            return forbidden(self.request)
        return render(self.request, "web/handover/detail.html", {
            "sheet": handover_sheet(number), "error": error, "notice": notice, "typed": typed or {}}, status=status)

    def get(self, request, number: str):
        return self.show(number)

    def post(self, request, number: str):
        actor = Actor.of(request.user)
        code = request.POST.get("code", "").strip()
        tracking_no = request.POST.get("tracking_no", "").strip()
        try:
            if "hand_over" in request.POST:
                handover.hand_over(list_number=number, courier_name=request.POST.get("courier_name", ""),
                                   actor=actor)
                messages.success(request, _("Handed over: the parcels are shipped and the buyers told."))
                return redirect(reverse("web:handover_detail", args=[number]))
            if "remove" in request.POST:
                handover.remove_from_list(list_number=number, package_number=request.POST["remove"], actor=actor)
                return self.show(number, notice=_("Taken off the list."))
            scanned = handover.scan_onto_list(list_number=number, code=code, tracking_no=tracking_no, actor=actor)
        except handover.HandoverListNotFound as exc:
            raise Http404(number) from exc
        except ApplicationError as exc:
            return self.show(number, error=exc, status=exc.http_status, typed={"code": code,
                                                                               "tracking_no": tracking_no})
        if scanned.already_on_list:
            return self.show(number, notice=_("%(package)s is already on this list.") % {
                "package": scanned.package.number})
        return self.show(number, notice=_("%(package)s added with tracking number %(tracking)s.") % {
            "package": scanned.package.number, "tracking": scanned.package.tracking_no})


class HandoverPdfView(PermissionRequiredMixin, View):
    required_permission = HAND_OVER

    def get(self, request, number: str):
        try:
            require_handover_scope(number, Actor.of(request.user))
            pdf = render_handover(handover_sheet(number))
        except handover.HandoverListNotFound as exc:
            raise Http404(number) from exc
        except OutOfScope:
            return forbidden(request)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect(reverse("web:handover_detail", args=[number]))
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{number}.pdf"'
        return response
