import pytest

from egov.core.management.commands.worker import beat


@pytest.mark.django_db
def test_healthz_fails_without_a_worker(client):
    resp = client.get("/healthz")
    body = resp.json()
    assert resp.status_code == 503
    assert body["checks"]["database"]["ok"] and body["checks"]["storage"]["ok"]
    assert body["checks"]["worker"] == {"ok": False, "detail": "no worker has reported"}


@pytest.mark.django_db
def test_healthz_ok_with_a_recent_heartbeat(client):
    beat("test-worker")
    resp = client.get("/healthz")
    assert resp.status_code == 200 and resp.json()["status"] == "ok"
    assert resp["X-Request-ID"]


@pytest.mark.django_db
def test_request_id_is_echoed_when_well_formed(client):
    resp = client.get("/healthz", HTTP_X_REQUEST_ID="abc12345-req")
    assert resp["X-Request-ID"] == "abc12345-req"
    resp = client.get("/healthz", HTTP_X_REQUEST_ID="bad id with spaces")
    assert resp["X-Request-ID"] != "bad id with spaces"


@pytest.mark.django_db
def test_vietnamese_by_default_even_for_an_english_browser(client, settings):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="vi">' in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert '<html lang="en">' in client.get("/accounts/login/").content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    assert '<html lang="vi">' in client.get("/accounts/login/").content.decode()
