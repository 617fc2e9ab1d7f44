import datetime as dt

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from egov.core import tasks
from egov.core.models import CalendarOverride, Job
from egov.core.tests import jobs_for_tests

pytestmark = pytest.mark.django_db(transaction=True)


def run_worker():
    """Run every ready task with the real database worker, then return."""
    call_command("db_worker", "--batch", "--interval", "0", "--no-startup-delay", verbosity=0)


@pytest.fixture(autouse=True)
def _reset_calls():
    jobs_for_tests.CALLS.clear()


def test_job_runs_after_commit_and_records_success():
    with transaction.atomic():
        job = tasks.enqueue(jobs_for_tests.succeed, "2030-05-05", "Nghỉ thử")
        assert Job.objects.get(pk=job.pk).result_id == ""  # not dispatched before commit
    run_worker()
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED and job.attempts == 1 and job.last_error == ""
    assert CalendarOverride.objects.filter(name="Nghỉ thử").exists()


def test_rolled_back_caller_dispatches_nothing():
    with pytest.raises(ValueError), transaction.atomic():
        tasks.enqueue(jobs_for_tests.succeed, "2030-05-06", "Không có")
        raise ValueError
    run_worker()
    assert not Job.objects.exists() and not CalendarOverride.objects.exists()


def test_failure_is_retried_with_backoff_then_succeeds(settings):
    settings.EGOV_TASK_BACKOFF_SECONDS = 0
    job = tasks.enqueue("egov.core.tests.jobs_for_tests.flaky", 2)
    run_worker()
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED
    assert job.attempts == 3
    assert jobs_for_tests.CALLS == ["flaky"] * 3


def test_backoff_doubles(settings):
    settings.EGOV_TASK_BACKOFF_SECONDS = 30
    assert [tasks.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]


def test_retry_waits_for_its_time(settings):
    settings.EGOV_TASK_BACKOFF_SECONDS = 3600
    job = tasks.enqueue("egov.core.tests.jobs_for_tests.flaky", 5)
    run_worker()
    job.refresh_from_db()
    assert job.state == Job.State.RETRYING and job.attempts == 1
    assert "ConnectionError: the other side is down (call 1)" in job.last_error
    assert job.next_attempt_at > timezone.now() + dt.timedelta(minutes=59)


def test_gives_up_after_max_attempts_and_can_be_resent(settings):
    settings.EGOV_TASK_BACKOFF_SECONDS = 0
    job = tasks.enqueue("egov.core.tests.jobs_for_tests.flaky", 10, max_attempts=3)
    run_worker()
    job.refresh_from_db()
    assert job.state == Job.State.FAILED and job.attempts == 3
    assert "call 3" in job.last_error
    # An officer re-sends it once the other side is back.
    jobs_for_tests.CALLS.extend(["flaky"] * 10)
    tasks.retry(job)
    run_worker()
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED and job.attempts == 1
