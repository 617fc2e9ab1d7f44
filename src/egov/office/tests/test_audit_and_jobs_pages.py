import pytest

from egov.accounts.models import Role
from egov.accounts.tests.factories import MembershipFactory
from egov.core import audit, tasks
from egov.core.models import AuditEvent, Job
from egov.organizations.tests.factories import AgencyFactory


@pytest.fixture
def two_communes(db):
    return AgencyFactory(name="UBND xã Một"), AgencyFactory(name="UBND xã Hai")


def test_audit_page_shows_only_visible_events_and_pages_by_cursor(client, two_communes):
    mine, other = two_communes
    leader = MembershipFactory(agency=mine, role=Role.LEADER).user
    for i in range(60):
        audit.record("dossier.received", agency=mine, obj=("dossier", f"MINE-{i}"))
    audit.record("dossier.received", agency=other, obj=("dossier", "OTHER-1"))
    client.force_login(leader)
    first = client.get("/audit/").content.decode()
    assert "MINE-59" in first and "OTHER-1" not in first and "MINE-5 " not in first
    assert "before=" in first
    cursor = first.split("before=")[1].split('"')[0]
    second = client.get(f"/audit/?before={cursor}").content.decode()
    assert "MINE-0" in second and "MINE-59" not in second
    assert "MINE-1" in client.get("/audit/?object=MINE-1").content.decode()


def test_audit_page_is_for_leaders_and_admins(client, two_communes):
    client.force_login(MembershipFactory(agency=two_communes[0], role=Role.SPECIALIST).user)
    assert client.get("/audit/").status_code == 403


def test_bad_cursor_is_ignored_not_a_500(client, two_communes):
    client.force_login(MembershipFactory(agency=two_communes[0], role=Role.ADMIN).user)
    assert client.get("/audit/?before=abc").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_jobs_page_shows_failures_and_resends(client):
    admin = MembershipFactory(role=Role.ADMIN).user
    job = tasks.enqueue("egov.core.tests.jobs_for_tests.flaky", 99, max_attempts=1)
    tasks.run_job.call(job.pk)
    client.force_login(admin)
    page = client.get("/jobs/?state=failed").content.decode()
    assert "flaky" in page and "ConnectionError" in page and "Gửi lại" in page
    resp = client.post(f"/jobs/{job.pk}/resend/")
    assert resp.status_code == 302
    job.refresh_from_db()
    assert (job.state, job.attempts) == (Job.State.QUEUED, 0)
    assert job.result_id  # handed to the task backend again
    assert AuditEvent.objects.filter(
        action="job.resent", object_id=str(job.pk), actor_id=admin.pk
    ).exists()
    clerk = MembershipFactory(role=Role.CLERK).user
    client.force_login(clerk)
    assert client.get("/jobs/").status_code == 403
