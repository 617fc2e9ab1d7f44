# ruff: noqa: F811 - pytest fixtures imported from the dossier tests
"""'My dossiers' with online submissions: waiting for intake (no code yet), and the link to
the online supplement page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from egov.dossiers import online, services
from egov.dossiers.models import State
from egov.dossiers.tests.conftest import vn, world  # noqa: F401 - fixture
from egov.dossiers.tests.test_online import (  # noqa: F401 - fixtures
    GOOD,
    citizen,
    draft,
    pdf_upload,
    version,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(draft, citizen):
    online.save_draft(draft, by=citizen, data=GOOD)
    online.add_file(draft, 1, pdf_upload(), by=citizen)
    online.add_file(draft, 2, pdf_upload(), by=citizen)
    draft.refresh_from_db()
    return online.submit(draft, by=citizen, token=draft.token)


def test_online_submission_waiting_for_intake_is_listed(client, submitted, citizen):
    assert submitted.state == State.WAITING_INTAKE
    client.force_login(citizen)
    html = client.get(reverse("portal:my_dossiers")).content.decode()
    assert reverse("portal:my_dossier", args=[submitted.pk]) in html
    assert 'data-state="waiting_intake"' in html and "Chờ tiếp nhận" in html
    detail = client.get(reverse("portal:my_dossier", args=[submitted.pk]))
    assert detail.status_code == 200


def test_supplement_request_links_the_online_supplement(client, submitted, citizen, world):
    dossier = online.accept_online(submitted, by=world.desk)
    services.request_supplement(
        dossier, "Ảnh giấy chứng sinh bị mờ", ["Giấy chứng sinh"], by=world.desk
    )
    client.force_login(citizen)
    html = client.get(reverse("portal:my_dossier", args=[dossier.pk])).content.decode()
    assert 'data-testid="supplement"' in html and "Ảnh giấy chứng sinh bị mờ" in html
    assert reverse("portal:online_supplement", args=[dossier.pk]) in html
