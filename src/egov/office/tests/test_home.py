import datetime as dt

import pytest
import time_machine

from egov.accounts.models import Role
from egov.accounts.tests.factories import MembershipFactory
from egov.core import tasks
from egov.organizations.tests.factories import BridgePointFactory


@pytest.mark.django_db
@time_machine.travel(dt.datetime(2026, 4, 20, 9, 0, tzinfo=dt.UTC))
def test_home_shows_roles_upcoming_holidays_and_bridge_chart(client):
    m = MembershipFactory(role=Role.CLERK)
    BridgePointFactory(agency=m.agency, equipment_status="ready")
    BridgePointFactory(agency=m.agency, equipment_status="broken")
    BridgePointFactory(equipment_status="broken")  # another agency: not counted
    client.force_login(m.user)
    page = client.get("/").content.decode()
    assert "Văn thư" in page and m.agency.name in page
    assert (
        "27/04/2026" in page and "30/04/2026" in page and "01/05/2026" in page
    )  # Giỗ Tổ (observed), 30/4, 1/5
    assert '"data": [1, 0, 1, 0]' in page  # ready, degraded, broken, unknown of the user's agency
    assert "Tình trạng hệ thống" not in page  # for administrators only


@pytest.mark.django_db(transaction=True)
def test_admin_sees_failed_jobs_and_worker_state(client):
    admin = MembershipFactory(role=Role.ADMIN).user
    job = tasks.enqueue("egov.core.tests.jobs_for_tests.flaky", 99, max_attempts=1)
    tasks.run_job.call(job.pk)
    client.force_login(admin)
    page = client.get("/").content.decode()
    assert "Tình trạng hệ thống" in page and "không phản hồi" in page
    assert '?state=failed"><strong>1</strong>' in page
