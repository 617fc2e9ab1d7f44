import pyotp
import pytest

from egov.accounts.models import TOTPDevice
from egov.accounts.tests.factories import PASSWORD, MembershipFactory
from egov.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_officer_turns_two_factor_on_and_then_must_use_it(client):
    officer = MembershipFactory(role="specialist").user
    client.force_login(officer)
    assert "totp-off" in client.get("/accounts/security/").content.decode()
    page = client.post("/accounts/security/", {"action": "start"}).content.decode()
    secret = TOTPDevice.objects.get(user=officer).secret
    assert secret in page and "<svg" in page
    assert (
        client.post("/accounts/security/", {"action": "confirm", "code": "000000"}).status_code
        == 200
    )
    assert not TOTPDevice.objects.get(user=officer).confirmed
    resp = client.post(
        "/accounts/security/", {"action": "confirm", "code": pyotp.TOTP(secret).now()}
    )
    assert resp.status_code == 302 and TOTPDevice.objects.get(user=officer).confirmed
    client.logout()
    resp = client.post("/accounts/login/", {"username": officer.username, "password": PASSWORD})
    assert resp.url == "/accounts/login/2fa/"


def test_officer_turns_it_off_with_a_code_but_an_admin_cannot(client):
    officer = MembershipFactory(role="clerk").user
    secret = pyotp.random_base32()
    TOTPDevice.objects.create(user=officer, secret=secret, confirmed=True)
    client.force_login(officer)
    client.post("/accounts/security/", {"action": "disable", "code": "123"})
    assert TOTPDevice.objects.filter(user=officer).exists()
    client.post("/accounts/security/", {"action": "disable", "code": pyotp.TOTP(secret).now()})
    assert not TOTPDevice.objects.filter(user=officer).exists()
    assert AuditEvent.objects.filter(
        action="account.totp_disabled", object_id=str(officer.pk)
    ).exists()

    admin = MembershipFactory(role="admin").user
    TOTPDevice.objects.create(user=admin, secret=secret, confirmed=True)
    client.force_login(admin)
    page = client.post(
        "/accounts/security/",
        {"action": "disable", "code": pyotp.TOTP(secret).now()},
        follow=True,
    )
    assert "bắt buộc dùng xác thực hai lớp" in page.content.decode()
    assert TOTPDevice.objects.filter(user=admin).exists()


def test_citizens_have_no_officer_security_page(client):
    from egov.accounts.tests.factories import CitizenFactory

    client.force_login(CitizenFactory())
    assert client.get("/accounts/security/").status_code == 403
