"""Background jobs for administrators: state, attempts, last error, and re-send."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from egov.accounts.models import Role
from egov.core import tasks
from egov.core.models import Job
from egov.core.pagination import keyset_page


def _require_admin(user) -> None:
    if not (user.is_superuser or Role.ADMIN in user.roles()):
        raise PermissionDenied


@login_required
def job_list(request):
    _require_admin(request.user)
    qs = Job.objects.all()
    state = request.GET.get("state", "")
    if state in Job.State.values:
        qs = qs.filter(state=state)
    page = keyset_page(qs, key="id", cursor=request.GET.get("before"), size=50)
    return render(
        request, "office/jobs.html", {"page": page, "state": state, "states": Job.State.choices}
    )


@login_required
@require_POST
def job_resend(request, pk: int):
    _require_admin(request.user)
    job = get_object_or_404(Job, pk=pk)
    tasks.retry(job, by=request.user)
    messages.success(request, _("Đã gửi lại tác vụ #%(id)d.") % {"id": job.pk})
    return redirect("office:jobs")
