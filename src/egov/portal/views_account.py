"""Citizen account pages: registration (email or phone + confirmation code, then password),
profile, "my dossiers" with the signed result and the satisfaction rating.

Login itself stays at ``accounts:login`` (and ``accounts:oidc_login`` for VNeID). Sending codes
is limited per client address (``EGOV_PORTAL_CODE_LIMIT`` per 15 minutes) on top of the limits
of each code (``services_account``). A citizen sees only dossiers whose ``citizen`` is them:
anything else is a 404, as if it did not exist.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import storages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from egov.accounts.views import complete_login
from egov.core import audit, ratelimit
from egov.core.pagination import keyset_page
from egov.dossiers.models import State, StepState
from egov.portal import selectors, services_account, services_rating
from egov.portal.forms_account import CodeForm, PasswordForm, ProfileForm, RatingForm, RegisterForm
from egov.portal.models import ConfirmationCode, Rating
from egov.portal.views import _result

WINDOW = 15 * 60
SESSION_KEY = "portal_registration"

STATE_BADGES = {
    State.WAITING_INTAKE: "text-bg-secondary",
    State.RECEIVED: "text-bg-info",
    State.IN_PROCESS: "text-bg-primary",
    State.SUPPLEMENT: "text-bg-warning",
    State.RESULT_READY: "text-bg-success",
    State.RETURNED: "text-bg-success",
    State.REFUSED: "text-bg-danger",
    State.STOPPED: "text-bg-dark",
    State.WITHDRAWN: "text-bg-light border",
}


def citizen_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            login = reverse("accounts:login")
            return redirect(f"{login}?{urlencode({'next': request.get_full_path()})}")
        if not request.user.is_citizen:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


# --- registration ------------------------------------------------------------------------------


def _code_allowed(request) -> bool:
    return ratelimit.hit(
        "portal-code",
        ratelimit.client_ip(request),
        limit=settings.EGOV_PORTAL_CODE_LIMIT,
        window=WINDOW,
    )


def _too_many(form) -> None:
    form.add_error(
        None,
        _("Bạn đã yêu cầu gửi mã quá nhiều lần. Vui lòng thử lại sau %(minutes)s phút.")
        % {"minutes": max(1, ratelimit.retry_after(WINDOW) // 60)},
    )


def _pending(request) -> ConfirmationCode | None:
    pk = request.session.get(SESSION_KEY)
    if not pk:
        return None
    return ConfirmationCode.objects.filter(pk=pk, used_at__isnull=True).first()


def register(request):
    if request.user.is_authenticated:
        return redirect("portal:my_dossiers" if request.user.is_citizen else "office:home")
    form = RegisterForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if not _code_allowed(request):
            _too_many(form)
            status = 429
        else:
            try:
                row = services_account.start_registration(
                    form.cleaned_data["contact"], form.cleaned_data["full_name"]
                )
            except ValidationError as exc:
                form.add_error("contact", exc)
            else:
                request.session[SESSION_KEY] = row.pk
                return redirect("portal:register_confirm")
    context = {
        "form": form,
        "oidc_enabled": settings.OIDC_ENABLED,
        "oidc_name": settings.OIDC_PROVIDER_NAME,
    }
    return render(request, "portal/account/register.html", context, status=status)


def register_confirm(request):
    row = _pending(request)
    if row is None:
        return redirect("portal:register")
    if row.confirmed_at is not None:
        return redirect("portal:register_password")
    status = 200
    problems: list[str] = []
    if request.method == "POST" and request.POST.get("action") == "resend":
        form = CodeForm()
        if not _code_allowed(request):
            problems.append(
                _("Bạn đã yêu cầu gửi mã quá nhiều lần. Vui lòng thử lại sau %(minutes)s phút.")
                % {"minutes": max(1, ratelimit.retry_after(WINDOW) // 60)}
            )
            status = 429
        else:
            try:
                services_account.resend(row)
            except ValidationError as exc:
                problems.extend(exc.messages)
                status = 400
            else:
                messages.success(request, _("Đã gửi lại mã xác nhận."))
                return redirect("portal:register_confirm")
    else:
        form = CodeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services_account.verify(row, form.cleaned_data["code"])
            except ValidationError as exc:
                form.add_error("code", exc)
                status = 400
            else:
                return redirect("portal:register_password")
    context = {
        "form": form,
        "problems": problems,
        "pending": row,
        "minutes": services_account.CODE_MINUTES,
    }
    return render(request, "portal/account/confirm.html", context, status=status)


def register_password(request):
    row = _pending(request)
    if row is None:
        return redirect("portal:register")
    if row.confirmed_at is None:
        return redirect("portal:register_confirm")
    form = PasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services_account.complete_registration(row, form.cleaned_data["password1"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            request.session.pop(SESSION_KEY, None)
            messages.success(
                request, _("Đã tạo tài khoản. Vui lòng bổ sung thông tin cá nhân của bạn.")
            )
            complete_login(request, user, method="registration")
            return redirect("portal:profile")
    return render(request, "portal/account/password.html", {"form": form, "pending": row})


# --- profile -----------------------------------------------------------------------------------


@citizen_required
def profile(request):
    user = request.user
    locked = services_account.locked_profile_fields(user)
    initial = {name: getattr(user, name) or "" for name in services_account.PROFILE_FIELDS}
    form = ProfileForm(request.POST or None, initial=initial, locked=locked)
    if request.method == "POST" and form.is_valid():
        try:
            services_account.update_profile(user, by=user, **form.cleaned_data)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for name, errors in exc.error_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                form.add_error(None, exc)
        else:
            messages.success(request, _("Đã lưu thông tin cá nhân."))
            return redirect("portal:profile")
    return render(request, "portal/account/profile.html", {"form": form})


# --- my dossiers -------------------------------------------------------------------------------


@citizen_required
def my_dossiers(request):
    page = keyset_page(selectors.dossiers_of(request.user), cursor=request.GET.get("sau"), size=20)
    rated = set(
        Rating.objects.filter(dossier_id__in=[d.pk for d in page.items]).values_list(
            "dossier_id", flat=True
        )
    )
    rows = [
        {
            "dossier": d,
            "badge": STATE_BADGES.get(d.state, "text-bg-secondary"),
            "rated": d.pk in rated,
        }
        for d in page.items
    ]
    return render(request, "portal/account/my_dossiers.html", {"page": page, "rows": rows})


def _own(request, pk: int):
    return get_object_or_404(selectors.dossiers_of(request.user), pk=pk)


def _supplement_url(dossier) -> str:
    try:
        return reverse("portal:online_supplement", args=[dossier.pk])
    except NoReverseMatch:
        return ""


@citizen_required
def my_dossier(request, pk: int):
    return _detail(request, _own(request, pk))


def _detail(request, dossier, rating_form: RatingForm | None = None, status: int = 200):
    from egov.signing.reports import report_for_stored

    steps = list(dossier.steps.order_by("order"))
    supplement = None
    if dossier.state == State.SUPPLEMENT:
        supplement = dossier.supplements.filter(resumed_at__isnull=True).order_by("-id").first()
    result = _result(dossier)
    report = None
    if result is not None and result.kind == "pdf":
        report = report_for_stored(result.storage_name, original_name=result.original_name)
    rating = Rating.objects.filter(dossier=dossier).prefetch_related("scores__criterion").first()
    form = rating_form
    if form is None and rating is None and services_rating.can_rate(dossier, request.user):
        form = RatingForm(criteria=services_rating.active_criteria())
    context = {
        "dossier": dossier,
        "badge": STATE_BADGES.get(dossier.state, "text-bg-secondary"),
        "steps": steps,
        "StepState": StepState,
        "supplement": supplement,
        "supplement_url": _supplement_url(dossier) if supplement else "",
        "result": result,
        "report": report,
        "rating": rating,
        "rating_form": form,
    }
    return render(request, "portal/account/my_dossier.html", context, status=status)


@citizen_required
def my_result(request, pk: int):
    dossier = _own(request, pk)
    result = _result(dossier)
    if result is None:
        raise Http404
    audit.record(
        "dossier.result_downloaded",
        actor=request.user,
        agency=dossier.agency_id,
        obj=dossier,
        data={"file": result.original_name, "channel": "portal-account"},
    )
    handle = storages["default"].open(result.storage_name, "rb")
    return FileResponse(handle, as_attachment=True, filename=result.original_name)


@citizen_required
@require_POST
def rate(request, pk: int):
    dossier = _own(request, pk)
    form = RatingForm(request.POST, criteria=services_rating.active_criteria())
    if form.is_valid():
        try:
            services_rating.rate(
                dossier, by=request.user, scores=form.scores(), comment=form.cleaned_data["comment"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("portal:my_dossier", pk=dossier.pk)
        messages.success(request, _("Cảm ơn Ông/Bà đã đánh giá mức độ hài lòng."))
        return redirect("portal:my_dossier", pk=dossier.pk)
    if not services_rating.can_rate(dossier, request.user):
        messages.error(request, _("Không thể đánh giá hồ sơ này."))
        return redirect("portal:my_dossier", pk=dossier.pk)
    return _detail(request, dossier, rating_form=form, status=400)
