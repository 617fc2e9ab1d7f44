"""OpenID Connect login (VNeID-ready), with authlib's Django client.

``oidc_login`` sends the browser to the provider's authorization endpoint (authorization code
flow with ``state``, ``nonce`` and PKCE ``S256``; the three are kept in the session).
``oidc_callback`` checks ``state``, exchanges the code at the token endpoint, verifies the
id_token's RS256 signature against the provider's JWKS and its ``iss``, ``aud``, ``exp``,
``iat``, ``nonce`` and ``at_hash``, completes the claims from the userinfo endpoint, and hands
them to :func:`egov.accounts.oidc_services.login_or_register_from_claims`. Officers who must
use two-factor authentication still go through the TOTP step of ``views.py``.

Configuration is read from settings at request time (``OIDC_*``, see docs/accounts.md). The
discovery document and the JWKS are cached for ``METADATA_CACHE_SECONDS``; a key id that is
not in the cached JWKS makes authlib fetch it again, so key rotation works.

Every failure ends on a Vietnamese error page: 404 when OIDC is off, 400 for a refused or
forged answer (``error=access_denied``, state mismatch, invalid id_token), 403 when the
account cannot be used, 502 when the provider cannot be reached or answers nonsense.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

import requests
import structlog
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.django_client import OAuth
from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from joserfc.errors import JoseError

from egov.accounts.oidc_services import OIDCAccountError, login_or_register_from_claims
from egov.accounts.views import PENDING_KEY, _safe_next, complete_login

log = structlog.get_logger("egov.accounts.oidc")

CLIENT_NAME = "egov_oidc"
METADATA_CACHE_SECONDS = 300
HTTP_TIMEOUT_SECONDS = 10


class OIDCLoginError(Exception):
    def __init__(self, message: str, *, status: int = 400, code: str = "error") -> None:
        super().__init__(message)
        self.message, self.status, self.code = message, status, code


def _provider() -> str:
    return settings.OIDC_PROVIDER_NAME


def _error_page(request, exc: OIDCLoginError | OIDCAccountError, status: int | None = None):
    status = status or getattr(exc, "status", 403)
    log.warning("oidc.login_refused", code=exc.code, status=status, reason=str(exc))
    context = {
        "message": exc.message,
        "code": exc.code,
        "provider": _provider(),
        "retry": status != 404,
    }
    return render(request, "accounts/oidc_error.html", context, status=status)


def _cache_key() -> str:
    return "egov:oidc:metadata:" + hashlib.sha256(settings.OIDC_DISCOVERY_URL.encode()).hexdigest()


def _client():
    if not settings.OIDC_ENABLED:
        raise OIDCLoginError(
            _(
                "Đăng nhập bằng tài khoản định danh điện tử %(provider)s chưa được bật trên hệ thống này."
            )
            % {"provider": _provider()},
            status=404,
            code="disabled",
        )
    if not settings.OIDC_DISCOVERY_URL or not settings.OIDC_CLIENT_ID:
        raise OIDCLoginError(
            _(
                "Đăng nhập bằng %(provider)s chưa được cấu hình đầy đủ (EGOV_OIDC_DISCOVERY_URL, EGOV_OIDC_CLIENT_ID). Vui lòng báo quản trị hệ thống."
            )
            % {"provider": _provider()},
            status=503,
            code="not_configured",
        )
    scopes = settings.OIDC_SCOPES.split()
    if "openid" not in scopes:
        scopes.insert(0, "openid")
    oauth = OAuth()
    oauth.register(
        CLIENT_NAME,
        client_id=settings.OIDC_CLIENT_ID,
        client_secret=settings.OIDC_CLIENT_SECRET,
        server_metadata_url=settings.OIDC_DISCOVERY_URL,
        client_kwargs={
            "scope": " ".join(scopes),
            "code_challenge_method": "S256",
            "default_timeout": HTTP_TIMEOUT_SECONDS,
        },
        **(cache.get(_cache_key()) or {}),
    )
    return oauth.create_client(CLIENT_NAME)


def _unreachable(exc: Exception) -> OIDCLoginError:
    log.warning("oidc.provider_unreachable", error=repr(exc))
    return OIDCLoginError(
        _(
            "Không kết nối được với máy chủ định danh %(provider)s, hoặc máy chủ trả lời không hợp lệ. Vui lòng thử lại sau ít phút."
        )
        % {"provider": _provider()},
        status=502,
        code="provider_unreachable",
    )


def _metadata(client) -> dict[str, Any]:
    try:
        metadata = client.load_server_metadata()
    except (requests.RequestException, ValueError) as exc:
        raise _unreachable(exc) from exc
    issuer = metadata.get("issuer") or ""
    complete = all(
        metadata.get(k) for k in ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
    )
    # OpenID Connect Discovery §4.3: the issuer is the discovery URL without the well-known suffix.
    if not complete or not settings.OIDC_DISCOVERY_URL.startswith(
        issuer.rstrip("/") + "/.well-known/"
    ):
        client.server_metadata.pop("_loaded_at", None)
        raise OIDCLoginError(
            _(
                "Tài liệu cấu hình của máy chủ định danh %(provider)s không hợp lệ (issuer hoặc các địa chỉ bắt buộc không khớp)."
            )
            % {"provider": _provider()},
            status=502,
            code="bad_discovery",
        )
    methods = metadata.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    client.client_kwargs["token_endpoint_auth_method"] = (
        "client_secret_basic" if "client_secret_basic" in methods else "client_secret_post"
    )
    return metadata


def _remember_metadata(client) -> None:
    metadata = dict(client.server_metadata)
    age = time.time() - metadata.get("_loaded_at", 0)
    if age < METADATA_CACHE_SECONDS:
        cache.set(_cache_key(), metadata, int(METADATA_CACHE_SECONDS - age) or 1)


def oidc_login(request):
    """Start the authorization code flow (OpenID Connect Core §3.1.2.1)."""
    try:
        client = _client()
        _metadata(client)
        redirect_uri = request.build_absolute_uri(reverse("accounts:oidc_callback"))
        authorization = client.create_authorization_url(redirect_uri)
    except OIDCLoginError as exc:
        return _error_page(request, exc)
    client.save_authorize_data(
        request, redirect_uri=redirect_uri, next=_safe_next(request), **authorization
    )
    _remember_metadata(client)
    return HttpResponseRedirect(authorization["url"])


def _take_state(client, request) -> dict[str, Any]:
    """The data saved by ``oidc_login`` for this ``state``, used once (CSRF protection)."""
    state = request.GET.get("state", "")
    data = client.framework.get_state_data(request.session, state) if state else None
    if state:
        client.framework.clear_state_data(request.session, state)
    error = request.GET.get("error", "")
    if error == "access_denied":
        raise OIDCLoginError(
            _(
                "Bạn đã từ chối cho phép hệ thống dùng tài khoản %(provider)s, nên chưa đăng nhập được."
            )
            % {"provider": _provider()},
            code="access_denied",
        )
    if error:
        raise OIDCLoginError(
            _("Máy chủ định danh %(provider)s báo lỗi: %(error)s.")
            % {"provider": _provider(), "error": error[:100]},
            code="provider_error",
        )
    if not data:
        raise OIDCLoginError(
            _(
                "Phiên đăng nhập không hợp lệ hoặc đã hết hạn (tham số state không khớp). Vui lòng đăng nhập lại từ đầu."
            ),
            code="state_mismatch",
        )
    if not request.GET.get("code"):
        raise OIDCLoginError(
            _("Máy chủ định danh không trả về mã xác thực (code)."), code="no_code"
        )
    return data


def _exchange_code(client, request, state_data: dict[str, Any]) -> dict[str, Any]:
    try:
        token = client.fetch_access_token(
            code=request.GET["code"],
            redirect_uri=state_data["redirect_uri"],
            code_verifier=state_data.get("code_verifier"),
        )
    except OAuthError as exc:
        log.warning("oidc.token_refused", error=exc.error, description=exc.description)
        raise OIDCLoginError(
            _(
                "Máy chủ định danh %(provider)s từ chối cấp mã truy cập (%(error)s). Vui lòng đăng nhập lại."
            )
            % {"provider": _provider(), "error": exc.error},
            status=502,
            code="token_refused",
        ) from exc
    except (requests.RequestException, ValueError) as exc:
        raise _unreachable(exc) from exc
    if "id_token" not in token:
        raise OIDCLoginError(
            _("Máy chủ định danh không trả về id_token."), status=502, code="no_id_token"
        )
    return token


def _verified_claims(
    client, token: dict[str, Any], state_data: dict[str, Any], metadata: dict[str, Any]
) -> dict[str, Any]:
    """Signature (JWKS), iss, aud, exp, iat, nonce and at_hash of the id_token (OIDC Core §3.1.3.7)."""
    options = {
        "iss": {"essential": True, "value": metadata["issuer"]},
        "aud": {"essential": True, "value": settings.OIDC_CLIENT_ID},
    }
    try:
        claims = client.parse_id_token(
            token, nonce=state_data["nonce"], claims_options=options, leeway=60
        )
    except requests.RequestException as exc:
        raise _unreachable(exc) from exc
    except (JoseError, ValueError, KeyError, TypeError) as exc:
        log.warning("oidc.id_token_rejected", error=repr(exc))
        raise OIDCLoginError(
            _(
                "Không xác minh được thông tin định danh do %(provider)s gửi về (chữ ký hoặc nội dung id_token không hợp lệ). Vui lòng đăng nhập lại."
            )
            % {"provider": _provider()},
            code="invalid_id_token",
        ) from exc
    claims = dict(claims)
    if metadata.get("userinfo_endpoint"):
        try:
            userinfo = dict(client.userinfo(token=token))
        except (requests.RequestException, ValueError) as exc:
            raise _unreachable(exc) from exc
        # OIDC Core §5.3.2: userinfo of another subject must not be used.
        if userinfo.get("sub") != claims.get("sub"):
            raise OIDCLoginError(
                _("Thông tin người dùng không khớp với id_token."),
                status=502,
                code="userinfo_mismatch",
            )
        claims = {**userinfo, **claims}  # the signed id_token wins
    return claims


def oidc_callback(request):
    """The provider's redirect back with ``code`` and ``state`` (OIDC Core §3.1.2.5)."""
    try:
        client = _client()
        state_data = _take_state(client, request)
        metadata = _metadata(client)
        token = _exchange_code(client, request, state_data)
        claims = _verified_claims(client, token, state_data, metadata)
        user = login_or_register_from_claims(claims)
    except OIDCLoginError as exc:
        return _error_page(request, exc)
    except OIDCAccountError as exc:
        return _error_page(request, exc, status=403)
    _remember_metadata(client)
    nxt = state_data.get("next", "")
    if user.requires_two_factor():
        request.session[PENDING_KEY] = {
            "user_id": user.pk,
            "tries": 0,
            "next": nxt,
            "method": "oidc",
        }
        device = getattr(user, "totp_device", None)
        return redirect(
            "accounts:two_factor"
            if device is not None and device.confirmed
            else "accounts:totp_setup"
        )
    return complete_login(request, user, method="oidc", nxt=nxt)
