from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def agency_list(request):
    return HttpResponse("TODO")


@login_required
def bridge_points(request):
    return HttpResponse("TODO")
