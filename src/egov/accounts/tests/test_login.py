"""Password login: officers by user name, citizens by email or phone; lock-out; audit."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from egov.accounts import services
from egov.accounts.models import User
from egov.accounts.tests.factories import PASSWORD, MembershipFactory, UserFactory
from egov.core.models import AuditEvent

pytestmark = pytest.mark.django_db

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
WRONG = "Tên đăng nhập hoặc mật khẩu không đúng."
CITIZEN_PASSWORD = "Mat-khau-dan-2026"


def post_login(client, username: str, password: str, nxt: str = ""):
    url = "/accounts/login/" + (f"?next={nxt}" if nxt else "")
    return client.post(url, {"username": username, "password": password})


def logged_in_user(client) -> User | None:
    pk = client.session.get("_auth_user_id")
    return User.objects.get(pk=pk) if pk else None


def events(action: str, user: User) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, object_id=str(user.pk)).order_by("seq"))


@pytest.fixture
def citizen():
    return services.create_citizen(
        password=CITIZEN_PASSWORD,
        full_name="Phạm Thị Dân",
        email="Dan.Pham@Example.vn",
        phone="+84 912 345 678",
    )


def test_officer_logs_in_by_user_name(client):
    officer = MembershipFactory(role="clerk").user
    resp = post_login(client, officer.username, PASSWORD)
    assert resp.status_code == 302 and resp["Location"] == "/"
    assert logged_in_user(client) == officer
    assert events("account.login", officer)[0].data["method"] == "password"


@pytest.mark.parametrize(
    "identifier",
    ["dan.pham@example.vn", "DAN.PHAM@EXAMPLE.VN", "0912345678", "0912.345.678", "+84912345678"],
)
def test_citizen_logs_in_by_email_or_phone(client, citizen, identifier):
    resp = post_login(client, identifier, CITIZEN_PASSWORD)
    assert resp.status_code == 302 and resp["Location"] == "/accounts/me/"
    assert logged_in_user(client) == citizen
    assert client.get("/accounts/me/")["Location"] == "/dich-vu-cong/ho-so-cua-toi/"
    assert "Phạm Thị Dân" in client.get("/dich-vu-cong/tai-khoan/").content.decode()


def test_officer_email_is_not_a_login_name(client):
    officer = UserFactory(email="canbo@ubnd.example.vn")
    resp = post_login(client, "canbo@ubnd.example.vn", PASSWORD)
    assert resp.status_code == 200 and WRONG in resp.content.decode()
    officer.refresh_from_db()
    assert logged_in_user(client) is None and officer.failed_logins == 0


def test_wrong_password_is_refused_in_vietnamese(client):
    officer = UserFactory()
    resp = post_login(client, officer.username, "not-the-password")
    assert resp.status_code == 200
    assert WRONG in resp.content.decode()
    assert logged_in_user(client) is None
    event = events("account.login_failed", officer)[0]
    assert event.data["failed_logins"] == 1 and event.data["ip"] == "127.0.0.1"


def test_unknown_account_gets_the_same_message(client):
    resp = post_login(client, "nobody", "whatever")
    assert resp.status_code == 200 and WRONG in resp.content.decode()


def test_inactive_account_cannot_log_in(client):
    officer = UserFactory(is_active=False)
    resp = post_login(client, officer.username, PASSWORD)
    assert resp.status_code == 200 and logged_in_user(client) is None


def test_lock_out_after_the_configured_number_of_failures(client, settings):
    officer = UserFactory()
    limit, minutes = settings.EGOV_LOGIN_MAX_FAILURES, settings.EGOV_LOGIN_LOCK_MINUTES
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=HANOI)
    unlock_at = start + dt.timedelta(minutes=minutes)
    lock_message = f"Vui lòng thử lại sau {unlock_at:%H:%M %d/%m/%Y}"
    with time_machine.travel(start, tick=False) as traveller:
        for attempt in range(1, limit + 1):
            page = post_login(client, officer.username, "wrong").content.decode()
            assert (lock_message in page) == (attempt == limit)
        officer.refresh_from_db()
        assert officer.is_locked() and officer.locked_until == unlock_at

        # while locked even the right password is refused, and the time is shown
        page = post_login(client, officer.username, PASSWORD).content.decode()
        assert "tạm khóa" in page and lock_message in page
        assert logged_in_user(client) is None

        traveller.move_to(unlock_at + dt.timedelta(seconds=1))
        resp = post_login(client, officer.username, PASSWORD)
        assert resp.status_code == 302 and logged_in_user(client) == officer

    officer.refresh_from_db()
    assert officer.failed_logins == 0 and officer.locked_until is None
    assert len(events("account.login_failed", officer)) == limit - 1
    locked = events("account.locked", officer)
    assert (
        len(locked) == 1
        and locked[0].data["locked_until"] == unlock_at.astimezone(dt.UTC).isoformat()
    )
    assert len(events("account.login", officer)) == 1


def test_lock_out_follows_the_settings(client, settings):
    settings.EGOV_LOGIN_MAX_FAILURES, settings.EGOV_LOGIN_LOCK_MINUTES = 2, 30
    officer = UserFactory()
    with time_machine.travel(dt.datetime(2026, 3, 2, 14, 0, tzinfo=HANOI), tick=False):
        post_login(client, officer.username, "wrong")
        page = post_login(client, officer.username, "wrong").content.decode()
    assert "14:30 02/03/2026" in page


def test_success_resets_the_failure_count(client):
    officer = UserFactory()
    post_login(client, officer.username, "wrong")
    post_login(client, officer.username, "wrong")
    post_login(client, officer.username, PASSWORD)
    officer.refresh_from_db()
    assert officer.failed_logins == 0


def test_citizen_lock_out_counts_by_account_whatever_the_identifier(client, citizen, settings):
    settings.EGOV_LOGIN_MAX_FAILURES = 2
    post_login(client, "dan.pham@example.vn", "wrong")
    post_login(client, "0912345678", "wrong")
    citizen.refresh_from_db()
    assert citizen.is_locked()
    assert "tạm khóa" in post_login(client, "0912345678", CITIZEN_PASSWORD).content.decode()


def test_safe_next_is_followed_and_outside_next_is_ignored(client):
    officer = UserFactory()
    assert post_login(client, officer.username, PASSWORD, nxt="/audit/")["Location"] == "/audit/"
    client.logout()
    assert (
        post_login(client, officer.username, PASSWORD, nxt="https://evil.example/")["Location"]
        == "/"
    )


def test_logout_is_a_post_and_is_audited(client):
    officer = UserFactory()
    client.force_login(officer)
    assert client.get("/accounts/logout/").status_code == 405
    resp = client.post("/accounts/logout/")
    assert resp.status_code == 302 and resp["Location"] == "/accounts/login/"
    assert logged_in_user(client) is None
    assert events("account.logout", officer)


def test_logged_in_user_is_sent_on_from_the_login_page(client):
    client.force_login(UserFactory())
    assert client.get("/accounts/login/")["Location"] == "/"
