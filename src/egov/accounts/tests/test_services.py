"""Account services (the only code that changes accounts), and the admin that calls them."""

from __future__ import annotations

import datetime as dt

import pyotp
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from egov.accounts import services
from egov.accounts.models import Membership, TOTPDevice, User
from egov.accounts.tests.factories import CitizenFactory, MembershipFactory, UserFactory
from egov.core.models import AuditEvent
from egov.organizations.tests.factories import AgencyFactory


def actions(user: User) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_id=str(user.pk), object_type="accounts.user")
        .order_by("seq")
        .values_list("action", flat=True)
    )


# --- phone numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0912345678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("84912345678", "0912345678"),
        ("0912.345.678", "0912345678"),
        ("(091) 234-5678", "0912345678"),
        ("0387654321", "0387654321"),
        ("0212345678", None),  # a landline prefix
        ("091234567", None),
        ("", None),
        (None, None),
    ],
)
def test_normalise_phone(raw, expected):
    assert services.normalise_phone(raw) == expected


@given(
    prefix=st.sampled_from("35789"),
    rest=st.text("0123456789", min_size=8, max_size=8),
    style=st.integers(0, 3),
)
def test_every_spelling_of_a_mobile_number_normalises_the_same(prefix, rest, style):
    national = f"0{prefix}{rest}"
    spelled = [
        national,
        f"+84{national[1:]}",
        f"84{national[1:]}",
        f"{national[:4]} {national[4:7]} {national[7:]}",
    ][style]
    assert services.normalise_phone(spelled) == national


# --- creating accounts ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_create_officer_is_audited():
    by = UserFactory()
    officer = services.create_officer(
        "vanthu.xa", "Mat-khau-2026!", full_name="Lê Văn Thư", email="vt@ubnd.example.vn", by=by
    )
    assert officer.is_officer and officer.check_password("Mat-khau-2026!")
    event = AuditEvent.objects.get(action="account.officer_created", object_id=str(officer.pk))
    assert event.actor_id == by.pk and event.data == {"username": "vanthu.xa"}


@pytest.mark.django_db
def test_create_officer_without_password_cannot_log_in_by_password():
    officer = services.create_officer("sso.only", None, full_name="Chỉ đăng nhập VNeID")
    assert not officer.has_usable_password()


@pytest.mark.django_db
def test_create_officer_refuses_a_bad_user_name():
    with pytest.raises(ValidationError):
        services.create_officer("có dấu cách", "x", full_name="X")


@pytest.mark.django_db
def test_create_citizen_normalises_and_audits():
    citizen = services.create_citizen(
        password="Mat-khau-dan-2026",
        full_name="Phạm Thị Dân",
        email="Dan@Example.vn",
        phone="+84 912 345 678",
        citizen_id="025190000001",
    )
    assert citizen.is_citizen
    assert (citizen.email, citizen.phone, citizen.citizen_id) == (
        "dan@example.vn",
        "0912345678",
        "025190000001",
    )
    assert "account.citizen_registered" in actions(citizen)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data",
    [
        {},  # neither email nor phone
        {"phone": "0212345678"},
        {"email": "a@example.vn", "citizen_id": "12345"},
    ],
)
def test_create_citizen_refuses_bad_data(data):
    with pytest.raises(ValidationError):
        services.create_citizen(password="Mat-khau-dan-2026", full_name="X", **data)
    assert not User.objects.exists()


@pytest.mark.django_db
def test_citizen_email_is_unique_among_citizens_only():
    UserFactory(email="same@example.vn")  # an officer may share it
    services.create_citizen(password="Mat-khau-dan-2026", full_name="A", email="same@example.vn")
    with pytest.raises(ValidationError):
        services.create_citizen(
            password="Mat-khau-dan-2026", full_name="B", email="SAME@example.vn"
        )


# --- roles ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_grant_and_revoke_role_are_audited_and_revoke_keeps_history():
    officer, agency, by = UserFactory(), AgencyFactory(), UserFactory()
    membership = services.grant_role(officer, agency, "clerk", by=by)
    assert officer.has_role("clerk", agency)
    services.revoke_role(membership, by=by)
    membership.refresh_from_db()
    assert not membership.is_active and not officer.has_role("clerk")
    again = services.grant_role(officer, agency, "clerk", by=by)
    assert again.pk == membership.pk and again.is_active
    assert [
        e.data["role"]
        for e in AuditEvent.objects.filter(action__startswith="account.role_").order_by("seq")
    ] == ["clerk"] * 3
    assert (
        AuditEvent.objects.filter(action="account.role_granted", agency_id=agency.pk).count() == 2
    )


@pytest.mark.django_db
def test_roles_only_for_officers_and_known_roles():
    agency = AgencyFactory()
    with pytest.raises(ValidationError):
        services.grant_role(CitizenFactory(), agency, "clerk")
    with pytest.raises(ValidationError):
        services.grant_role(UserFactory(), agency, "mayor")
    assert not Membership.objects.exists()


@pytest.mark.django_db
def test_who_must_use_two_factor():
    assert not UserFactory().requires_two_factor()
    assert MembershipFactory(role="admin").user.requires_two_factor()
    assert UserFactory(is_superuser=True).requires_two_factor()
    citizen = CitizenFactory()
    services.confirm_totp_device(citizen, pyotp.random_base32())
    assert not citizen.requires_two_factor()  # citizens are not officers
    officer = UserFactory()
    services.start_totp_enrolment(officer)
    assert not officer.requires_two_factor()  # an unconfirmed device does not count
    services.confirm_totp_device(officer, pyotp.random_base32())
    assert User.objects.get(pk=officer.pk).requires_two_factor()


# --- lock-out and TOTP ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_unlock_clears_the_lock_and_is_audited(settings):
    officer, admin = UserFactory(), UserFactory()
    for _ in range(settings.EGOV_LOGIN_MAX_FAILURES):
        services.record_login_failure(officer)
    assert officer.is_locked()
    services.unlock(officer, by=admin)
    officer.refresh_from_db()
    assert not officer.is_locked() and officer.failed_logins == 0
    assert AuditEvent.objects.get(action="account.unlocked").actor_id == admin.pk


@pytest.mark.django_db
def test_verify_totp_rejects_junk_and_confirms_on_first_use():
    officer = UserFactory()
    assert not services.verify_totp(officer, "123456")  # no device
    device = services.start_totp_enrolment(officer)
    officer = User.objects.get(pk=officer.pk)
    assert not services.verify_totp(officer, "abcdef")
    assert not services.verify_totp(officer, "")
    assert services.verify_totp(officer, pyotp.TOTP(device.secret).at(timezone.now()))
    device.refresh_from_db()
    assert device.confirmed and device.last_used_step > 0
    assert "account.totp_enrolled" in actions(officer)


@pytest.mark.django_db
def test_totp_uri_names_the_issuer_and_account(settings):
    settings.EGOV_TOTP_ISSUER = "UBND Thanh Ba"
    officer = UserFactory(username="quantri")
    uri = services.totp_uri(services.start_totp_enrolment(officer))
    assert (
        uri.startswith("otpauth://totp/UBND%20Thanh%20Ba:quantri?")
        and "issuer=UBND%20Thanh%20Ba" in uri
    )


# --- the admin calls the services ------------------------------------------------------------------


@pytest.fixture
def admin_client(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    client.admin = admin
    return client


@pytest.mark.django_db
def test_admin_lists_accounts_and_hides_the_totp_secret(admin_client):
    officer = MembershipFactory(role="clerk").user
    device = services.confirm_totp_device(officer, pyotp.random_base32())
    assert admin_client.get("/admin/accounts/user/").status_code == 200
    assert admin_client.get("/admin/accounts/membership/").status_code == 200
    page = admin_client.get(f"/admin/accounts/user/{officer.pk}/change/")
    assert page.status_code == 200
    assert device.secret not in page.content.decode()
    assert TOTPDevice.objects.get(user=officer).secret == device.secret


@pytest.mark.django_db
def test_admin_unlock_action(admin_client, settings):
    officer = UserFactory()
    officer.locked_until = timezone.now() + dt.timedelta(minutes=10)
    officer.save()
    resp = admin_client.post(
        "/admin/accounts/user/", {"action": "unlock", "_selected_action": [officer.pk]}
    )
    assert resp.status_code == 302
    officer.refresh_from_db()
    assert not officer.is_locked()
    assert AuditEvent.objects.get(action="account.unlocked").actor_id == admin_client.admin.pk


@pytest.mark.django_db
def test_admin_creates_officers_through_the_service(admin_client):
    resp = admin_client.post(
        "/admin/accounts/user/add/",
        {
            "username": "motcua.xa",
            "full_name": "Đỗ Một Cửa",
            "email": "mc@ubnd.example.vn",
            "position": "Chuyên viên",
            "usable_password": "true",
            "password1": "Mot-cua-2026!x",
            "password2": "Mot-cua-2026!x",
        },
    )
    assert resp.status_code == 302, resp.content.decode()[:2000]
    officer = User.objects.get(username="motcua.xa")
    assert (
        officer.is_officer
        and officer.full_name == "Đỗ Một Cửa"
        and officer.check_password("Mot-cua-2026!x")
    )
    assert (
        AuditEvent.objects.get(action="account.officer_created").actor_id == admin_client.admin.pk
    )


def _change_form(user: User, memberships: list[dict], extra: list[dict]) -> dict:
    data = {
        "username": user.username,
        "full_name": user.full_name,
        "position": "",
        "email": user.email,
        "phone": "",
        "citizen_id": "",
        "address": "",
        "is_active": "on",
        "memberships-TOTAL_FORMS": str(len(memberships) + len(extra)),
        "memberships-INITIAL_FORMS": str(len(memberships)),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "totp_device-TOTAL_FORMS": "0",
        "totp_device-INITIAL_FORMS": "0",
        "totp_device-MIN_NUM_FORMS": "0",
        "totp_device-MAX_NUM_FORMS": "0",
    }
    for i, row in enumerate(memberships + extra):
        for key, value in row.items():
            if value is not None:
                data[f"memberships-{i}-{key}"] = value
    return data


@pytest.mark.django_db
def test_admin_inline_grants_and_revokes_through_the_services(admin_client):
    membership = MembershipFactory(role="clerk")
    officer, other = membership.user, AgencyFactory()
    data = _change_form(
        officer,
        [
            {
                "id": membership.pk,
                "user": officer.pk,
                "agency": membership.agency_id,
                "role": "clerk",
                "is_active": None,
            }
        ],
        [{"user": officer.pk, "agency": other.pk, "role": "leader", "is_active": "on"}],
    )
    resp = admin_client.post(f"/admin/accounts/user/{officer.pk}/change/", data)
    assert resp.status_code == 302, resp.content.decode()[:3000]
    membership.refresh_from_db()
    assert not membership.is_active
    assert officer.has_role("leader", other)
    assert set(
        AuditEvent.objects.filter(actor_id=admin_client.admin.pk).values_list("action", flat=True)
    ) == {
        "account.role_revoked",
        "account.role_granted",
    }


@pytest.mark.django_db
def test_admin_membership_add_and_revoke_through_the_services(admin_client):
    officer, agency = UserFactory(), AgencyFactory()
    resp = admin_client.post(
        "/admin/accounts/membership/add/",
        {"user": officer.pk, "agency": agency.pk, "role": "onestop", "is_active": "on"},
    )
    assert resp.status_code == 302
    membership = Membership.objects.get(user=officer)
    assert AuditEvent.objects.get(action="account.role_granted").actor_id == admin_client.admin.pk
    admin_client.post(
        "/admin/accounts/membership/", {"action": "revoke", "_selected_action": [membership.pk]}
    )
    membership.refresh_from_db()
    assert not membership.is_active
    assert AuditEvent.objects.filter(action="account.role_revoked").exists()
    # citizens are not offered
    citizen = CitizenFactory()
    resp = admin_client.post(
        "/admin/accounts/membership/add/",
        {"user": citizen.pk, "agency": agency.pk, "role": "clerk", "is_active": "on"},
    )
    assert resp.status_code == 200 and not Membership.objects.filter(user=citizen).exists()


@pytest.mark.django_db
def test_accounts_are_not_deleted_in_the_admin(admin_client):
    officer = UserFactory()
    assert admin_client.get(f"/admin/accounts/user/{officer.pk}/delete/").status_code == 403
