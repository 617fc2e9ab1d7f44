"""Citizen registration with a confirmation code received through a real SMTP server and the
reference SMS gateway; wrong, expired and exhausted codes; the profile; rate limits."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from egov.accounts.models import User
from egov.core.models import AuditEvent
from egov.portal.models import ConfirmationCode
from egov.portal.services_account import MAX_TRIES, _hash
from egov.portal.tests.portal_fixtures import *  # noqa: F403  (fixtures)
from egov.portal.tests.portal_fixtures import PASSWORD

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Khai-sinh-2026!"


def code_in(text: str) -> str:
    match = re.search(r"\b(\d{6})\b", text)
    assert match, text
    return match.group(1)


def start(client, contact, name="Nguyễn Thị Mai"):
    return client.post(reverse("portal:register"), {"full_name": name, "contact": contact})


def confirm(client, code):
    return client.post(reverse("portal:register_confirm"), {"action": "confirm", "code": code})


def test_register_by_email_with_a_code_from_the_smtp_server(client, smtp_server):
    resp = start(client, "Mai.Nguyen@Example.vn")
    assert resp.status_code == 302 and resp["Location"] == reverse("portal:register_confirm")
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["To"] == "mai.nguyen@example.vn"
    body = message.get_content()
    code = code_in(body)
    assert "10 phút" in body and code in message["Subject"]
    row = ConfirmationCode.objects.get()
    # only a keyed hash (HMAC-SHA256) is kept
    assert len(row.code_hash) == 64 and row.code_hash == _hash(row.pk, row.address, code)
    page = client.get(reverse("portal:register_confirm")).content.decode()
    assert "mai.nguyen@example.vn" in page
    assert confirm(client, code)["Location"] == reverse("portal:register_password")
    resp = client.post(
        reverse("portal:register_password"), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert resp.status_code == 302 and resp["Location"] == reverse("portal:profile")
    user = User.objects.get(email="mai.nguyen@example.vn")
    assert (
        user.is_citizen and user.full_name == "Nguyễn Thị Mai" and user.check_password(NEW_PASSWORD)
    )
    assert client.get(reverse("portal:profile")).status_code == 200  # logged in
    assert AuditEvent.objects.filter(
        action="account.citizen_confirmed", object_id=str(user.pk)
    ).exists()
    # the session is over: the code cannot create a second account
    assert client.get(reverse("portal:register_password"))["Location"] == reverse("portal:register")
    client.post(reverse("accounts:logout"))
    login = client.post(
        reverse("accounts:login"), {"username": "mai.nguyen@example.vn", "password": NEW_PASSWORD}
    )
    assert login.status_code == 302


def test_register_by_phone_with_a_code_from_the_sms_gateway(client, sms_gateway):
    assert start(client, "+84 912 000 111").status_code == 302
    assert len(sms_gateway.messages) == 1
    sms = sms_gateway.messages[0]
    assert sms.to == "0912000111" and sms.sender == "UBND-THU"
    assert confirm(client, code_in(sms.text)).status_code == 302
    client.post(
        reverse("portal:register_password"), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    user = User.objects.get(phone="0912000111")
    assert user.is_citizen and user.username == "c:0912000111"


def test_wrong_code_counts_and_the_fifth_ends_the_code(client, smtp_server):
    start(client, "mai@example.vn")
    code = code_in(smtp_server.messages[0].get_content())
    wrong = "000000" if code != "000000" else "111111"
    for i in range(1, MAX_TRIES):
        resp = confirm(client, wrong)
        assert resp.status_code == 400
        assert f"Còn {MAX_TRIES - i} lần thử" in resp.content.decode()
    last = confirm(client, wrong)
    assert "quá 5 lần" in last.content.decode()
    # even the right code is refused now
    assert confirm(client, code).status_code == 400
    assert ConfirmationCode.objects.get().confirmed_at is None
    assert not User.objects.filter(email="mai@example.vn").exists()


def test_expired_code_is_refused(client, smtp_server):
    start(client, "mai@example.vn")
    code = code_in(smtp_server.messages[0].get_content())
    ConfirmationCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    resp = confirm(client, code)
    assert resp.status_code == 400 and "hết hạn" in resp.content.decode()
    assert client.get(reverse("portal:register_password"))["Location"] == reverse(
        "portal:register_confirm"
    )


def test_resend_gives_a_new_code_and_is_limited(client, smtp_server):
    start(client, "mai@example.vn")
    first = code_in(smtp_server.messages[0].get_content())
    resend = {"action": "resend"}
    too_soon = client.post(reverse("portal:register_confirm"), resend)
    assert too_soon.status_code == 400 and "giây" in too_soon.content.decode()
    assert len(smtp_server.messages) == 1
    ConfirmationCode.objects.update(sent_at=timezone.now() - dt.timedelta(minutes=2))
    assert client.post(reverse("portal:register_confirm"), resend).status_code == 302
    assert code_in(smtp_server.messages[1].get_content())
    ConfirmationCode.objects.update(sent_at=timezone.now() - dt.timedelta(minutes=2))
    assert client.post(reverse("portal:register_confirm"), resend).status_code == 302
    assert len(smtp_server.messages) == 3
    ConfirmationCode.objects.update(sent_at=timezone.now() - dt.timedelta(minutes=2))
    limited = client.post(reverse("portal:register_confirm"), resend)
    assert limited.status_code == 400 and "3 lần" in limited.content.decode()
    assert len(smtp_server.messages) == 3
    third = code_in(smtp_server.messages[2].get_content())
    if first != third:
        assert confirm(client, first).status_code == 400  # the old code no longer works
    assert confirm(client, third).status_code == 302


def test_an_address_that_has_an_account_is_sent_to_login(client, citizen, smtp_server):
    resp = start(client, "DAN@example.vn")
    assert resp.status_code == 200 and "Vui lòng đăng nhập" in resp.content.decode()
    assert smtp_server.messages == []


def test_invalid_contact(client, smtp_server):
    for contact in ("0241234567", "khong-phai-email@", "abc"):
        resp = start(client, contact)
        assert resp.status_code == 200 and 'aria-invalid="true"' in resp.content.decode()
    assert smtp_server.messages == []


def test_code_delivery_failure_is_shown_and_nothing_is_kept(client, sms_gateway):
    sms_gateway.fail_next(400)
    resp = start(client, "0912000111")
    assert resp.status_code == 200 and "Không gửi được mã xác nhận" in resp.content.decode()
    assert not ConfirmationCode.objects.exists()


@override_settings(EGOV_PORTAL_CODE_LIMIT=3)
def test_sending_codes_is_rate_limited_per_client_address(client, smtp_server):
    codes = [start(client, f"nguoi{i}@example.vn").status_code for i in range(5)]
    assert codes == [302, 302, 302, 429, 429]
    assert len(smtp_server.messages) == 3


def test_password_rules(client, smtp_server):
    start(client, "mai@example.vn")
    confirm(client, code_in(smtp_server.messages[0].get_content()))
    url = reverse("portal:register_password")
    assert client.post(url, {"password1": "12345678", "password2": "12345678"}).status_code == 200
    assert client.post(url, {"password1": NEW_PASSWORD, "password2": "khac"}).status_code == 200
    assert not User.objects.filter(email="mai@example.vn").exists()


# --- profile -----------------------------------------------------------------------------------


def test_profile_validates_the_citizen_id_and_phone(client, citizen):
    client.force_login(citizen)
    url = reverse("portal:profile")
    page = client.get(url).content.decode()
    assert 'for="id_citizen_id"' in page and 'for="id_address"' in page
    bad = client.post(
        url,
        {"full_name": "Phạm Thị Dân", "citizen_id": "02509000012", "phone": "0241234567"},
    )
    html = bad.content.decode()
    assert bad.status_code == 200 and "12 chữ số" in html and "không hợp lệ" in html
    ok = client.post(
        url,
        {
            "full_name": "Phạm Thị Dân",
            "citizen_id": "025090000123",
            "address": "Thôn Đồng, xã Đỗ Sơn",
            "phone": "0912 345 679",
            "email": "hacker@example.vn",  # the registered email cannot be changed here
        },
    )
    assert ok.status_code == 302
    citizen.refresh_from_db()
    assert citizen.citizen_id == "025090000123" and citizen.phone == "0912345679"
    assert citizen.address == "Thôn Đồng, xã Đỗ Sơn" and citizen.email == "dan@example.vn"
    assert AuditEvent.objects.filter(action="account.profile_updated").exists()


def test_profile_refuses_an_id_number_used_by_someone_else(client, citizen):
    User.objects.filter(pk=citizen.pk).update(citizen_id="025090000123")
    from egov.accounts.tests.factories import CitizenFactory

    other = CitizenFactory()
    client.force_login(other)
    resp = client.post(
        reverse("portal:profile"), {"full_name": "Khác", "citizen_id": "025090000123"}
    )
    assert resp.status_code == 200
    other.refresh_from_db()
    assert other.citizen_id is None


def test_account_pages_need_a_citizen_login(client, db):
    from egov.accounts.tests.factories import UserFactory

    for name in ("profile", "my_dossiers"):
        resp = client.get(reverse(f"portal:{name}"))
        assert resp.status_code == 302 and resp["Location"].startswith(reverse("accounts:login"))
    client.force_login(UserFactory())
    assert client.get(reverse("portal:my_dossiers")).status_code == 403


# --- login rate limit ----------------------------------------------------------------------------


@override_settings(EGOV_LOGIN_RATE_LIMIT=4, EGOV_LOGIN_MAX_FAILURES=100)
def test_password_guessing_from_one_address_is_stopped(client, citizen):
    url = reverse("accounts:login")
    codes = [
        client.post(url, {"username": "dan@example.vn", "password": f"sai-{i}"}).status_code
        for i in range(6)
    ]
    assert codes == [200, 200, 200, 200, 429, 429]
    # the right password is refused too until the window ends
    right = client.post(url, {"username": "dan@example.vn", "password": PASSWORD})
    assert right.status_code == 429 and "_auth_user_id" not in client.session
    # another address is not affected
    other = client.post(
        url, {"username": "dan@example.vn", "password": PASSWORD}, REMOTE_ADDR="10.0.0.9"
    )
    assert other.status_code == 302


@override_settings(EGOV_LOGIN_RATE_LIMIT=3)
def test_successful_logins_do_not_count(client, citizen):
    url = reverse("accounts:login")
    for _ in range(5):
        assert (
            client.post(url, {"username": "dan@example.vn", "password": PASSWORD}).status_code
            == 302
        )
        client.post(reverse("accounts:logout"))


def test_login_page_links_the_registration(client, db):
    assert reverse("portal:register") in client.get(reverse("accounts:login")).content.decode()
