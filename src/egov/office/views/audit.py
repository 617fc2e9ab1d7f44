from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def audit_log(request):
    return HttpResponse("TODO")
