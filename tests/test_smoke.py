import pytest

from egov.accounts.tests.factories import PASSWORD, MembershipFactory


@pytest.mark.django_db
def test_officer_logs_in_and_sees_home_in_vietnamese(client):
    m = MembershipFactory(role="clerk")
    resp = client.post("/accounts/login/", {"username": m.user.username, "password": PASSWORD})
    assert resp.status_code == 302 and resp.url == "/"
    page = client.get("/").content.decode()
    assert "Xin chào" in page and "Văn thư" in page and m.agency.name in page
