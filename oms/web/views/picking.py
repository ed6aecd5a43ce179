"""Picking pages: open pick lists and a new wave, and the scan screen for a keyboard-wedge scanner.

The scanner types the code and Enter into the one text field; the page answers with the next
stop, or with a loud refusal (wrong bin, wrong item, one too many) that changes nothing.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from oms.accounts.actor import Actor, OutOfScope, warehouse_scope
from oms.accounts.roles import PICK_ORDERS
from oms.core.errors import ApplicationError
from oms.fulfillment import merging, scanning
from oms.fulfillment.errors import PickListNotFound
from oms.fulfillment.models import PickList, PickListStatus
from oms.fulfillment.picking import DEFAULT_MAX_LINES, MAX_LINES, WaveRules, create_pick_list
from oms.fulfillment.selectors import require_pick_list_scope
from oms.inventory.models import Warehouse
from oms.shipping.models import Carrier
from oms.timeliness.deadlines import STEP_TEAM, State, Step
from oms.timeliness.selectors import markers, team_counts, team_queue
from oms.web.access import PermissionRequiredMixin, forbidden

URGENT_SHOWN = 10  # most urgent orders shown above the waves; the full list is on the timeliness page

SCAN_EVENTS = {
    "bin_confirmed": gettext_lazy("Bin confirmed. Scan the items."),
    "picked": gettext_lazy("Picked one unit."),
    "short": gettext_lazy("Short pick recorded; the orders wait for stock."),
    "done": gettext_lazy("Pick list complete."),
}


class WaveForm(forms.Form):
    warehouse = forms.ChoiceField(label=gettext_lazy("Warehouse"))
    carrier = forms.ChoiceField(label=gettext_lazy("Carrier"), required=False)
    max_lines = forms.IntegerField(label=gettext_lazy("Lines at most"), min_value=1, max_value=MAX_LINES,
                                   initial=DEFAULT_MAX_LINES)
    cutoff = forms.DateTimeField(label=gettext_lazy("Orders placed by"), required=False,
                                 help_text=gettext_lazy("For the carrier's last pickup: only orders placed by then."),
                                 widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                 input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])

    def __init__(self, *args, scope: frozenset[int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        warehouses = Warehouse.objects.filter(active=True)
        if scope is not None:
            warehouses = warehouses.filter(pk__in=scope)
        self.fields["warehouse"].choices = list(warehouses.values_list("code", "name"))
        self.fields["carrier"].choices = [("", _("Any carrier"))] + list(
            Carrier.objects.filter(active=True).values_list("code", "name"))


def urgent_shipments(actor: Actor) -> dict:
    """The warehouse queue's at-risk and overdue orders (most urgent first) with their badges."""
    now = timezone.now()
    team = STEP_TEAM[Step.SHIPMENT]
    urgent = list(team_queue(team=team, state=State.OVERDUE, now=now, actor=actor)[:URGENT_SHOWN])
    urgent += list(team_queue(team=team, state=State.AT_RISK, now=now, actor=actor)[:URGENT_SHOWN - len(urgent)])
    return {"urgent_shipments": urgent, "urgent_counts": team_counts(teams=[team], now=now, actor=actor)[team],
            "deadline_markers": markers(step=Step.SHIPMENT, subject_ids=[d.order_id for d in urgent], now=now)}


class PickListsView(PermissionRequiredMixin, View):
    required_permission = PICK_ORDERS

    def scope(self):
        return warehouse_scope(Actor.of(self.request.user))

    def show(self, form, status=200):
        open_lists = PickList.objects.filter(status=PickListStatus.OPEN).select_related("warehouse")
        if self.scope() is not None:
            open_lists = open_lists.filter(warehouse_id__in=self.scope())
        return render(self.request, "web/picking/lists.html", {
            "form": form, "pick_lists": open_lists.order_by("-created_at")[:100],
            "merge_groups": merging.merge_candidates(scope=self.scope())[:50],
            **urgent_shipments(Actor.of(self.request.user))}, status=status)

    def get(self, request):
        return self.show(WaveForm(scope=self.scope()))

    def post(self, request):
        if "merge" in request.POST:
            try:
                merged = merging.merge_packages(package_numbers=request.POST.getlist("package"),
                                                actor=Actor.of(request.user))
            except ApplicationError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Merged into package %(number)s.") % {"number": merged.number})
            return redirect(reverse("web:pick_lists"))
        form = WaveForm(request.POST, scope=self.scope())
        if not form.is_valid():
            return self.show(form, status=400)
        data = form.cleaned_data
        try:
            pick_list = create_pick_list(warehouse_code=data["warehouse"], actor=Actor.of(request.user),
                                         rules=WaveRules(carrier=data["carrier"] or None, max_lines=data["max_lines"],
                                                         cutoff=data["cutoff"]))
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            return self.show(form, status=exc.http_status)
        return redirect(reverse("web:pick_scan", args=[pick_list.number]))


class ScanView(PermissionRequiredMixin, View):
    required_permission = PICK_ORDERS

    def show(self, number: str, *, error: ApplicationError | None = None, status: int = 200, event: str = ""):
        try:
            require_pick_list_scope(number, Actor.of(self.request.user))
            state = scanning.pick_progress(number)
        except PickListNotFound as exc:
            raise Http404(number) from exc
        except OutOfScope:
            return forbidden(self.request)
        context = {"state": state, "error": error, "event": SCAN_EVENTS.get(event, ""),
                   "percent": round(100 * (state.picked + state.short) / state.total) if state.total else 100}
        return render(self.request, "web/picking/scan.html", context, status=status)

    def get(self, request, number: str):
        return self.show(number)

    def post(self, request, number: str):
        actor = Actor.of(request.user)
        try:
            if "short" in request.POST:
                state = scanning.report_short(number=number, actor=actor)
            else:
                state = scanning.scan(number=number, code=request.POST.get("code", ""), actor=actor)
        except PickListNotFound as exc:
            raise Http404(number) from exc
        except ApplicationError as exc:
            return self.show(number, error=exc, status=exc.http_status)
        if state.event == "done":
            messages.success(request, SCAN_EVENTS["done"])
        return self.show(number, event=state.event)
