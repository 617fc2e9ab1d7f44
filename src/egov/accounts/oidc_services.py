"""Accounts from OpenID Connect claims (VNeID-ready): matching, linking and registration.

The only code that changes accounts on an OIDC login (ARCHITECTURE rule 1). Matching rules,
in order:

1. the user already linked to the subject (``oidc_subject``) — officer or citizen;
2. the one active officer whose email equals the *verified* email claim: the subject is linked
   to that officer (audit ``account.oidc_linked``). Officers are never created from OIDC: an
   administrator creates them and grants their roles;
3. the citizen holding the citizen ID claim (``settings.OIDC_CITIZEN_ID_CLAIM``, 12 digits): the
   subject is linked to that citizen; VNeID vouches for the citizen ID number;
4. otherwise a new citizen account ``oidc:<sub>`` with the name, email, phone number and citizen
   ID of the claims (audit ``account.citizen_registered``). A value another account already
   holds (unique email, phone or citizen ID) is left out and listed in the audit event.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from egov.accounts import services
from egov.accounts.models import User
from egov.core import audit

_CITIZEN_ID = re.compile(r"^\d{12}$")


class OIDCAccountError(Exception):
    """The claims cannot be turned into a usable account; ``message`` is shown to the user."""

    def __init__(self, message: str, code: str = "account") -> None:
        super().__init__(message)
        self.message, self.code = message, code


def _text(claims: Mapping[str, Any], name: str) -> str:
    value = claims.get(name)
    return str(value).strip() if value is not None else ""


def _verified(claims: Mapping[str, Any], name: str) -> bool | None:
    """``True``/``False`` of a boolean claim; some providers send the strings "true"/"false"."""
    value = claims.get(name)
    if isinstance(value, str):
        value = {"true": True, "false": False}.get(value.strip().lower())
    return value if isinstance(value, bool) else None


def _full_name(claims: Mapping[str, Any]) -> str:
    name = _text(claims, "name")
    if not name:
        # Vietnamese order: family name, middle name, given name.
        name = " ".join(
            x
            for x in (
                _text(claims, "family_name"),
                _text(claims, "middle_name"),
                _text(claims, "given_name"),
            )
            if x
        )
    return name[:200]


def _username(sub: str) -> str:
    username = f"oidc:{sub}"
    if len(username) > 150:
        username = f"oidc:{hashlib.sha256(sub.encode()).hexdigest()}"
    return username


def _ensure_active(user: User) -> User:
    if not user.is_active:
        raise OIDCAccountError(
            _("Tài khoản đã bị vô hiệu hóa. Vui lòng liên hệ quản trị hệ thống."), "inactive"
        )
    return user


def _link(user: User, sub: str, *, matched_by: str, provider: str) -> User:
    _ensure_active(user)
    user.oidc_subject = sub
    user.save(update_fields=["oidc_subject"])
    audit.record(
        "account.oidc_linked",
        actor=user,
        obj=user,
        data={"provider": provider, "subject": sub, "matched_by": matched_by},
    )
    return user


@transaction.atomic
def login_or_register_from_claims(
    claims: Mapping[str, Any], *, provider: str | None = None
) -> User:
    """Return the account for validated ID-token/userinfo ``claims`` (see the module rules).

    It does not log the user in: the view does, after the two-factor step where one is needed.
    Raises :class:`OIDCAccountError` with a message for the user when no account can be used.
    """
    provider = provider or settings.OIDC_PROVIDER_NAME
    sub = _text(claims, "sub")
    if not sub:
        raise OIDCAccountError(
            _("Máy chủ định danh không trả về mã định danh người dùng (sub)."), "no_subject"
        )

    user = User.objects.filter(oidc_subject=sub).first()
    if user is not None:
        return _ensure_active(user)

    email = _text(claims, "email").lower()
    if email and _verified(claims, "email_verified") is True:
        officers = list(
            User.objects.filter(kind=User.Kind.OFFICER, is_active=True, email__iexact=email).filter(
                Q(oidc_subject__isnull=True) | Q(oidc_subject="")
            )[:2]
        )
        if len(officers) > 1:
            raise OIDCAccountError(
                _(
                    "Có nhiều tài khoản cán bộ dùng cùng địa chỉ email %(email)s; quản trị hệ thống cần sửa trước khi đăng nhập bằng %(provider)s."
                )
                % {"email": email, "provider": provider},
                "ambiguous_email",
            )
        if officers:
            return _link(officers[0], sub, matched_by="email", provider=provider)

    citizen_id = _text(claims, settings.OIDC_CITIZEN_ID_CLAIM)
    if not _CITIZEN_ID.match(citizen_id):
        citizen_id = ""
    if citizen_id:
        holder = User.objects.filter(citizen_id=citizen_id).first()
        if holder is not None and holder.is_citizen:
            if holder.oidc_subject:
                raise OIDCAccountError(
                    _(
                        "Số định danh cá nhân này đã gắn với một tài khoản định danh điện tử khác. Vui lòng liên hệ bộ phận hỗ trợ."
                    ),
                    "citizen_id_taken",
                )
            return _link(holder, sub, matched_by="citizen_id", provider=provider)

    return _register_citizen(claims, sub=sub, email=email, citizen_id=citizen_id, provider=provider)


def _register_citizen(
    claims: Mapping[str, Any], *, sub: str, email: str, citizen_id: str, provider: str
) -> User:
    dropped: list[str] = []
    if email:
        try:
            validate_email(email)
        except ValidationError:
            email = ""
            dropped.append("email")
        if email and (
            _verified(claims, "email_verified") is False
            or User.objects.filter(kind=User.Kind.CITIZEN, email=email).exists()
        ):
            email = ""
            dropped.append("email")
    phone = services.normalise_phone(_text(claims, "phone_number"))
    if phone and User.objects.filter(phone=phone).exists():
        phone = None
        dropped.append("phone")
    if citizen_id and User.objects.filter(citizen_id=citizen_id).exists():
        citizen_id = ""
        dropped.append("citizen_id")

    user = User(
        username=_username(sub),
        kind=User.Kind.CITIZEN,
        full_name=_full_name(claims),
        email=email,
        phone=phone,
        citizen_id=citizen_id or None,
        oidc_subject=sub,
    )
    user.set_unusable_password()
    try:
        # The generated user name ("oidc:…") is not one a person types, so it skips the validator.
        user.full_clean(exclude=["password", "username"])
        with transaction.atomic():
            user.save()
    except (ValidationError, IntegrityError) as exc:
        # Two callbacks of the same person at once: the other one created the account.
        existing = User.objects.filter(oidc_subject=sub).first()
        if existing is not None:
            return _ensure_active(existing)
        detail = (
            "; ".join(exc.messages) if isinstance(exc, ValidationError) else _("vui lòng thử lại")
        )
        raise OIDCAccountError(
            _("Không tạo được tài khoản từ thông tin định danh: %(error)s") % {"error": detail},
            "invalid_claims",
        ) from exc
    audit.record(
        "account.citizen_registered",
        actor=user,
        obj=user,
        data={"method": "oidc", "provider": provider, "left_out": dropped},
    )
    return user
