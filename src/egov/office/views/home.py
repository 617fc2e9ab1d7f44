from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from egov.accounts.models import Membership


@login_required
def home(request):
    memberships = (
        Membership.objects.filter(user=request.user, is_active=True)
        .select_related("agency")
        .order_by("agency__path", "role")
    )
    return render(request, "office/home.html", {"memberships": memberships})
