"""Account services: the only code that changes accounts, roles and 2FA devices."""

from __future__ import annotations

import datetime as dt
import re

import pyotp
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.accounts.models import (
    Membership,
    Role,
    TOTPDevice,
    User,
    citizen_id_validator,
    phone_validator,
)
from egov.core import audit

_PHONE_CHARS = re.compile(r"[\s.\-()]")


def normalise_phone(value: str) -> str | None:
    """'+84 912 345 678' / '0912.345.678' → '0912345678'; None when it is not a VN mobile number."""
    raw = _PHONE_CHARS.sub("", value or "")
    if raw.startswith("+84"):
        raw = "0" + raw[3:]
    elif raw.startswith("84") and len(raw) == 11:
        raw = "0" + raw[2:]
    try:
        phone_validator(raw)
    except ValidationError:
        return None
    return raw


def _client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") if request is not None else ""


def record_login_success(user: User, request=None) -> None:
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
    user.failed_logins, user.locked_until = 0, None


def record_login_failure(user: User, request=None) -> None:
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
        user.refresh_from_db(fields=["failed_logins", "locked_until"])
        data = {"ip": _client_ip(request), "failed_logins": user.failed_logins}
        if user.failed_logins >= settings.EGOV_LOGIN_MAX_FAILURES:
            user.locked_until = timezone.now() + dt.timedelta(
                minutes=settings.EGOV_LOGIN_LOCK_MINUTES
            )
            User.objects.filter(pk=user.pk).update(locked_until=user.locked_until, failed_logins=0)
            data["locked_until"] = user.locked_until.isoformat()
            audit.record("account.locked", obj=user, data=data)
        else:
            audit.record("account.login_failed", obj=user, data=data)


def unlock(user: User, *, by: User) -> None:
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
    audit.record("account.unlocked", actor=by, obj=user)


@transaction.atomic
def create_officer(
    username: str,
    password: str | None,
    *,
    full_name: str,
    email: str = "",
    position: str = "",
    by: User | None = None,
) -> User:
    user = User(
        username=username,
        full_name=full_name,
        email=email,
        position=position,
        kind=User.Kind.OFFICER,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    audit.record("account.officer_created", actor=by, obj=user, data={"username": username})
    return user


@transaction.atomic
def create_citizen(
    *,
    password: str,
    full_name: str,
    email: str = "",
    phone: str = "",
    citizen_id: str = "",
    address: str = "",
) -> User:
    if not email and not phone:
        raise ValidationError(_("Cần email hoặc số điện thoại để đăng ký."))
    normalised_phone = None
    if phone:
        normalised_phone = normalise_phone(phone)
        if normalised_phone is None:
            raise ValidationError(
                {"phone": _("Số điện thoại di động không hợp lệ (ví dụ 0912345678).")}
            )
    if citizen_id:
        citizen_id_validator(citizen_id)
    username = f"c:{email.lower()}" if email else f"c:{normalised_phone}"
    user = User(
        username=username,
        kind=User.Kind.CITIZEN,
        full_name=full_name,
        email=email.lower(),
        phone=normalised_phone,
        citizen_id=citizen_id or None,
        address=address,
    )
    user.set_password(password)
    # The generated user name ("c:<email or phone>") is internal; it is not typed by anyone.
    user.full_clean(exclude=["password", "username"])
    user.save()
    audit.record("account.citizen_registered", obj=user)
    return user


@transaction.atomic
def grant_role(user: User, agency, role: str, *, by: User | None = None) -> Membership:
    if role not in Role.values:
        raise ValidationError(_("Vai trò không hợp lệ: %(role)s") % {"role": role})
    if not user.is_officer:
        raise ValidationError(_("Chỉ tài khoản cán bộ mới được giao vai trò."))
    membership, created = Membership.objects.get_or_create(
        user=user, agency=agency, role=role, defaults={"is_active": True}
    )
    if not created and not membership.is_active:
        membership.is_active = True
        membership.save(update_fields=["is_active"])
    audit.record("account.role_granted", actor=by, agency=agency, obj=user, data={"role": role})
    return membership


@transaction.atomic
def revoke_role(membership: Membership, *, by: User | None = None) -> None:
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    audit.record(
        "account.role_revoked",
        actor=by,
        agency=membership.agency_id,
        obj=membership.user,
        data={"role": membership.role},
    )


# --- TOTP two-factor ------------------------------------------------------------------------


def start_totp_enrolment(user: User, secret: str | None = None) -> TOTPDevice:
    """Create (or restart) an unconfirmed device. ``secret`` is only given by the demo loader."""
    device, _created = TOTPDevice.objects.update_or_create(
        user=user,
        defaults={
            "secret": secret or pyotp.random_base32(),
            "confirmed": False,
            "last_used_step": 0,
        },
    )
    return device


def totp_uri(device: TOTPDevice) -> str:
    return pyotp.TOTP(device.secret).provisioning_uri(
        name=device.user.get_username(), issuer_name=settings.EGOV_TOTP_ISSUER
    )


def verify_totp(user: User, code: str) -> bool:
    """Accepts the current code (±1 step for clock drift); never the same step twice (RFC 6238 §5.2)."""
    device = getattr(user, "totp_device", None)
    code = (code or "").strip().replace(" ", "")
    if device is None or not code.isdigit():
        return False
    totp = pyotp.TOTP(device.secret)
    now_step = int(timezone.now().timestamp()) // totp.interval
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        for step in (now_step, now_step - 1, now_step + 1):
            if step > device.last_used_step and totp.at(step * totp.interval) == code:
                device.last_used_step = step
                fields = ["last_used_step"]
                if not device.confirmed:
                    device.confirmed = True
                    fields.append("confirmed")
                    audit.record("account.totp_enrolled", actor=user, obj=user)
                device.save(update_fields=fields)
                return True
    return False


def disable_totp(user: User, code: str) -> bool:
    """Turn two-factor login off; needs a valid current code. Administrators must keep it."""
    if user.is_superuser or user.has_role(Role.ADMIN):
        return False
    if not verify_totp(user, code):
        return False
    TOTPDevice.objects.filter(user=user).delete()
    audit.record("account.totp_disabled", actor=user, obj=user)
    return True


def confirm_totp_device(user: User, secret: str) -> TOTPDevice:
    """Demo loader: an already-confirmed device with a known secret."""
    device, _created = TOTPDevice.objects.update_or_create(
        user=user, defaults={"secret": secret, "confirmed": True}
    )
    return device
