"""Django admin of the catalog (read-mostly, changes through the services) and the shared
test factory."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from egov.accounts.tests.factories import UserFactory
from egov.core.models import AuditEvent
from egov.procedures.models import Field, ImportJob, Procedure
from egov.procedures.tests.factories import default_steps, make_procedure, step

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(client):
    user = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(user)
    return user


def test_admin_pages_render(client, superuser):
    version = make_procedure(name="Đăng ký khai sinh")
    ImportJob.objects.create(file="x.csv", original_name="x.csv", file_kind="csv")
    for url in (
        "/admin/procedures/procedure/",
        f"/admin/procedures/procedure/{version.procedure_id}/change/",
        "/admin/procedures/procedureversion/",
        f"/admin/procedures/procedureversion/{version.pk}/change/",
        "/admin/procedures/field/",
        "/admin/procedures/importjob/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(f"/admin/procedures/procedureversion/{version.pk}/change/").content.decode()
    assert "Tiếp nhận hồ sơ" in page and "Tờ khai theo mẫu" in page
    assert client.get("/admin/procedures/procedure/add/").status_code == 403


def test_admin_deactivates_through_the_service(client, superuser):
    version = make_procedure()
    response = client.post(
        "/admin/procedures/procedure/",
        {"action": "deactivate", "_selected_action": [version.procedure_id]},
    )
    assert response.status_code == 302
    assert not Procedure.objects.get(pk=version.procedure_id).is_active
    assert AuditEvent.objects.filter(action="procedure.deactivated", actor_id=superuser.pk).exists()


def test_admin_renames_a_field(client, superuser):
    field = Field.objects.create(code="HT", name="Hộ tich")
    response = client.post(f"/admin/procedures/field/{field.pk}/change/", {"name": "Hộ tịch"})
    assert response.status_code == 302
    field.refresh_from_db()
    assert field.name == "Hộ tịch" and field.name_folded == "ho tich"


def test_make_procedure_defaults():
    version = make_procedure()
    assert version.procedure.national_code.startswith("1.8")
    assert version.level == "commune" and version.processing_time == Decimal("3")
    assert [s.duration for s in version.steps.all()] == [
        Decimal("0.3"),
        Decimal("1.8"),
        Decimal("0.6"),
        Decimal("0.3"),
    ]
    assert version.papers.count() == 2 and version.fees.get().amount == 8000


def test_make_procedure_options_and_versions():
    version = make_procedure(
        "1.001193",
        level="district",
        processing_time=1,
        field=("HT", "Hộ tịch"),
        department_abbreviation="TP",
        cutoff_time=dt.time(15),
        steps=None,
        papers=[("Tờ khai", "original", 1)],
    )
    assert version.steps.get(order=2).department_abbreviation == "TP"
    later = make_procedure("1.001193", effective_from=dt.date(2025, 7, 1), level="district")
    assert later.procedure_id == version.procedure_id
    version.refresh_from_db()
    assert version.effective_to == dt.date(2025, 6, 30)
    tuples = make_procedure(steps=[("Tiếp nhận", "onestop", "onestop", "0.5")])
    assert tuples.steps.get().duration == Decimal("0.5")
    with pytest.raises(ValidationError):
        make_procedure(processing_time=1, steps=[step("Xử lý", "department", "specialist", 2)])


def test_default_steps_never_exceed_the_time():
    for total in ("0.01", "0.5", "1", "7", "13.33", "9999"):
        assert sum(s["duration"] for s in default_steps(total)) <= Decimal(total)
