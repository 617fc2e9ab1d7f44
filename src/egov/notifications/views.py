"""Nhật ký thông báo: the delivery log for one-stop officers and administrators."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from egov.accounts.models import Role
from egov.core.pagination import keyset_page
from egov.notifications import selectors, services
from egov.notifications.models import Channel, DeliveryState, Notification

ROLES = {Role.ADMIN, Role.ONESTOP}


def _require_role(user) -> None:
    if not (user.is_superuser or user.roles() & ROLES):
        raise PermissionDenied


@login_required
def log_list(request):
    _require_role(request.user)
    state = request.GET.get("state", "")
    if state not in DeliveryState.values:
        state = ""
    code = request.GET.get("ma", "").strip()[:40]
    qs = selectors.visible_log(request.user, state=state, dossier_code=code)
    page = keyset_page(qs, key="id", cursor=request.GET.get("before"), size=50)
    query = urlencode({k: v for k, v in (("state", state), ("ma", code)) if v})
    return render(
        request,
        "notifications/log.html",
        {
            "page": page,
            "state": state,
            "code": code,
            "states": DeliveryState.choices,
            "channels": dict(Channel.choices),
            "query": query,
        },
    )


@login_required
@require_POST
def resend(request, pk: int):
    _require_role(request.user)
    notification = get_object_or_404(Notification.objects.visible_to(request.user), pk=pk)
    if not notification.can_resend:
        messages.warning(request, _("Thông báo này không ở trạng thái lỗi nên không gửi lại."))
    else:
        services.resend(notification, by=request.user)
        messages.success(request, _("Đã đưa thông báo #%(id)d vào hàng đợi gửi lại.") % {"id": pk})
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("notifications:log")
