"""The officer's document inbox: one tab per job waiting (to register, to direct, to assign, to
process, my drafts, to review, to sign, to issue), earliest deadline first, overdue rows
highlighted, keyset pages (never a COUNT). Leaders see the urgent documents at the top."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from .. import selectors, services
from ..models import DocumentAlert
from .common import officer_required, safe_reverse

#: tab → (label, selector, roles that see it, rows are assignments, rows are outgoing)
TABS = {
    "to_register": (gettext_lazy("Cần vào sổ"), selectors.inbox_to_register, {"clerk"}),
    "to_direct": (gettext_lazy("Cần cho ý kiến chỉ đạo"), selectors.inbox_to_direct, {"leader"}),
    "to_assign": (gettext_lazy("Cần phân công"), selectors.inbox_to_assign, {"leader"}),
    "to_process": (
        gettext_lazy("Cần xử lý"),
        selectors.inbox_to_process,
        {"specialist", "leader"},
    ),
    "my_drafts": (
        gettext_lazy("Dự thảo của tôi"),
        selectors.inbox_my_drafts,
        {"specialist", "leader"},
    ),
    "to_review": (gettext_lazy("Cần xem xét"), selectors.inbox_to_review, {"leader"}),
    "to_sign": (gettext_lazy("Cần ký"), selectors.inbox_to_sign, {"leader"}),
    "to_issue": (gettext_lazy("Cần phát hành"), selectors.inbox_to_issue, {"clerk"}),
}
ASSIGNMENT_TABS = {"to_assign", "to_process"}
OUTGOING_TABS = {"my_drafts", "to_review", "to_sign", "to_issue"}


def tabs_for(user) -> list[tuple[str, str]]:
    roles = user.roles()
    return [
        (key, label)
        for key, (label, _sel, allowed) in TABS.items()
        if user.is_superuser or roles & allowed
    ]


def _query_without_cursor(request) -> str:
    params = [(k, v) for k, values in request.GET.lists() for v in values if k != "after"]
    return urlencode(params)


@officer_required
def inbox(request):
    user = request.user
    tabs = tabs_for(user)
    keys = [k for k, _label in tabs]
    tab = request.GET.get("tab") or (keys[0] if keys else "")
    if tab not in keys:
        tab = keys[0] if keys else ""
    now = timezone.now()
    page = None
    if tab:
        page = TABS[tab][1](user, cursor=request.GET.get("after"), size=50, now=now)
    roles = user.roles()
    alerts = selectors.unread_alerts(user, size=20)
    urgent = [a for a in alerts if a.kind == DocumentAlert.Kind.URGENT]
    others = [a for a in alerts if a.kind != DocumentAlert.Kind.URGENT]
    context = {
        "tab": tab,
        "tabs": tabs,
        "page": page,
        "rows_are_assignments": tab in ASSIGNMENT_TABS,
        "rows_are_outgoing": tab in OUTGOING_TABS,
        "query": _query_without_cursor(request),
        "urgent_alerts": urgent if ("leader" in roles or user.is_superuser) else [],
        "alerts": others if "leader" not in roles else others,
        "overdue": selectors.overdue_assignments(user, now=now, size=10)
        if roles & {"leader", "specialist"}
        else [],
        "is_clerk": "clerk" in roles or user.is_superuser,
        "may_draft": bool(roles & {"specialist", "leader"}) or user.is_superuser,
        "registers_url": safe_reverse("documents:register_page"),
    }
    return render(request, "documents/inbox.html", context)


@officer_required
@require_POST
def alert_read(request, pk: int):
    try:
        alert = DocumentAlert.objects.get(pk=pk, user=request.user)
    except DocumentAlert.DoesNotExist as exc:
        raise Http404 from exc
    services.mark_alert_read(alert, by=request.user)
    target = None
    if alert.incoming_id:
        target = ("documents:incoming", alert.incoming_id)
    elif alert.outgoing_id:
        target = ("documents:outgoing", alert.outgoing_id)
    if request.POST.get("open") and target:
        return redirect(*target)
    messages.info(request, _("Đã đánh dấu đã đọc."))
    return redirect("documents:inbox")
