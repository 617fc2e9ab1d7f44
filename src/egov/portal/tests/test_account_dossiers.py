"""'My dossiers': only the citizen's own, keyset pages, the signed result, supplements."""

from __future__ import annotations

import pytest
from django.urls import reverse

from egov.core.models import AuditEvent
from egov.dossiers import services
from egov.portal.tests.portal_fixtures import *  # noqa: F403  (fixtures)
from egov.portal.tests.portal_fixtures import returned, to_result_ready, vn

pytestmark = pytest.mark.django_db


def test_my_dossiers_lists_only_mine_with_badges_and_due_dates(
    client, world, receive, citizen, other_citizen
):
    mine = receive(citizen=citizen)
    theirs = receive(citizen=other_citizen, name="Lê Văn Khác")
    receive()  # a counter dossier of nobody's account
    client.force_login(citizen)
    html = client.get(reverse("portal:my_dossiers")).content.decode()
    assert mine.code in html and theirs.code not in html
    assert 'data-state="received"' in html and "Mới tiếp nhận" in html
    assert (
        f'data-testid="due-date">{mine.due_at.astimezone(vn(2026, 1, 1).tzinfo):%d/%m/%Y}<' in html
    )


def test_another_citizen_gets_404(client, world, receive, citizen, other_citizen):
    mine = returned(world, receive(citizen=citizen))
    client.force_login(other_citizen)
    for name in ("my_dossier", "my_result"):
        assert client.get(reverse(f"portal:{name}", args=[mine.pk])).status_code == 404
    resp = client.post(reverse("portal:rate", args=[mine.pk]), {})
    assert resp.status_code == 404


def test_my_dossiers_pages_by_keyset(client, world, receive, citizen):
    made = [receive(citizen=citizen) for _ in range(23)]
    client.force_login(citizen)
    first = client.get(reverse("portal:my_dossiers"))
    page = first.context["page"]
    assert [d.pk for d in page.items] == [d.pk for d in reversed(made)][:20]
    second = client.get(reverse("portal:my_dossiers"), {"sau": page.next_cursor})
    assert [d.pk for d in second.context["page"].items] == [d.pk for d in reversed(made)][20:]
    assert not second.context["page"].has_next


def test_result_is_offered_only_once_ready_with_its_signature_panel(
    client, world, receive, citizen
):
    d = receive(citizen=citizen)
    client.force_login(citizen)
    url = reverse("portal:my_dossier", args=[d.pk])
    html = client.get(url).content.decode()
    assert 'data-testid="download-result"' not in html
    assert client.get(reverse("portal:my_result", args=[d.pk])).status_code == 404
    to_result_ready(world, d)
    html = client.get(url).content.decode()
    assert 'data-testid="download-result"' in html
    assert 'data-testid="signature-report"' in html  # the badge and panel (unsigned here)
    download = client.get(reverse("portal:my_result", args=[d.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    event = AuditEvent.objects.filter(action="dossier.result_downloaded").latest("seq")
    assert event.data["channel"] == "portal-account" and event.actor_id == citizen.pk


def test_steps_timeline_and_supplement_request(client, world, receive, citizen):
    d = receive(citizen=citizen)
    with services.simulated_clock(vn(2026, 3, 2, 10, 0)):
        services.hand_over(d, by=world.desk, to_user=world.specialist)
        services.request_supplement(
            d, "Thiếu bản sao giấy chứng sinh", ["Giấy chứng sinh"], by=world.specialist
        )
    client.force_login(citizen)
    html = client.get(reverse("portal:my_dossier", args=[d.pk])).content.decode()
    assert 'data-testid="supplement"' in html
    assert "Thiếu bản sao giấy chứng sinh" in html and "Giấy chứng sinh" in html
    assert "Tiếp nhận hồ sơ" in html and "Thẩm định, xử lý" in html  # the steps
    assert 'data-state="supplement"' in html
