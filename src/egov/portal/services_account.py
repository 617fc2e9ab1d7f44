"""Citizen accounts on the portal: registration with a confirmation code, and the profile.

Registration proves that the person holds the email address or mobile number they give: a
6-digit code is sent there (``notifications.codes.send_code``); only an HMAC of it is kept,
it expires after :data:`CODE_MINUTES` minutes and allows :data:`MAX_TRIES` tries; it can be
sent again :data:`MAX_SENDS` times in all, not sooner than :data:`RESEND_SECONDS` apart. Once
confirmed, the person sets a password and the account is created by
``accounts.services.create_citizen`` (the only code that creates citizens).
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from egov.accounts import services as account_services
from egov.accounts.models import User, citizen_id_validator
from egov.core import audit
from egov.portal.models import ConfirmationCode

CODE_MINUTES = 10
MAX_TRIES = 5
MAX_SENDS = 3
RESEND_SECONDS = 60
#: time allowed between confirming the code and choosing the password
CONFIRMED_MINUTES = 30


class CodeError(ValidationError):
    """The code cannot be accepted (``code``: wrong, expired, too_many_tries, too_many_sends,
    too_soon, not_sent)."""


def normalise_contact(value: str) -> tuple[str, str]:
    """'Dan@Example.vn' → ("email", "dan@example.vn"); '+84 912 345 678' → ("sms", "0912345678")."""
    value = (value or "").strip()
    if "@" in value:
        try:
            validate_email(value)
        except ValidationError:
            raise ValidationError(_("Địa chỉ thư điện tử không hợp lệ."), code="invalid") from None
        return ConfirmationCode.Channel.EMAIL, value.lower()
    phone = account_services.normalise_phone(value)
    if phone is None:
        raise ValidationError(
            _("Nhập địa chỉ thư điện tử hoặc số điện thoại di động (ví dụ 0912345678)."),
            code="invalid",
        )
    return ConfirmationCode.Channel.SMS, phone


def contact_taken(channel: str, address: str) -> bool:
    if channel == ConfirmationCode.Channel.EMAIL:
        return User.objects.filter(kind=User.Kind.CITIZEN, email__iexact=address).exists()
    return User.objects.filter(phone=address).exists()


def _hash(row_id: int, address: str, code: str) -> str:
    # Keyed with SECRET_KEY: a copy of the table does not give the codes away by brute force.
    return salted_hmac(
        "egov.portal.confirmation-code", f"{row_id}:{address}:{code}", algorithm="sha256"
    ).hexdigest()


def _new_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def _send(row: ConfirmationCode, code: str) -> None:
    from egov.notifications.codes import DeliveryError, send_code

    try:
        send_code(row.channel, row.address, code, minutes=CODE_MINUTES, full_name=row.full_name)
    except DeliveryError as exc:
        raise CodeError(
            _("Không gửi được mã xác nhận tới %(address)s. Vui lòng kiểm tra lại hoặc thử sau.")
            % {"address": row.address},
            code="not_sent",
        ) from exc


def start_registration(contact: str, full_name: str) -> ConfirmationCode:
    """Send a confirmation code to ``contact`` (an email address or a mobile number)."""
    channel, address = normalise_contact(contact)
    if contact_taken(channel, address):
        raise ValidationError(
            _("Đã có tài khoản dùng %(address)s. Vui lòng đăng nhập.") % {"address": address},
            code="taken",
        )
    now = timezone.now()
    code = _new_code()
    with transaction.atomic():
        row = ConfirmationCode.objects.create(
            channel=channel,
            address=address,
            full_name=" ".join((full_name or "").split())[:200],
            code_hash="",
            expires_at=now + dt.timedelta(minutes=CODE_MINUTES),
        )
        row.code_hash = _hash(row.pk, address, code)
        row.save(update_fields=["code_hash"])
    try:
        _send(row, code)
    except CodeError:
        row.delete()
        raise
    ConfirmationCode.objects.filter(pk=row.pk).update(sends=1, sent_at=now)
    row.sends, row.sent_at = 1, now
    audit.record("account.code_sent", obj=row, data={"channel": channel, "purpose": row.purpose})
    return row


def resend(row: ConfirmationCode) -> ConfirmationCode:
    """A new code replaces the old one (new expiry, tries start again)."""
    now = timezone.now()
    if row.used_at is not None or row.confirmed_at is not None:
        raise CodeError(_("Mã đã được xác nhận."), code="used")
    if row.sends >= MAX_SENDS:
        raise CodeError(
            _("Đã gửi mã %(n)s lần. Vui lòng bắt đầu đăng ký lại sau ít phút.") % {"n": row.sends},
            code="too_many_sends",
        )
    if row.sent_at and (now - row.sent_at).total_seconds() < RESEND_SECONDS:
        wait = RESEND_SECONDS - int((now - row.sent_at).total_seconds())
        raise CodeError(
            _("Vui lòng chờ %(s)s giây trước khi yêu cầu gửi lại mã.") % {"s": wait},
            code="too_soon",
        )
    code = _new_code()
    _send(row, code)
    row.code_hash = _hash(row.pk, row.address, code)
    row.sends += 1
    row.tries = 0
    row.sent_at = now
    row.expires_at = now + dt.timedelta(minutes=CODE_MINUTES)
    row.save(update_fields=["code_hash", "sends", "tries", "sent_at", "expires_at"])
    audit.record("account.code_sent", obj=row, data={"channel": row.channel, "resend": row.sends})
    return row


def verify(row: ConfirmationCode, code: str) -> ConfirmationCode:
    """Check ``code``; every try counts, the :data:`MAX_TRIES`-th wrong one ends the code."""
    code = "".join((code or "").split())
    with transaction.atomic():
        row = ConfirmationCode.objects.select_for_update().get(pk=row.pk)
        if row.confirmed_at is not None:
            return row
        if row.tries >= MAX_TRIES:
            raise CodeError(
                _("Đã nhập sai mã quá %(n)s lần. Vui lòng yêu cầu gửi mã mới.") % {"n": MAX_TRIES},
                code="too_many_tries",
            )
        if timezone.now() >= row.expires_at:
            raise CodeError(
                _("Mã xác nhận đã hết hạn. Vui lòng yêu cầu gửi mã mới."), code="expired"
            )
        expected = _hash(row.pk, row.address, code)
        matches = code.isdigit() and constant_time_compare(row.code_hash, expected)
        row.tries += 1
        if matches:
            row.confirmed_at = timezone.now()
        row.save(update_fields=["tries", "confirmed_at"])
    # raised after the commit, so that the wrong try stays counted
    if not matches:
        left = MAX_TRIES - row.tries
        if left <= 0:
            raise CodeError(
                _("Đã nhập sai mã quá %(n)s lần. Vui lòng yêu cầu gửi mã mới.") % {"n": MAX_TRIES},
                code="too_many_tries",
            )
        raise CodeError(_("Mã xác nhận không đúng. Còn %(n)s lần thử.") % {"n": left}, code="wrong")
    return row


@transaction.atomic
def complete_registration(row: ConfirmationCode, password: str) -> User:
    """Create the citizen account once the code is confirmed (within :data:`CONFIRMED_MINUTES`)."""
    row = ConfirmationCode.objects.select_for_update().get(pk=row.pk)
    now = timezone.now()
    if (
        row.confirmed_at is None
        or row.used_at is not None
        or now - row.confirmed_at > dt.timedelta(minutes=CONFIRMED_MINUTES)
    ):
        raise CodeError(_("Phiên đăng ký đã hết hạn. Vui lòng đăng ký lại."), code="expired")
    if contact_taken(row.channel, row.address):
        raise ValidationError(
            _("Đã có tài khoản dùng %(address)s. Vui lòng đăng nhập.") % {"address": row.address},
            code="taken",
        )
    is_email = row.channel == ConfirmationCode.Channel.EMAIL
    user = account_services.create_citizen(
        password=password,
        full_name=row.full_name,
        email=row.address if is_email else "",
        phone="" if is_email else row.address,
    )
    row.used_at = now
    row.save(update_fields=["used_at"])
    audit.record("account.citizen_confirmed", actor=user, obj=user, data={"channel": row.channel})
    return user


PROFILE_FIELDS = ("full_name", "citizen_id", "address", "email", "phone")


@transaction.atomic
def update_profile(user: User, *, by: User, **values) -> User:
    """The citizen updates their profile. The address they registered (or logged in) with and an
    ID number confirmed by the identity provider (VNeID) cannot be changed here."""
    if not user.is_citizen:
        raise ValidationError(_("Chỉ tài khoản người dân có hồ sơ cá nhân trên cổng."))
    locked = set(locked_profile_fields(user))
    changed = []
    for name, value in values.items():
        if name not in PROFILE_FIELDS or name in locked:
            continue
        value = " ".join((value or "").split())
        if name == "phone" and value:
            normalised = account_services.normalise_phone(value)
            if normalised is None:
                raise ValidationError(
                    {"phone": _("Số điện thoại di động không hợp lệ (ví dụ 0912345678).")}
                )
            value = normalised
        if name == "email":
            value = value.lower()
        if name == "citizen_id" and value:
            citizen_id_validator(value)
        if name in ("phone", "citizen_id"):
            value = value or None
        if getattr(user, name) != value:
            setattr(user, name, value)
            changed.append(name)
    if not changed:
        return user
    if "email" in changed and user.email:
        taken = User.objects.filter(kind=User.Kind.CITIZEN, email__iexact=user.email)
        if taken.exclude(pk=user.pk).exists():
            raise ValidationError({"email": _("Thư điện tử này đã được dùng cho tài khoản khác.")})
    user.full_clean(exclude=["password", "username"])
    user.save(update_fields=changed)
    audit.record("account.profile_updated", actor=by, obj=user, data={"fields": changed})
    return user


def locked_profile_fields(user: User) -> list[str]:
    """Fields proved at registration or by the identity provider."""
    locked = []
    login_name = user.username or ""
    if login_name.startswith("c:") and "@" in login_name:
        locked.append("email")
    elif login_name.startswith("c:"):
        locked.append("phone")
    if user.oidc_subject and user.citizen_id:
        locked.append("citizen_id")
    return locked
