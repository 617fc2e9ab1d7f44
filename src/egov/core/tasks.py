"""Background jobs on Django's Tasks API (django-tasks + django-tasks-db), with retries.

``enqueue("egov.x.tasks.send_packet", packet_id)`` records a :class:`~egov.core.models.Job`
(what officers see: state, attempts, last error) and hands it to the task backend once the
caller's transaction commits. A failing job is retried with exponential back-off
(EGOV_TASK_BACKOFF_SECONDS × 2^(attempt-1)) up to its max attempts, then marked failed; an
officer can re-send it (``retry``). Nothing is lost when the other side is down.
"""

from __future__ import annotations

import datetime as dt
import traceback

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task

from egov.core import audit
from egov.core.models import Job


def _callable_path(func) -> str:
    if isinstance(func, str):
        return func
    return f"{func.__module__}.{func.__qualname__}"


def enqueue(
    func, *args, max_attempts: int | None = None, run_after: dt.datetime | None = None, **kwargs
) -> Job:
    """Record a job and dispatch it after commit. ``func`` is a dotted path or a module-level
    function; ``run_after`` defers it (e.g. a nightly job)."""
    job = Job.objects.create(
        task_path=_callable_path(func),
        args=list(args),
        kwargs=kwargs,
        max_attempts=max_attempts or settings.EGOV_TASK_MAX_ATTEMPTS,
        next_attempt_at=run_after,
    )
    transaction.on_commit(lambda: _dispatch(job.pk, run_after=run_after))
    return job


def _dispatch(job_id: int, run_after: dt.datetime | None = None) -> None:
    runner = run_job
    if run_after is not None and runner.get_backend().supports_defer:
        runner = runner.using(run_after=run_after)
    result = runner.enqueue(job_id)
    Job.objects.filter(pk=job_id).update(result_id=str(result.id))


def backoff(attempt: int) -> dt.timedelta:
    return dt.timedelta(seconds=settings.EGOV_TASK_BACKOFF_SECONDS * 2 ** max(attempt - 1, 0))


@task()
def run_job(job_id: int) -> str:
    job = Job.objects.filter(pk=job_id).first()
    if job is None or job.state in (Job.State.SUCCEEDED, Job.State.FAILED):
        return "skipped"
    Job.objects.filter(pk=job_id).update(
        state=Job.State.RUNNING, attempts=job.attempts + 1, next_attempt_at=None
    )
    job.attempts += 1
    try:
        import_string(job.task_path)(*job.args, **job.kwargs)
    except Exception as exc:
        error = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        detail = traceback.format_exc(limit=8)
        if job.attempts < job.max_attempts:
            next_at = timezone.now() + backoff(job.attempts)
            Job.objects.filter(pk=job_id).update(
                state=Job.State.RETRYING, last_error=detail, next_attempt_at=next_at
            )
            _dispatch(job_id, run_after=next_at)
            return f"retrying: {error}"
        Job.objects.filter(pk=job_id).update(state=Job.State.FAILED, last_error=detail)
        return f"failed: {error}"
    Job.objects.filter(pk=job_id).update(state=Job.State.SUCCEEDED, last_error="")
    return "succeeded"


@transaction.atomic
def retry(job: Job, *, by=None) -> Job:
    """Re-send a failed (or stuck) job: the attempt count starts again."""
    Job.objects.filter(pk=job.pk).update(state=Job.State.QUEUED, attempts=0, next_attempt_at=None)
    audit.record("job.resent", actor=by, obj=job, data={"task": job.task_path})
    transaction.on_commit(lambda: _dispatch(job.pk))
    job.refresh_from_db()
    return job
