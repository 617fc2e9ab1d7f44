"""The officer's home: who they are here, today in the working calendar, and (for
administrators) the state of the system, with the bridge points as a chart."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone

from egov.accounts.models import Membership, Role
from egov.core import calendar
from egov.core.models import Job, WorkerHeartbeat
from egov.organizations import selectors

UPCOMING_DAYS = 60
CHART_COLOURS = {
    "ready": "#198754",
    "degraded": "#ffc107",
    "broken": "#dc3545",
    "unknown": "#6c757d",
}


def _upcoming_days_off(today: dt.date) -> list[calendar.DayInfo]:
    days = (today + dt.timedelta(days=i) for i in range(1, UPCOMING_DAYS + 1))
    return [
        info
        for info in map(calendar.day_info, days)
        if not info.working and info.date.weekday() < 5
    ][:6]


def _system_status() -> dict:
    failed = list(Job.objects.filter(state=Job.State.FAILED).values_list("id", flat=True)[:100])
    last_beat = (
        WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    )
    worker_ok = last_beat is not None and timezone.now() - last_beat < dt.timedelta(minutes=1)
    return {
        "failed_jobs": len(failed),
        "failed_jobs_more": len(failed) == 100,
        "worker_ok": worker_ok,
        "last_beat": last_beat,
    }


@login_required
def home(request):
    user = request.user
    if not getattr(user, "is_officer", False):
        return redirect("portal:my_dossiers")  # the citizens' own face
    memberships = list(
        Membership.objects.filter(user=user, is_active=True)
        .select_related("agency")
        .order_by("agency__path", "role")
    )
    today = timezone.localdate()
    counts = selectors.bridge_point_counts(user)
    chart = {
        "labels": [str(row["label"]) for row in counts],
        "data": [row["count"] for row in counts],
        "colors": [CHART_COLOURS[row["status"]] for row in counts],
    }
    is_admin = user.is_superuser or any(m.role == Role.ADMIN for m in memberships)
    context = {
        "memberships": memberships,
        "today": calendar.day_info(today),
        "upcoming_off": _upcoming_days_off(today),
        "bridge_counts": counts,
        "bridge_total": sum(row["count"] for row in counts),
        "bridge_chart": chart,
        "system": _system_status() if is_admin else None,
    }
    return render(request, "office/home.html", context)
