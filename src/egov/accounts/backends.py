"""Login: officers by user name, citizens by email or phone number; lock-out after repeated
failures (settings EGOV_LOGIN_MAX_FAILURES, EGOV_LOGIN_LOCK_MINUTES)."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from egov.accounts import services
from egov.accounts.models import User


def find_login_user(identifier: str) -> User | None:
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    user = User.objects.filter(username=identifier).first()
    if user is None and "@" in identifier:
        user = User.objects.filter(kind=User.Kind.CITIZEN, email__iexact=identifier).first()
    if user is None:
        phone = services.normalise_phone(identifier)
        if phone:
            user = User.objects.filter(phone=phone).first()
    return user


class EgovBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        user = find_login_user(username)
        if user is None:
            # Same cost as a real check, so that timing does not reveal which accounts exist.
            User().set_password(password or "")
            return None
        if user.is_locked():
            if request is not None:
                request.egov_login_locked = user.locked_until
            return None
        if user.check_password(password or "") and self.user_can_authenticate(user):
            services.record_login_success(user, request)
            return user
        services.record_login_failure(user, request)
        if user.is_locked() and request is not None:
            request.egov_login_locked = user.locked_until
        return None
