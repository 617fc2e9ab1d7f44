"""Login with lock-out and TOTP two-factor; logout. OIDC login lives in ``oidc.py``."""

from __future__ import annotations

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from egov.accounts import services
from egov.accounts.forms import LoginForm, TOTPForm
from egov.accounts.models import User
from egov.core import audit, ratelimit

PENDING_KEY = "egov_pending_2fa"
MAX_CODE_TRIES = 5
LOGIN_WINDOW = 15 * 60


def _safe_next(request) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(
        nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return nxt
    return ""


def _after_login_url(user: User, nxt: str) -> str:
    if nxt:
        return nxt
    return reverse("office:home") if user.is_officer else reverse("accounts:citizen_home")


def complete_login(request, user: User, *, method: str, nxt: str = ""):
    login(request, user, backend="egov.accounts.backends.EgovBackend")
    request.session.pop(PENDING_KEY, None)
    audit.record(
        "account.login",
        actor=user,
        obj=user,
        data={"method": method, "ip": request.META.get("REMOTE_ADDR", "")},
    )
    return redirect(_after_login_url(user, nxt))


def _login_blocked_key(request) -> str:
    return f"rl:login-blocked:{ratelimit.client_ip(request)}"


def _count_login_failure(request) -> None:
    """Failed logins per client address (EGOV_LOGIN_RATE_LIMIT per 15 minutes): once the limit
    is reached, every login from that address is refused until the window ends, so that
    passwords cannot be sprayed over many accounts (the per-account lock-out stops only one)."""
    limit = settings.EGOV_LOGIN_RATE_LIMIT
    if not ratelimit.hit(
        "login-failed", ratelimit.client_ip(request), limit=limit - 1, window=LOGIN_WINDOW
    ):
        cache.set(_login_blocked_key(request), True, timeout=ratelimit.retry_after(LOGIN_WINDOW))


def _register_url() -> str:
    try:
        return reverse("portal:register")
    except NoReverseMatch:
        return ""


def login_view(request):
    if request.user.is_authenticated:
        return redirect(_after_login_url(request.user, _safe_next(request)))
    form = LoginForm(request.POST or None)
    nxt = _safe_next(request)
    status = 200
    if request.method == "POST" and cache.get(_login_blocked_key(request)):
        form.is_valid()
        form.add_error(
            None,
            _("Đăng nhập sai quá nhiều lần từ địa chỉ này. Vui lòng thử lại sau %(minutes)s phút.")
            % {"minutes": max(1, ratelimit.retry_after(LOGIN_WINDOW) // 60)},
        )
        status = 429
    elif request.method == "POST" and form.is_valid():
        user = authenticate(
            request, username=form.cleaned_data["username"], password=form.cleaned_data["password"]
        )
        if user is None:
            _count_login_failure(request)
        locked_until = getattr(request, "egov_login_locked", None)
        if locked_until is not None:
            local = timezone.localtime(locked_until)
            form.add_error(
                None,
                _(
                    "Tài khoản đang tạm khóa do nhập sai mật khẩu nhiều lần. Vui lòng thử lại sau %(time)s."
                )
                % {"time": f"{local:%H:%M %d/%m/%Y}"},
            )
        elif user is None:
            form.add_error(None, _("Tên đăng nhập hoặc mật khẩu không đúng."))
        elif user.requires_two_factor():
            request.session[PENDING_KEY] = {"user_id": user.pk, "tries": 0, "next": nxt}
            device = getattr(user, "totp_device", None)
            if device is None or not device.confirmed:
                return redirect("accounts:totp_setup")
            return redirect("accounts:two_factor")
        else:
            return complete_login(request, user, method="password", nxt=nxt)
    return render(
        request,
        "accounts/login.html",
        {
            "form": form,
            "next": nxt,
            "oidc_enabled": settings.OIDC_ENABLED,
            "oidc_name": settings.OIDC_PROVIDER_NAME,
            "register_url": _register_url(),
        },
        status=status,
    )


def _pending_user(request) -> User | None:
    pending = request.session.get(PENDING_KEY)
    if not pending:
        return None
    return User.objects.filter(pk=pending["user_id"], is_active=True).first()


def _code_step(request, user: User, template: str, extra: dict):
    form = TOTPForm(request.POST or None)
    pending = request.session[PENDING_KEY]
    if request.method == "POST" and form.is_valid():
        if services.verify_totp(user, form.cleaned_data["code"]):
            method = pending.get("method", "password") + "+totp"
            return complete_login(request, user, method=method, nxt=pending.get("next", ""))
        pending["tries"] += 1
        request.session[PENDING_KEY] = pending
        if pending["tries"] >= MAX_CODE_TRIES:
            request.session.pop(PENDING_KEY, None)
            services.record_login_failure(user, request)
            messages.error(
                request, _("Nhập sai mã xác thực quá nhiều lần. Vui lòng đăng nhập lại.")
            )
            return redirect("accounts:login")
        form.add_error("code", _("Mã xác thực không đúng hoặc đã hết hạn."))
    return render(request, template, {"form": form, **extra})


def two_factor_view(request):
    user = _pending_user(request)
    if user is None:
        return redirect("accounts:login")
    return _code_step(request, user, "accounts/two_factor.html", {"pending_user": user})


def totp_setup_view(request):
    """Enrolment of an authenticator app: required for administrators before their first login."""
    user = _pending_user(request)
    if user is None:
        return redirect("accounts:login")
    device = getattr(user, "totp_device", None)
    if device is None or (
        request.method == "GET" and not device.confirmed and request.GET.get("new")
    ):
        device = services.start_totp_enrolment(user)
    elif device.confirmed:
        return redirect("accounts:two_factor")
    uri = services.totp_uri(device)
    qr_svg = segno.make(uri, error="m").svg_inline(scale=4)
    return _code_step(
        request,
        user,
        "accounts/totp_setup.html",
        {"pending_user": user, "secret": device.secret, "qr_svg": qr_svg},
    )


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        audit.record("account.logout", actor=request.user, obj=request.user)
    logout(request)
    return redirect("accounts:login")


def citizen_home(request):
    """Where citizens land after logging in: their dossiers on the portal."""
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    return redirect("portal:my_dossiers")


@login_required
def security_view(request):
    """An officer turns two-factor login on (any officer) or off (not administrators)."""
    user = request.user
    if not user.is_officer:
        raise PermissionDenied
    device = getattr(user, "totp_device", None)
    must_use = user.is_superuser or user.has_role("admin")
    form = TOTPForm(request.POST or None)
    action = request.POST.get("action", "")
    if request.method == "POST" and action == "start":
        device = services.start_totp_enrolment(user)
        form = TOTPForm()
    elif request.method == "POST" and action == "disable":
        if must_use:
            messages.error(request, _("Tài khoản quản trị bắt buộc dùng xác thực hai lớp."))
        elif services.disable_totp(user, form.data.get("code", "")):
            messages.success(request, _("Đã tắt xác thực hai lớp."))
            return redirect("accounts:security")
        else:
            messages.error(request, _("Mã xác thực không đúng hoặc đã hết hạn."))
    elif (
        request.method == "POST" and action == "confirm" and device is not None and form.is_valid()
    ):
        if services.verify_totp(user, form.cleaned_data["code"]):
            messages.success(
                request, _("Đã bật xác thực hai lớp. Từ lần đăng nhập sau, hệ thống sẽ hỏi mã.")
            )
            return redirect("accounts:security")
        form.add_error("code", _("Mã xác thực không đúng hoặc đã hết hạn."))
    enrolling = device is not None and not device.confirmed
    context = {"device": device, "enrolling": enrolling, "must_use": must_use, "form": form}
    if enrolling:
        context["secret"] = device.secret
        context["qr_svg"] = segno.make(services.totp_uri(device), error="m").svg_inline(scale=4)
    return render(request, "accounts/security.html", context)
