"""Background jobs of the one-stop shop."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from egov.core import tasks
from egov.core.models import Job
from egov.dossiers import statistics

SNAPSHOT_TASK = "egov.dossiers.tasks.nightly_snapshot"
SNAPSHOT_AT = dt.time(23, 50)


def nightly_snapshot() -> None:
    """Record today's in-progress split (on time / overdue) for past-period reports, then
    schedule tomorrow's run."""
    statistics.take_snapshot(timezone.localdate())
    schedule_nightly_snapshot(after_run=True)


def schedule_nightly_snapshot(*, after_run: bool = False) -> Job | None:
    """Make sure one snapshot job is waiting for tonight (or tomorrow night after a run)."""
    pending = Job.objects.filter(
        task_path=SNAPSHOT_TASK, state__in=[Job.State.QUEUED, Job.State.RETRYING]
    )
    if not after_run and pending.exists():
        return None
    now = timezone.localtime()
    run_at = now.replace(hour=SNAPSHOT_AT.hour, minute=SNAPSHOT_AT.minute, second=0, microsecond=0)
    if after_run or run_at <= now:
        run_at += dt.timedelta(days=1)
    return tasks.enqueue(SNAPSHOT_TASK, run_after=run_at, max_attempts=3)
