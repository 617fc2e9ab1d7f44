"""The audit log as officers see it: their agencies' events, newest first, filterable."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from egov.accounts.models import Role
from egov.core.models import AuditEvent
from egov.core.pagination import keyset_page

AUDIT_ROLES = {Role.ADMIN, Role.LEADER}


@login_required
def audit_log(request):
    user = request.user
    if not (user.is_superuser or user.roles() & AUDIT_ROLES):
        raise PermissionDenied
    qs = AuditEvent.objects.visible_to(user)
    action = request.GET.get("action", "").strip()
    obj = request.GET.get("object", "").strip()
    if action:
        qs = qs.filter(action=action)
    if obj:
        qs = qs.filter(object_id=obj)
    page = keyset_page(qs, key="seq", cursor=request.GET.get("before"), size=50)
    return render(request, "office/audit.html", {"page": page, "action": action, "object": obj})
