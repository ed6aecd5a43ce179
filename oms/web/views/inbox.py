"""The inbox: notices to the signed-in person and their team, newest first."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from oms.inbox.selectors import notices_for, with_read_flag
from oms.inbox.services import mark_read
from oms.web.access import AUTHENTICATED, PermissionRequiredMixin

PAGE = 100


class InboxView(PermissionRequiredMixin, View):
    required_permission = AUTHENTICATED

    def get(self, request):
        show = request.GET.get("show", "unread")
        query = with_read_flag(request.user, notices_for(request.user).select_related("order"))
        if show != "all":
            query = query.filter(is_read=False)
        return render(request, "web/inbox/list.html", {
            "notices": list(query[:PAGE]), "show": "all" if show == "all" else "unread", "page_size": PAGE,
        })

    def post(self, request):
        ids = [int(i) for i in request.POST.getlist("notice") if i.isascii() and i.isdigit()]
        if request.POST.get("all"):
            ids = list(notices_for(request.user).values_list("pk", flat=True))
        count = mark_read(user=request.user, notice_ids=ids)
        messages.success(request, _("%(count)d notice(s) marked read.") % {"count": count})
        return redirect("web:inbox")
