"""Packing pages: scan a package, re-check every unit, pack it in the suggested (or another) box,
weigh it, and print its label."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from oms.accounts.actor import Actor, OutOfScope
from oms.accounts.roles import PACK_ORDERS
from oms.core.errors import ApplicationError
from oms.fulfillment import packing
from oms.fulfillment.documents.labels_pdf import render_labels
from oms.fulfillment.errors import PackageNotFound
from oms.fulfillment.models import BoxType, Interception, InterceptionStatus
from oms.fulfillment.selectors import label_data, require_package_scope
from oms.shipping.handover import assign_waybills
from oms.web.access import PermissionRequiredMixin, forbidden


class PackForm(forms.Form):
    box = forms.ChoiceField(label=gettext_lazy("Box"))
    weight_g = forms.IntegerField(label=gettext_lazy("Weighed (g)"), min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["box"].choices = list(BoxType.objects.filter(active=True).values_list("code", "name"))


class PackStartView(PermissionRequiredMixin, View):
    required_permission = PACK_ORDERS

    def get(self, request):
        number = (request.GET.get("package") or "").strip()
        if number:
            return redirect(reverse("web:pack_package", args=[number]))
        return render(request, "web/packing/start.html", {})


class PackPackageView(PermissionRequiredMixin, View):
    required_permission = PACK_ORDERS

    def show(self, number: str, *, error: ApplicationError | None = None, form: PackForm | None = None,
             status: int = 200, notice: str = ""):
        try:
            state = packing.packing_state(number)
        except PackageNotFound as exc:
            raise Http404(number) from exc
        try:
            require_package_scope([number], Actor.of(self.request.user))
        except OutOfScope:
            return forbidden(self.request)
        if Interception.objects.filter(package=state.package, status=InterceptionStatus.REQUESTED).exists():
            messages.warning(self.request, _("Interception requested: this order is being cancelled. Do not pack "
                                             "or ship this package; confirm the interception in the queue."))
        if form is None:
            form = PackForm(initial={"box": state.suggestion.box.code if state.suggestion else None,
                                     "weight_g": state.expected_weight_g or None})
        return render(self.request, "web/packing/package.html",
                      {"state": state, "error": error, "form": form, "notice": notice}, status=status)

    def get(self, request, number: str):
        return self.show(number)

    def post(self, request, number: str):
        actor = Actor.of(request.user)
        form = None
        try:
            if "pack" in request.POST:
                form = PackForm(request.POST)
                if not form.is_valid():
                    return self.show(number, form=form, status=400)
                _state, off = packing.pack(number=number, weight_g=form.cleaned_data["weight_g"],
                                           box_code=form.cleaned_data["box"], actor=actor)
                if off:
                    messages.warning(request, _("The weight differs from the expected weight by more than the "
                                                "tolerance: check the contents."))
                else:
                    messages.success(request, _("Packed."))
                return redirect(reverse("web:pack_package", args=[number]))
            packing.recheck_scan(number=number, code=request.POST.get("code", ""), actor=actor)
        except PackageNotFound as exc:
            raise Http404(number) from exc
        except ApplicationError as exc:
            return self.show(number, error=exc, form=form, status=exc.http_status)
        return self.show(number, notice=_("Checked one unit."))


class PackLabelView(PermissionRequiredMixin, View):
    required_permission = PACK_ORDERS

    def post(self, request, number: str):
        try:
            require_package_scope([number], Actor.of(request.user))
            assign_waybills(package_numbers=[number], actor=Actor.of(request.user))
            pdf = render_labels(label_data([number]))
        except PackageNotFound as exc:
            raise Http404(number) from exc
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect(reverse("web:pack_package", args=[number]))
        packing.record_labels_printed(package_numbers=[number], actor=Actor.of(request.user))
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="label-{number}.pdf"'
        return response
