"""Timeliness pages: each team's at-risk and overdue lists, and the back office for deadlines and the calendar."""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from oms.accounts.actor import Actor
from oms.accounts.roles import MANAGE_DEADLINES, VIEW_ORDERS
from oms.channels.models import Channel
from oms.core.errors import ApplicationError
from oms.timeliness import selectors, services
from oms.timeliness.deadlines import TEAM_STEP, ShipmentRule, State, Step
from oms.timeliness.models import CalendarDay, DayKind, DeadlinePolicy, WorkingWeek
from oms.timeliness.rules_source import POLICY_FIELDS
from oms.web.access import PermissionRequiredMixin, forbidden
from oms.web.labels import role_labels

PAGE_SIZE = 100
WEEKDAYS = [(0, gettext_lazy("Monday")), (1, gettext_lazy("Tuesday")), (2, gettext_lazy("Wednesday")),
            (3, gettext_lazy("Thursday")), (4, gettext_lazy("Friday")), (5, gettext_lazy("Saturday")),
            (6, gettext_lazy("Sunday"))]
STATE_LABELS = {State.AT_RISK: gettext_lazy("At risk"), State.OVERDUE: gettext_lazy("Overdue")}


class TimelinessIndexView(PermissionRequiredMixin, View):
    """`/timeliness/`: the first queue of the viewer's teams."""

    required_permission = VIEW_ORDERS

    def get(self, request):
        teams = selectors.teams_for(request.user)
        if not teams:
            return forbidden(request, reason=_("None of the team queues is yours."))
        return redirect("web:timeliness", team=teams[0])


class TeamQueueView(PermissionRequiredMixin, View):
    """One team's at-risk or overdue list (the team's own permission is checked too)."""

    required_permission = VIEW_ORDERS

    def get(self, request, team: str):
        if team not in selectors.TEAMS:
            raise Http404
        if not request.user.has_perm(selectors.TEAM_PERMISSION[team]):
            return forbidden(request, reason=_("This queue belongs to another team."))
        state = request.GET.get("state", State.AT_RISK)
        if state not in selectors.STATES:
            state = State.AT_RISK
        now = timezone.now()
        actor = Actor.of(request.user)
        teams = selectors.teams_for(request.user)
        counts = selectors.team_counts(teams=teams, now=now, actor=actor)
        page = Paginator(selectors.team_queue(team=team, state=state, now=now, actor=actor), PAGE_SIZE).get_page(
            request.GET.get("page"))
        labels = {t: role_labels((t,)) for t in teams}
        return render(request, "web/timeliness/queue.html", {
            "team": team, "state": state, "step": TEAM_STEP[team], "step_label": Step(TEAM_STEP[team]).label,
            "team_tabs": [{"team": t, "label": labels[t], "count": counts[t][State.AT_RISK] + counts[t][State.OVERDUE],
                           "active": t == team} for t in teams],
            "state_tabs": [{"state": s, "label": STATE_LABELS[s], "count": counts[team][s], "active": s == state}
                           for s in selectors.STATES],
            "page": page, "now": now, "manages": request.user.has_perm(MANAGE_DEADLINES),
            "page_numbers": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        })


class PolicyForm(forms.ModelForm):
    class Meta:
        model = DeadlinePolicy
        fields = list(POLICY_FIELDS)
        widgets = {"cutoff_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}


class DeadlinesView(PermissionRequiredMixin, View):
    """Deadlines per channel (operations): the default row and each channel's own."""

    required_permission = MANAGE_DEADLINES

    def _page(self, request, form, channel_code, status=200):
        policies = {p.channel_id: p for p in DeadlinePolicy.objects.select_related("channel")}
        default = next((p for p in policies.values() if p.is_default), None) or DeadlinePolicy(is_default=True)
        rows = [{"code": "", "name": _("Default (channels without their own)"), "policy": default}]
        for channel in Channel.objects.order_by("code"):
            rows.append({"code": channel.code, "name": channel.name, "policy": policies.get(channel.pk),
                         "uses_default": channel.pk not in policies})
        return render(request, "web/timeliness/deadlines.html", {
            "rows": rows, "form": form, "channel_code": channel_code, "shipment_rules": ShipmentRule,
        }, status=status)

    def get(self, request):
        code = request.GET.get("channel", "")
        if code:
            existing = DeadlinePolicy.objects.filter(channel__code=code).first()
        else:
            existing = DeadlinePolicy.objects.filter(is_default=True).first()
        if existing is None and code:  # a channel starts from the default's values
            existing = DeadlinePolicy.objects.filter(is_default=True).first()
        return self._page(request, PolicyForm(instance=existing or DeadlinePolicy()), code)

    def post(self, request):
        code = request.POST.get("channel", "")
        form = PolicyForm(request.POST)
        if not form.is_valid():
            return self._page(request, form, code, status=400)
        try:
            services.set_policy(channel_code=code or None, values={f: form.cleaned_data[f] for f in POLICY_FIELDS},
                                actor=Actor.of(request.user))
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            return self._page(request, form, code, status=exc.http_status)
        messages.success(request, _("Deadlines saved; open deadlines were recomputed."))
        return redirect(f"{request.path}?channel={code}" if code else request.path)


class WeekForm(forms.Form):
    weekdays = forms.TypedMultipleChoiceField(label=gettext_lazy("Working weekdays"), choices=WEEKDAYS, coerce=int,
                                              widget=forms.CheckboxSelectMultiple)


class DaysForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=DayKind.choices)
    dates = forms.CharField(label=gettext_lazy("Dates, one per line (YYYY-MM-DD)"),
                            widget=forms.Textarea(attrs={"rows": 8}), max_length=8000)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=100)


class CalendarView(PermissionRequiredMixin, View):
    """The working calendar (operations): working weekdays, holidays and make-up working days."""

    required_permission = MANAGE_DEADLINES

    def _page(self, request, week_form=None, days_form=None, status=200):
        week = WorkingWeek.objects.order_by("pk").first()
        current = [int(c) for c in week.weekdays] if week else [0, 1, 2, 3, 4]
        return render(request, "web/timeliness/calendar.html", {
            "week_form": week_form or WeekForm(initial={"weekdays": current}),
            "days_form": days_form or DaysForm(),
            "days": CalendarDay.objects.filter(day__gte=timezone.localdate().replace(month=1, day=1)),
        }, status=status)

    def get(self, request):
        return self._page(request)

    def post(self, request):
        actor = Actor.of(request.user)
        action = request.POST.get("action", "")
        try:
            if action == "weekdays":
                form = WeekForm(request.POST)
                if not form.is_valid():
                    return self._page(request, week_form=form, status=400)
                services.set_working_weekdays(weekdays=form.cleaned_data["weekdays"], actor=actor)
            elif action == "remove":
                services.remove_calendar_day(day=date.fromisoformat(request.POST.get("day", "")), actor=actor)
            else:
                form = DaysForm(request.POST)
                if not form.is_valid():
                    return self._page(request, days_form=form, status=400)
                days = services.parse_dates(form.cleaned_data["dates"])
                services.add_calendar_days(days=days, kind=form.cleaned_data["kind"],
                                           note=form.cleaned_data["note"], actor=actor)
        except ValueError:
            messages.error(request, _("Not a date."))
            return redirect(request.path)
        except ApplicationError as exc:
            details = "; ".join(str(m) for msgs in (exc.details or {}).values() for m in
                                (msgs if isinstance(msgs, list) else [msgs]))
            messages.error(request, f"{exc.message} {details}".strip())
            return redirect(request.path)
        messages.success(request, _("Calendar saved; open deadlines were recomputed."))
        return redirect(request.path)

