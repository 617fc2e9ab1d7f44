"""Nhật ký thông báo: who sees which rows, the state filter, paging, and re-sending."""

from __future__ import annotations

import pytest
from django.utils import timezone

from egov.core.models import AuditEvent
from egov.notifications import selectors
from egov.notifications.models import Channel, DeliveryState, Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged(world, receive):
    dossier = receive(at=timezone.now())
    sms = Notification.objects.get(object_id=str(dossier.pk), channel=Channel.SMS)
    Notification.objects.filter(pk=sms.pk).update(
        state=DeliveryState.GAVE_UP, attempts=1, last_error="SMS gateway answered HTTP 400"
    )
    return dossier, sms


def test_onestop_officer_sees_the_log_and_filters_by_state(client, world, logged):
    dossier, sms = logged
    client.force_login(world.desk)
    page = client.get("/notifications/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Nhật ký thông báo" in html and dossier.code in html
    assert "tuyet@example.vn" in html and "0912345678" in html
    assert "SMS gateway answered HTTP 400" in html and "Gửi lại" in html
    assert "/notifications/" in html  # the navigation entry

    failed_only = client.get("/notifications/", {"state": "gave_up"})
    assert list(failed_only.context["page"].items) == [sms]
    by_code = client.get("/notifications/", {"ma": dossier.code.lower()})
    assert len(by_code.context["page"].items) == 2


def test_other_agencies_and_other_roles(client, world, logged):
    client.force_login(world.outsider)  # one-stop officer of another commune
    page = client.get("/notifications/")
    assert page.status_code == 200 and list(page.context["page"].items) == []
    client.force_login(world.specialist)
    assert client.get("/notifications/").status_code == 403


def test_keyset_pages(client, world, logged):
    client.force_login(world.desk)
    newest = Notification.objects.order_by("-id").first()
    older = client.get("/notifications/", {"before": newest.pk})
    assert [n.pk for n in older.context["page"].items] == [newest.pk - 1]


def test_resend_button(client, world, logged):
    dossier, sms = logged
    client.force_login(world.desk)
    answer = client.post(
        f"/notifications/{sms.pk}/resend/", {"next": "/notifications/?state=gave_up"}
    )
    assert answer.status_code == 302 and answer["Location"] == "/notifications/?state=gave_up"
    sms.refresh_from_db()
    assert sms.state == DeliveryState.QUEUED and sms.attempts == 0
    event = AuditEvent.objects.get(action="notification.resent")
    assert event.actor_id == world.desk.pk and event.data["dossier"] == dossier.code
    # nobody re-sends another agency's messages
    client.force_login(world.outsider)
    assert client.post(f"/notifications/{sms.pk}/resend/").status_code == 404


def test_per_dossier_selector(world, logged):
    dossier, _ = logged
    rows = list(selectors.for_dossier(dossier, world.desk))
    assert {r.channel for r in rows} == {Channel.EMAIL, Channel.SMS}
    assert list(selectors.for_dossier(dossier, world.outsider)) == []
