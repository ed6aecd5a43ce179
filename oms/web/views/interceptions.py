"""The warehouse's interception queue (拦截): open requests oldest first, with Confirm / Already left."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from oms.accounts.actor import Actor
from oms.accounts.roles import RESOLVE_INTERCEPTIONS
from oms.core.errors import ApplicationError
from oms.fulfillment.interception import confirm_interception, report_too_late
from oms.fulfillment.interception_selectors import bins_by_package, interceptions
from oms.fulfillment.models import InterceptionStatus
from oms.inventory.models import Warehouse
from oms.orders.cancellation import REASON_LABELS
from oms.web.access import PermissionRequiredMixin

PAGE = 200


class FilterForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False,
                               choices=[("", gettext_lazy("Open")), *[c for c in InterceptionStatus.choices
                                                                       if c[0] != InterceptionStatus.REQUESTED],
                                        ("all", gettext_lazy("All"))])
    warehouse = forms.ChoiceField(label=gettext_lazy("Warehouse"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].choices = [("", _("All warehouses")),
                                            *Warehouse.objects.order_by("code").values_list("code", "name")]


class QueueView(PermissionRequiredMixin, View):
    required_permission = RESOLVE_INTERCEPTIONS

    def get(self, request):
        form = FilterForm(request.GET)
        data = form.cleaned_data if form.is_valid() else {}
        status = {"": InterceptionStatus.REQUESTED, "all": ""}.get(data.get("status", ""), data.get("status", ""))
        query = interceptions(actor=Actor.of(request.user), status=status, warehouse=data.get("warehouse", ""))
        items = list(query[:PAGE])
        bins = bins_by_package([i.package_id for i in items])
        rows = [{"i": i, "bins": bins.get(i.package_id, []), "reason": REASON_LABELS.get(i.reason, i.reason),
                 "open": i.status == InterceptionStatus.REQUESTED} for i in items]
        return render(request, "web/interceptions/queue.html", {
            "form": form, "rows": rows, "total": query.count(), "page_size": PAGE,
        })


class ResolveView(PermissionRequiredMixin, View):
    required_permission = RESOLVE_INTERCEPTIONS
    action = "confirm"

    def post(self, request, interception_id: str):
        actor = Actor.of(request.user)
        note = (request.POST.get("note") or "")[:2000]
        try:
            if self.action == "confirm":
                outcome = confirm_interception(interception_id=interception_id, actor=actor, note=note)
            else:
                outcome = report_too_late(interception_id=interception_id, actor=actor, note=note)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("web:interceptions")
        i = outcome.interception
        if not outcome.changed:
            messages.info(request, _("This interception was already resolved."))
        elif self.action == "confirm":
            back = "; ".join(f"{r['sku']} × {r['units']} → {r['bin'] or '?'}" for r in outcome.returns)
            text = _("Package %(package)s intercepted.") % {"package": i.package.number}
            if back:
                text += " " + _("Put back: %(back)s.") % {"back": back}
            if outcome.order_cancelled:
                text += " " + _("Order %(no)s is cancelled.") % {"no": i.order.order_no}
            messages.success(request, text)
        else:
            messages.success(request, _("Package %(package)s reported as already gone; customer service continues "
                                        "with after-sales.") % {"package": i.package.number})
        return redirect("web:interceptions")
