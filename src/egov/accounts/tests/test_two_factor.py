"""TOTP two-factor login (RFC 6238): enrolment of administrators, codes, replay, too many tries."""

from __future__ import annotations

import datetime as dt
import re

import pyotp
import pytest
import time_machine

from egov.accounts import services
from egov.accounts.models import TOTPDevice, User
from egov.accounts.tests.factories import PASSWORD, MembershipFactory, UserFactory
from egov.accounts.views import MAX_CODE_TRIES
from egov.core.models import AuditEvent

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2026, 3, 2, 5, 0, 10, tzinfo=dt.UTC)  # 10 s into a 30-s step
WRONG_CODE = "Mã xác thực không đúng hoặc đã hết hạn."


def logged_in_user(client) -> User | None:
    pk = client.session.get("_auth_user_id")
    return User.objects.get(pk=pk) if pk else None


def password_step(client, user: User, nxt: str = ""):
    url = "/accounts/login/" + (f"?next={nxt}" if nxt else "")
    return client.post(url, {"username": user.username, "password": PASSWORD})


def other_code(secret: str) -> str:
    """A well-formed code that is not valid now nor one step either side."""
    totp = pyotp.TOTP(secret)
    valid = {totp.at(NOON + dt.timedelta(seconds=s)) for s in (-30, 0, 30)}
    return next(c for c in (f"{n:06d}" for n in range(1_000_000)) if c not in valid)


@pytest.fixture
def frozen():
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


@pytest.fixture
def officer_with_device():
    officer = UserFactory()
    secret = pyotp.random_base32()
    services.confirm_totp_device(officer, secret)
    return officer, secret


def test_admin_without_device_is_sent_to_enrolment_and_confirms_with_a_code(client, frozen):
    admin = MembershipFactory(role="admin").user
    resp = password_step(client, admin, nxt="/audit/")
    assert resp.status_code == 302 and resp["Location"] == "/accounts/login/2fa/setup/"
    assert logged_in_user(client) is None

    page = client.get("/accounts/login/2fa/setup/").content.decode()
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', page).group(1)
    assert "<svg" in page  # the QR code, drawn inline (no outside request)
    device = TOTPDevice.objects.get(user=admin)
    assert device.secret == secret and not device.confirmed

    resp = client.post("/accounts/login/2fa/setup/", {"code": pyotp.TOTP(secret).now()})
    assert resp.status_code == 302 and resp["Location"] == "/audit/"
    assert logged_in_user(client) == admin
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEvent.objects.filter(
        action="account.totp_enrolled", object_id=str(admin.pk)
    ).exists()
    assert (
        AuditEvent.objects.get(action="account.login", object_id=str(admin.pk)).data["method"]
        == "password+totp"
    )


def test_enrolment_refuses_a_wrong_code(client, frozen):
    admin = MembershipFactory(role="admin").user
    password_step(client, admin)
    client.get("/accounts/login/2fa/setup/")
    secret = TOTPDevice.objects.get(user=admin).secret
    resp = client.post("/accounts/login/2fa/setup/", {"code": other_code(secret)})
    assert resp.status_code == 200 and WRONG_CODE in resp.content.decode()
    assert logged_in_user(client) is None
    assert not TOTPDevice.objects.get(user=admin).confirmed


def test_superuser_must_enrol_too(client):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    assert password_step(client, superuser)["Location"] == "/accounts/login/2fa/setup/"


def test_officer_with_a_confirmed_device_must_enter_the_code(client, frozen, officer_with_device):
    officer, secret = officer_with_device
    resp = password_step(client, officer)
    assert resp.status_code == 302 and resp["Location"] == "/accounts/login/2fa/"
    assert logged_in_user(client) is None
    assert client.get("/").status_code == 302  # not in yet
    page = client.get("/accounts/login/2fa/").content.decode()
    assert officer.full_name in page
    # enrolment is over: the setup page does not show the secret again
    assert client.get("/accounts/login/2fa/setup/")["Location"] == "/accounts/login/2fa/"

    resp = client.post("/accounts/login/2fa/", {"code": pyotp.TOTP(secret).now()})
    assert resp.status_code == 302 and resp["Location"] == "/"
    assert logged_in_user(client) == officer


def test_wrong_code_is_refused(client, frozen, officer_with_device):
    officer, secret = officer_with_device
    password_step(client, officer)
    resp = client.post("/accounts/login/2fa/", {"code": other_code(secret)})
    assert resp.status_code == 200 and WRONG_CODE in resp.content.decode()
    assert logged_in_user(client) is None
    resp = client.post("/accounts/login/2fa/", {"code": "12ab56"})
    assert resp.status_code == 200 and "Mã xác thực gồm 6 chữ số." in resp.content.decode()


def test_code_of_the_previous_step_is_accepted_for_clock_drift(client, frozen, officer_with_device):
    officer, secret = officer_with_device
    password_step(client, officer)
    code = pyotp.TOTP(secret).at(NOON - dt.timedelta(seconds=30))
    assert client.post("/accounts/login/2fa/", {"code": code}).status_code == 302
    assert logged_in_user(client) == officer


def test_same_code_cannot_be_used_twice(client, frozen, officer_with_device):
    officer, secret = officer_with_device
    code = pyotp.TOTP(secret).now()
    password_step(client, officer)
    assert client.post("/accounts/login/2fa/", {"code": code})["Location"] == "/"
    client.post("/accounts/logout/")

    password_step(client, officer)
    resp = client.post("/accounts/login/2fa/", {"code": code})
    assert resp.status_code == 200 and WRONG_CODE in resp.content.decode()
    assert logged_in_user(client) is None

    # nor an older one, once a newer step was used
    frozen.shift(dt.timedelta(seconds=30))
    resp = client.post(
        "/accounts/login/2fa/", {"code": pyotp.TOTP(secret).at(NOON - dt.timedelta(seconds=30))}
    )
    assert resp.status_code == 200 and logged_in_user(client) is None
    assert (
        client.post("/accounts/login/2fa/", {"code": pyotp.TOTP(secret).now()})["Location"] == "/"
    )


def test_too_many_wrong_codes_send_back_to_login(client, frozen, officer_with_device):
    officer, secret = officer_with_device
    password_step(client, officer)
    bad = other_code(secret)
    for _ in range(MAX_CODE_TRIES - 1):
        assert client.post("/accounts/login/2fa/", {"code": bad}).status_code == 200
    resp = client.post("/accounts/login/2fa/", {"code": bad})
    assert resp.status_code == 302 and resp["Location"] == "/accounts/login/"
    page = client.get("/accounts/login/").content.decode()
    assert "Nhập sai mã xác thực quá nhiều lần" in page
    # the pending login is gone: even the right code does not get in now
    assert client.get("/accounts/login/2fa/")["Location"] == "/accounts/login/"
    client.post("/accounts/login/2fa/", {"code": pyotp.TOTP(secret).now()})
    assert logged_in_user(client) is None
    officer.refresh_from_db()
    assert officer.failed_logins == 1  # counts towards the lock-out


def test_code_pages_need_the_password_step_first(client):
    assert client.get("/accounts/login/2fa/")["Location"] == "/accounts/login/"
    assert client.get("/accounts/login/2fa/setup/")["Location"] == "/accounts/login/"


def test_officer_without_device_and_without_admin_role_logs_in_with_the_password(client):
    officer = MembershipFactory(role="specialist").user
    assert password_step(client, officer)["Location"] == "/"
    assert logged_in_user(client) == officer
