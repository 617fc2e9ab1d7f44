"""Reference OpenID Connect provider — FOR DEVELOPMENT AND TESTS ONLY.

It stands in for the national identity provider VNeID (or any OIDC provider), which cannot be
reached from a developer's machine or a CI runner. It speaks the real protocol over HTTP, so
egov's real OIDC client is exercised end to end:

- ``GET /.well-known/openid-configuration`` — discovery (OpenID Connect Discovery 1.0);
- ``GET|POST /authorize`` — authorization code flow (``response_type=code``) with ``state``,
  ``nonce`` and PKCE (RFC 7636, ``S256``). The user signs in through a small HTML form or, for
  tests and demos, with a ``login_hint`` naming a configured identity (user name, subject,
  email or citizen ID). The form also has a "deny" button that answers ``error=access_denied``;
- ``POST /token`` — client authentication by ``client_secret_basic`` or ``client_secret_post``;
  single-use codes; answers an RS256-signed ``id_token`` with ``iss``, ``sub``, ``aud``,
  ``nonce``, ``exp``, ``iat``, ``auth_time``, ``at_hash``, ``name``, ``email``,
  ``email_verified``, ``phone_number``, ``citizen_id``;
- ``GET /jwks`` — the public signing key; ``GET|POST /userinfo`` — claims for a bearer token.

Everything is kept in memory; the signing key is made at start-up. Test knobs:
``sign_with_rogue_key`` signs id_tokens with a key that is not published (same ``kid``), and
``id_token_overrides`` replaces (or, with ``None``, removes) claims of the next id_tokens.

Run it::

    python -m reference_servers.oidc_provider --port 9010

then set ``EGOV_OIDC_ENABLED=1``, ``EGOV_OIDC_DISCOVERY_URL=http://127.0.0.1:9010/.well-known/
openid-configuration``, ``EGOV_OIDC_CLIENT_ID=egov-dev``, ``EGOV_OIDC_CLIENT_SECRET=
egov-dev-secret`` (see docs/accounts.md). In tests::

    provider = ReferenceOIDCProvider(clients=[Client("c", "s", ["http://testserver/cb/"])]).start()
    ...
    provider.stop()
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import html
import json
import logging
import secrets
import threading
import time
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from reference_servers._service import LoopbackHTTPService

log = logging.getLogger("reference_servers.oidc_provider")

SCOPE_CLAIMS = {
    "profile": ("name",),
    "email": ("email", "email_verified"),
    "phone": ("phone_number", "phone_number_verified"),
}
#: Claims sent whatever the scopes: the national identity number is what VNeID vouches for.
ALWAYS_CLAIMS = ("citizen_id",)


@dataclass
class Identity:
    """A person who can sign in at the reference provider."""

    sub: str
    username: str
    password: str
    name: str
    email: str = ""
    email_verified: bool = True
    phone_number: str = ""
    citizen_id: str = ""

    def claims(self, scopes: set[str]) -> dict[str, Any]:
        values = {
            "name": self.name,
            "email": self.email,
            "email_verified": self.email_verified,
            "phone_number": self.phone_number,
            "phone_number_verified": bool(self.phone_number),
            "citizen_id": self.citizen_id,
        }
        wanted = set(ALWAYS_CLAIMS)
        for scope in scopes:
            wanted.update(SCOPE_CLAIMS.get(scope, ()))
        out: dict[str, Any] = {"sub": self.sub}
        for name in wanted:
            value = values[name]
            if value not in ("", None):
                out[name] = value
        return out


@dataclass
class Client:
    """A relying party registered at the provider."""

    client_id: str
    client_secret: str
    redirect_uris: list[str] = field(default_factory=list)


@dataclass
class _Grant:
    client_id: str
    redirect_uri: str
    identity: Identity
    scopes: set[str]
    nonce: str | None
    code_challenge: str | None
    auth_time: int
    expires_at: float


#: Demo people. With the ``thanh-ba-2021`` demo loaded, they show the three matching rules of
#: ``egov.accounts.oidc_services``: a new citizen account, an officer linked by verified email
#: (``lanhdao``), and the existing demo citizen linked by citizen ID number.
DEMO_IDENTITIES = [
    Identity(
        sub="vneid-0001",
        username="nguyenthidan",
        password="demo-vneid",
        name="Nguyễn Thị Dân",
        email="nguyenthidan@example.vn",
        phone_number="+84912000001",
        citizen_id="025190000001",
    ),
    Identity(
        sub="vneid-0002",
        username="tranvanhung",
        password="demo-vneid",
        name="Trần Văn Hùng",
        email="lanhdao@thanhba.example.vn",
        phone_number="+84912000002",
        citizen_id="025075000002",
    ),
    Identity(
        sub="vneid-0003",
        username="dinhvannam",
        password="demo-vneid",
        name="Đinh Văn Nam",
        email="dan@example.vn",
        phone_number="+84912345678",
        citizen_id="025090000123",
    ),
]
DEMO_CLIENT = Client(
    client_id="egov-dev",
    client_secret="egov-dev-secret",
    redirect_uris=[
        "http://127.0.0.1:8000/accounts/oidc/callback/",
        "http://localhost:8000/accounts/oidc/callback/",
    ],
)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def s256(verifier: str) -> str:
    """PKCE ``S256`` code challenge of a verifier (RFC 7636 §4.2)."""
    return _b64url(hashlib.sha256(verifier.encode("ascii")).digest())


class ReferenceOIDCProvider(LoopbackHTTPService):
    """An in-memory OpenID Connect provider served by a threaded HTTP server.

    ``port=0`` picks a free port; ``issuer`` defaults to ``http://<host>:<port>``.
    """

    code_ttl = 60
    access_token_ttl = 3600
    id_token_ttl = 300

    handler_attribute = "provider"
    service_name = "oidc-provider"

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        clients: list[Client] | None = None,
        identities: list[Identity] | None = None,
        issuer: str | None = None,
        trust_login_hint: bool = True,
    ) -> None:
        super().__init__()
        self.host, self.port = host, port
        self.clients = {c.client_id: c for c in (clients if clients is not None else [DEMO_CLIENT])}
        self.identities = list(identities if identities is not None else DEMO_IDENTITIES)
        self.trust_login_hint = trust_login_hint
        self._issuer = issuer
        self.key = RSAKey.generate_key(
            2048, parameters={"use": "sig", "alg": "RS256"}, auto_kid=True
        )
        self.sign_with_rogue_key = False
        self.id_token_overrides: dict[str, Any] = {}
        self._rogue_key: RSAKey | None = None
        self._codes: dict[str, _Grant] = {}
        self._tokens: dict[str, _Grant] = {}
        self._lock = threading.Lock()

    @property
    def issuer(self) -> str:
        return self._issuer or f"http://{self.host}:{self.port}"

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    # --- protocol documents -------------------------------------------------------------------

    def discovery(self) -> dict[str, Any]:
        base = self.issuer
        return {
            "issuer": base,
            "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": f"{base}/token",
            "userinfo_endpoint": f"{base}/userinfo",
            "jwks_uri": f"{base}/jwks",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", *SCOPE_CLAIMS],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": [
                "sub",
                "iss",
                "aud",
                "exp",
                "iat",
                "auth_time",
                "nonce",
                *ALWAYS_CLAIMS,
            ]
            + [c for claims in SCOPE_CLAIMS.values() for c in claims],
        }

    def jwks(self) -> dict[str, Any]:
        return KeySet([self.key]).as_dict(private=False)

    def find_identity(self, hint: str) -> Identity | None:
        hint = (hint or "").strip().lower()
        if not hint:
            return None
        for identity in self.identities:
            if hint in {
                identity.username.lower(),
                identity.sub.lower(),
                identity.email.lower(),
                identity.citizen_id,
            }:
                return identity
        return None

    # --- grants ---------------------------------------------------------------------------------

    def issue_code(self, params: dict[str, str], identity: Identity) -> str:
        code = secrets.token_urlsafe(32)
        grant = _Grant(
            client_id=params["client_id"],
            redirect_uri=params["redirect_uri"],
            identity=identity,
            scopes=set(params.get("scope", "").split()),
            nonce=params.get("nonce") or None,
            code_challenge=params.get("code_challenge") or None,
            auth_time=int(time.time()),
            expires_at=time.time() + self.code_ttl,
        )
        with self._lock:
            self._codes[code] = grant
        return code

    def redeem_code(self, code: str) -> _Grant | None:
        with self._lock:
            grant = self._codes.pop(code, None)  # single use (RFC 6749 §4.1.2)
        if grant is None or grant.expires_at < time.time():
            return None
        return grant

    def issue_tokens(self, grant: _Grant) -> dict[str, Any]:
        access_token = secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[access_token] = replace(
                grant, expires_at=time.time() + self.access_token_ttl
            )
        now = int(time.time())
        claims = {
            **grant.identity.claims(grant.scopes),
            "iss": self.issuer,
            "aud": grant.client_id,
            "iat": now,
            "exp": now + self.id_token_ttl,
            "auth_time": grant.auth_time,
            # left half of SHA-256 of the access token (OpenID Connect Core §3.1.3.6)
            "at_hash": _b64url(hashlib.sha256(access_token.encode()).digest()[:16]),
        }
        if grant.nonce:
            claims["nonce"] = grant.nonce
        for name, value in self.id_token_overrides.items():
            if value is None:
                claims.pop(name, None)
            else:
                claims[name] = value
        key = self.key
        if self.sign_with_rogue_key:
            if self._rogue_key is None:
                self._rogue_key = RSAKey.generate_key(
                    2048, parameters={"use": "sig", "alg": "RS256"}
                )
            key = self._rogue_key
        id_token = jwt.encode({"alg": "RS256", "typ": "JWT", "kid": self.key.kid}, claims, key)
        return {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": self.access_token_ttl,
            "scope": " ".join(sorted(grant.scopes)),
            "id_token": id_token,
        }

    def userinfo_for(self, access_token: str) -> dict[str, Any] | None:
        with self._lock:
            grant = self._tokens.get(access_token)
        if grant is None or grant.expires_at < time.time():
            return None
        return grant.identity.claims(grant.scopes)


class _OAuthError(Exception):
    """An OAuth error answer (RFC 6749 §5.2) of the token or userinfo endpoint."""

    def __init__(
        self, error: str, description: str, status: int = 400, headers: dict | None = None
    ):
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status
        self.headers = headers or {}


class _Handler(BaseHTTPRequestHandler):
    provider: ReferenceOIDCProvider
    server_version = "egov-reference-oidc/1.0"

    def log_message(self, format: str, *args) -> None:
        log.debug("%s - %s", self.address_string(), format % args)

    # --- plumbing ---------------------------------------------------------------------------

    def _send(
        self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(
        self, status: int, data: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        body = json.dumps(data, ensure_ascii=False).encode()
        self._send(
            status,
            body,
            "application/json; charset=utf-8",
            {"Cache-Control": "no-store", **(headers or {})},
        )

    def _html(self, status: int, title: str, content: str) -> None:
        page = (
            '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title>"
            "<style>body{font-family:sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem}"
            "label,input,button{display:block;margin:.3rem 0}input{width:100%;padding:.4rem}"
            ".banner{background:#fff3cd;border:1px solid #e0c36c;padding:.5rem}.error{color:#b00020}</style>"
            '</head><body><p class="banner">Máy chủ định danh THAM CHIẾU — chỉ dùng cho phát triển và kiểm thử '
            "(reference OpenID Connect provider, not VNeID).</p>"
            f"<h1>{html.escape(title)}</h1>{content}</body></html>"
        )
        self._send(status, page.encode(), "text/html; charset=utf-8", {"Cache-Control": "no-store"})

    def _redirect(self, url: str) -> None:
        self._send(302, b"", "text/plain", {"Location": url, "Cache-Control": "no-store"})

    def _form(self) -> dict[str, str]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8") if length else ""
        return dict(parse_qsl(raw, keep_blank_values=True))

    def _query(self) -> dict[str, str]:
        return dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))

    # --- routing ----------------------------------------------------------------------------

    def do_GET(self) -> None:
        self._route(self._query())

    def do_POST(self) -> None:
        self._route(self._form())

    def _route(self, params: dict[str, str]) -> None:
        route = urlsplit(self.path).path.rstrip("/") or "/"
        p = self.provider
        try:
            if route == "/.well-known/openid-configuration" and self.command == "GET":
                self._json(200, p.discovery())
            elif route == "/jwks" and self.command == "GET":
                self._json(200, p.jwks())
            elif route == "/authorize":
                self._authorize(params)
            elif route == "/token" and self.command == "POST":
                self._token(params)
            elif route == "/userinfo":
                self._userinfo()
            elif route == "/":
                self._html(
                    200,
                    "Reference OpenID Connect provider",
                    f"<p>Discovery: <code>{html.escape(p.discovery_url)}</code></p>",
                )
            else:
                self._json(404, {"error": "not_found"})
        except _OAuthError as exc:
            self._json(
                exc.status, {"error": exc.error, "error_description": exc.description}, exc.headers
            )

    # --- /authorize -------------------------------------------------------------------------

    def _authorize(self, params: dict[str, str]) -> None:
        p = self.provider
        client = p.clients.get(params.get("client_id", ""))
        redirect_uri = params.get("redirect_uri", "")
        # RFC 6749 §4.1.2.1: never redirect to an unverified redirect_uri; tell the user instead.
        if client is None or redirect_uri not in client.redirect_uris:
            self._html(
                400,
                "Yêu cầu không hợp lệ",
                "<p>Ứng dụng (client_id) hoặc địa chỉ quay về (redirect_uri) chưa được đăng ký.</p>",
            )
            return
        state = params.get("state", "")

        def back(**values: str) -> None:
            if state:
                values["state"] = state
            parts = urlsplit(redirect_uri)
            query = "&".join(x for x in (parts.query, urlencode(values)) if x)
            self._redirect(urlunsplit(parts._replace(query=query)))

        if params.get("response_type") != "code":
            back(
                error="unsupported_response_type",
                error_description="Only the authorization code flow is supported",
            )
            return
        if "openid" not in params.get("scope", "").split():
            back(error="invalid_scope", error_description="The openid scope is required")
            return
        if params.get("code_challenge") and params.get("code_challenge_method", "plain") != "S256":
            back(
                error="invalid_request",
                error_description="Only the S256 code challenge method is supported",
            )
            return

        if self.command == "POST":
            if params.get("action") == "deny":
                back(error="access_denied", error_description="The user denied the request")
                return
            identity = p.find_identity(params.get("username", ""))
            if identity is None or not hmac.compare_digest(
                identity.password, params.get("password", "")
            ):
                self._login_form(params, error="Tên đăng nhập hoặc mật khẩu không đúng.")
                return
        else:
            identity = p.find_identity(params.get("login_hint", "")) if p.trust_login_hint else None
            if identity is None or params.get("prompt") == "login":
                self._login_form(params)
                return
        back(code=p.issue_code(params, identity))

    def _login_form(self, params: dict[str, str], error: str = "") -> None:
        keep = (
            "client_id",
            "redirect_uri",
            "response_type",
            "scope",
            "state",
            "nonce",
            "code_challenge",
            "code_challenge_method",
        )
        hidden = "".join(
            f'<input type="hidden" name="{name}" value="{html.escape(params[name])}">'
            for name in keep
            if name in params
        )
        people = "".join(
            f"<li><code>{html.escape(i.username)}</code> / <code>{html.escape(i.password)}</code> — {html.escape(i.name)}</li>"
            for i in self.provider.identities
        )
        content = (
            (f'<p class="error" role="alert">{html.escape(error)}</p>' if error else "")
            + '<form method="post" action="/authorize">'
            + hidden
            + '<label for="username">Tên đăng nhập</label>'
            + f'<input id="username" name="username" value="{html.escape(params.get("username", params.get("login_hint", "")))}" autofocus>'
            + '<label for="password">Mật khẩu</label><input id="password" name="password" type="password">'
            + '<button type="submit" name="action" value="approve">Đăng nhập và đồng ý</button>'
            + '<button type="submit" name="action" value="deny">Từ chối</button></form>'
            + f"<h2>Tài khoản thử nghiệm</h2><ul>{people}</ul>"
        )
        self._html(200, "Đăng nhập (máy chủ định danh tham chiếu)", content)

    # --- /token -------------------------------------------------------------------------------

    def _authenticate_client(self, params: dict[str, str]) -> Client:
        p = self.provider
        header = self.headers.get("Authorization", "")
        if header.lower().startswith("basic "):
            if "client_secret" in params:
                raise _OAuthError("invalid_request", "Use only one client authentication method")
            try:
                decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
                raw_id, _sep, raw_secret = decoded.partition(":")
            except ValueError as exc:
                raise _OAuthError("invalid_client", "Malformed Basic credentials", 401) from exc
            # RFC 6749 §2.3.1: both parts are form-urlencoded before base64.
            client_id, secret = (
                unquote(raw_id.replace("+", " ")),
                unquote(raw_secret.replace("+", " ")),
            )
            challenge = {"WWW-Authenticate": 'Basic realm="reference-oidc"'}
        else:
            client_id, secret = params.get("client_id", ""), params.get("client_secret", "")
            challenge = {}
        client = p.clients.get(client_id)
        if client is None or not hmac.compare_digest(
            client.client_secret.encode(), secret.encode()
        ):
            raise _OAuthError(
                "invalid_client", "Unknown client or wrong client secret", 401, challenge
            )
        return client

    def _token(self, params: dict[str, str]) -> None:
        client = self._authenticate_client(params)
        if params.get("grant_type") != "authorization_code":
            raise _OAuthError("unsupported_grant_type", "Only authorization_code is supported")
        grant = self.provider.redeem_code(params.get("code", ""))
        if grant is None or grant.client_id != client.client_id:
            raise _OAuthError(
                "invalid_grant", "Unknown, expired or already used authorization code"
            )
        if params.get("redirect_uri") != grant.redirect_uri:
            raise _OAuthError(
                "invalid_grant", "redirect_uri does not match the authorization request"
            )
        verifier = params.get("code_verifier", "")
        if grant.code_challenge:
            if not verifier or not hmac.compare_digest(s256(verifier), grant.code_challenge):
                raise _OAuthError("invalid_grant", "PKCE verification failed")
        elif verifier:
            raise _OAuthError("invalid_grant", "code_verifier sent but no code_challenge was given")
        self._json(200, self.provider.issue_tokens(grant), {"Pragma": "no-cache"})

    # --- /userinfo ------------------------------------------------------------------------------

    def _userinfo(self) -> None:
        header = self.headers.get("Authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else ""
        claims = self.provider.userinfo_for(token) if token else None
        if claims is None:
            raise _OAuthError(
                "invalid_token",
                "Missing, unknown or expired access token",
                401,
                {"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        self._json(200, claims)


ReferenceOIDCProvider.handler_class = _Handler


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m reference_servers.oidc_provider",
        description="Reference OpenID Connect provider for egov development and tests (stands in for VNeID). Not for production.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9010)
    parser.add_argument("--issuer", default=None, help="issuer URL (default http://HOST:PORT)")
    parser.add_argument("--client-id", default=DEMO_CLIENT.client_id)
    parser.add_argument("--client-secret", default=DEMO_CLIENT.client_secret)
    parser.add_argument(
        "--redirect-uri",
        action="append",
        default=None,
        help=f"allowed redirect URI; repeat for several (default: {', '.join(DEMO_CLIENT.redirect_uris)})",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    log.setLevel(logging.DEBUG)
    client = Client(
        args.client_id, args.client_secret, args.redirect_uri or DEMO_CLIENT.redirect_uris
    )
    provider = ReferenceOIDCProvider(args.host, args.port, clients=[client], issuer=args.issuer)
    provider.start()
    print(f"Reference OpenID Connect provider (development only) at {provider.issuer}")
    print(f"  discovery:     {provider.discovery_url}")
    print(f"  client:        {client.client_id} / {client.client_secret}")
    print(f"  redirect URIs: {', '.join(client.redirect_uris)}")
    for identity in provider.identities:
        print(
            f"  identity:      {identity.username} / {identity.password}  ({identity.name}, {identity.email}, CCCD {identity.citizen_id})"
        )
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        provider.stop()


if __name__ == "__main__":
    main()
