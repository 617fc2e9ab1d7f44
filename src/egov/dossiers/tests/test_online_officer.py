# ruff: noqa: F811 - pytest fixtures imported from test_online
"""The one-stop officer's side of online submission: the inbox tab, the accept and refuse
action cards on the dossier page, the REST actions, and supplements after acceptance."""

from __future__ import annotations

import pytest
from django.urls import reverse

from egov.dossiers import online, services
from egov.dossiers.models import Dossier, State

from .test_online import GOOD, citizen, draft, pdf_upload, version  # noqa: F401


@pytest.fixture
def waiting(draft, citizen):
    online.save_draft(draft, by=citizen, data=GOOD)
    online.add_file(draft, 1, pdf_upload("to-khai.pdf"), by=citizen)
    online.add_file(draft, 2, pdf_upload("cccd.pdf"), by=citizen)
    draft.refresh_from_db()
    return online.submit(draft, by=citizen, token=draft.token)


def test_inbox_tab_lists_online_dossiers_waiting_for_intake(client, world, waiting):
    client.force_login(world.desk)
    html = client.get(reverse("dossiers:inbox")).content.decode()
    assert "Chờ tiếp nhận trực tuyến" in html
    page = client.get(reverse("dossiers:inbox") + "?tab=online")
    assert page.status_code == 200
    assert reverse("dossiers:detail", args=[waiting.pk]) in page.content.decode()
    client.force_login(world.outsider)
    page = client.get(reverse("dossiers:inbox") + "?tab=online")
    assert reverse("dossiers:detail", args=[waiting.pk]) not in page.content.decode()
    client.force_login(world.specialist)  # no one-stop unit: no such tab
    assert "Chờ tiếp nhận trực tuyến" not in client.get(reverse("dossiers:inbox")).content.decode()


def test_dossier_page_offers_accept_and_refuse(client, world, waiting):
    client.force_login(world.desk)
    html = client.get(reverse("dossiers:detail", args=[waiting.pk])).content.decode()
    assert 'data-action="accept_online"' in html and 'data-action="refuse_online"' in html
    assert 'data-testid="declared"' in html and "Nguyễn Minh An" in html
    assert "to-khai.pdf" in html
    client.force_login(world.specialist)
    html = client.get(reverse("dossiers:detail", args=[waiting.pk])).content.decode()
    assert 'data-action="accept_online"' not in html


def test_officer_accepts(client, world, waiting):
    client.force_login(world.desk)
    response = client.post(
        reverse("dossiers:accept_online", args=[waiting.pk]),
        {"accept_online-version": waiting.version},
    )
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.state == State.RECEIVED and waiting.code and waiting.due_at
    html = client.get(reverse("dossiers:detail", args=[waiting.pk])).content.decode()
    assert 'data-testid="just-received"' in html and waiting.pin in html
    # a stale second click is a conflict, not a second receipt
    again = client.post(
        reverse("dossiers:accept_online", args=[waiting.pk]),
        {"accept_online-version": waiting.version - 1},
    )
    assert again.status_code == 302
    waiting.refresh_from_db()
    assert waiting.code.endswith("-0001")


def test_officer_refuses_with_a_reason(client, world, waiting):
    client.force_login(world.desk)
    url = reverse("dossiers:refuse_online", args=[waiting.pk])
    empty = client.post(url, {"refuse_online-version": waiting.version, "refuse_online-reason": ""})
    assert empty.status_code == 400
    assert "Nêu rõ lý do từ chối tiếp nhận." in empty.content.decode()
    done = client.post(
        url,
        {"refuse_online-version": waiting.version, "refuse_online-reason": "Ảnh CCCD bị mờ"},
    )
    assert done.status_code == 302
    waiting.refresh_from_db()
    assert waiting.state == State.REFUSED and waiting.closing_reason == "Ảnh CCCD bị mờ"


def test_request_supplement_works_after_acceptance(client, world, waiting, citizen):
    accepted = online.accept_online(waiting, by=world.desk)
    client.force_login(world.desk)
    response = client.post(
        reverse("dossiers:request_supplement", args=[accepted.pk]),
        {
            "request_supplement-version": accepted.version,
            "request_supplement-reason": "Bổ sung giấy chứng sinh",
            "request_supplement-papers": "Giấy chứng sinh",
        },
    )
    assert response.status_code == 302
    accepted.refresh_from_db()
    assert accepted.state == State.SUPPLEMENT
    stored = online.store_upload(pdf_upload(), folder="dossiers/online")
    online.supplement_online(accepted, [stored], by=citizen)
    accepted.refresh_from_db()
    assert accepted.state == State.RECEIVED


# --- REST API ------------------------------------------------------------------------------------


@pytest.fixture
def api(world):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(world.desk)
    return client


def test_api_accept(api, waiting):
    response = api.post(
        f"/api/dossiers/{waiting.pk}/accept-online/", {"version": waiting.version}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "received" and body["code"]
    again = api.post(
        f"/api/dossiers/{waiting.pk}/accept-online/", {"version": waiting.version}, format="json"
    )
    assert again.status_code == 409


def test_api_refuse(api, waiting):
    bad = api.post(
        f"/api/dossiers/{waiting.pk}/refuse-online/",
        {"version": waiting.version, "reason": ""},
        format="json",
    )
    assert bad.status_code == 400
    ok = api.post(
        f"/api/dossiers/{waiting.pk}/refuse-online/",
        {"version": waiting.version, "reason": "Sai thủ tục"},
        format="json",
    )
    assert ok.status_code == 200
    assert Dossier.objects.get(pk=waiting.pk).state == State.REFUSED


def test_api_filters_waiting_intake(api, waiting):
    response = api.get("/api/dossiers/?state=waiting_intake")
    assert response.status_code == 200
    assert [d["id"] for d in response.json()["results"]] == [waiting.pk]


def test_services_stay_the_one_path(world, waiting):
    with pytest.raises(services.TransitionError):
        services.request_supplement(waiting, "x", by=world.desk)
