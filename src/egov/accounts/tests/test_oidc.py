"""OpenID Connect login against the reference provider, over a real loopback socket.

The Django test client plays the browser on egov's side; ``requests`` plays it on the provider's
side (real HTTP), exactly as a browser follows the redirects between the two.
"""

from __future__ import annotations

import base64
import re
import socket
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
import requests
from django.core.cache import cache

from egov.accounts import oidc_services, services
from egov.accounts.models import User
from egov.accounts.tests.factories import CitizenFactory, MembershipFactory, UserFactory
from egov.core.models import AuditEvent
from reference_servers.oidc_provider import Client, Identity, ReferenceOIDCProvider, s256

CLIENT_ID, CLIENT_SECRET = "egov-test", "egov-test-secret"
REDIRECT_URI = "http://testserver/accounts/oidc/callback/"

DAN = Identity(
    sub="vneid-dan",
    username="dan",
    password="pw-dan",
    name="Nguyễn Thị Dân",
    email="Dan@Example.vn",
    phone_number="+84 912 000 001",
    citizen_id="025190000001",
)
CANBO = Identity(
    sub="vneid-canbo",
    username="canbo",
    password="pw-canbo",
    name="Trần Văn Cán Bộ",
    email="canbo@ubnd.example.vn",
)
UNVERIFIED = Identity(
    sub="vneid-unverified",
    username="unverified",
    password="pw",
    name="Lê Chưa Xác Minh",
    email="canbo@ubnd.example.vn",
    email_verified=False,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider():
    p = ReferenceOIDCProvider(
        clients=[Client(CLIENT_ID, CLIENT_SECRET, [REDIRECT_URI])],
        identities=[DAN, CANBO, UNVERIFIED],
    ).start()
    yield p
    p.stop()


@pytest.fixture
def oidc(settings, provider):
    cache.clear()
    settings.OIDC_ENABLED = True
    settings.OIDC_PROVIDER_NAME = "VNeID"
    settings.OIDC_DISCOVERY_URL = provider.discovery_url
    settings.OIDC_CLIENT_ID = CLIENT_ID
    settings.OIDC_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_SCOPES = "openid profile email phone"
    settings.OIDC_CITIZEN_ID_CLAIM = "citizen_id"
    yield provider
    cache.clear()


def start(client, provider, nxt: str = "") -> str:
    """egov's login view → the provider's authorization URL."""
    resp = client.get("/accounts/oidc/login/" + (f"?next={nxt}" if nxt else ""))
    assert resp.status_code == 302, resp.content
    url = resp["Location"]
    assert url.startswith(provider.issuer + "/authorize?")
    return url


def authorize(auth_url: str, login_hint: str) -> str:
    """The browser at the provider: signs in with a login hint, gets the redirect back to egov."""
    resp = requests.get(
        auth_url, params={"login_hint": login_hint}, allow_redirects=False, timeout=5
    )
    assert resp.status_code == 302, resp.text
    return resp.headers["Location"]


def back(client, callback_url: str):
    assert callback_url.startswith(REDIRECT_URI)
    return client.get(callback_url.removeprefix("http://testserver"))


def login_via_provider(client, provider, login_hint: str, nxt: str = ""):
    return back(client, authorize(start(client, provider, nxt), login_hint))


def logged_in_user(client) -> User | None:
    pk = client.session.get("_auth_user_id")
    return User.objects.get(pk=pk) if pk else None


def form_fields(page: str) -> dict[str, str]:
    return {
        m[0]: unescape(m[1])
        for m in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page)
    }


# --- the reference provider speaks the protocol ---------------------------------------------------


def test_discovery_and_jwks_over_http(provider):
    doc = requests.get(provider.discovery_url, timeout=5).json()
    assert doc["issuer"] == provider.issuer
    assert doc["authorization_endpoint"] == f"{provider.issuer}/authorize"
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert set(doc["token_endpoint_auth_methods_supported"]) == {
        "client_secret_basic",
        "client_secret_post",
    }
    keys = requests.get(doc["jwks_uri"], timeout=5).json()["keys"]
    assert len(keys) == 1 and keys[0]["kty"] == "RSA" and keys[0]["kid"] == provider.key.kid
    assert "d" not in keys[0]  # never the private part


def _code(provider, verifier: str = "v" * 50, hint: str = "dan") -> str:
    resp = requests.get(
        f"{provider.issuer}/authorize",
        params={
            "client_id": CLIENT_ID,
            "redirect_uri": REDIRECT_URI,
            "response_type": "code",
            "scope": "openid email",
            "state": "s1",
            "nonce": "n1",
            "code_challenge": s256(verifier),
            "code_challenge_method": "S256",
            "login_hint": hint,
        },
        allow_redirects=False,
        timeout=5,
    )
    query = parse_qs(urlsplit(resp.headers["Location"]).query)
    assert query["state"] == ["s1"]
    return query["code"][0]


def test_token_endpoint_client_secret_post_pkce_and_userinfo(provider):
    verifier = "v" * 50
    data = {
        "grant_type": "authorization_code",
        "code": _code(provider, verifier),
        "redirect_uri": REDIRECT_URI,
        "code_verifier": verifier,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    }
    resp = requests.post(f"{provider.issuer}/token", data=data, timeout=5)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["token_type"] == "Bearer" and body["id_token"].count(".") == 2
    info = requests.get(
        f"{provider.issuer}/userinfo",
        headers={"Authorization": f"Bearer {body['access_token']}"},
        timeout=5,
    ).json()
    assert info == {
        "sub": "vneid-dan",
        "email": "Dan@Example.vn",
        "email_verified": True,
        "citizen_id": "025190000001",
    }
    # a code is used once
    again = requests.post(f"{provider.issuer}/token", data=data, timeout=5)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_token_endpoint_client_secret_basic_and_refusals(provider):
    verifier = "w" * 50
    basic = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    wrong = "Basic " + base64.b64encode(f"{CLIENT_ID}:wrong".encode()).decode()
    data = {
        "grant_type": "authorization_code",
        "code": _code(provider, verifier),
        "redirect_uri": REDIRECT_URI,
    }

    resp = requests.post(
        f"{provider.issuer}/token",
        data={**data, "code_verifier": verifier},
        headers={"Authorization": wrong},
        timeout=5,
    )
    assert resp.status_code == 401 and resp.json()["error"] == "invalid_client"
    resp = requests.post(
        f"{provider.issuer}/token",
        data={**data, "code_verifier": "x" * 50},
        headers={"Authorization": basic},
        timeout=5,
    )
    assert (
        resp.status_code == 400 and resp.json()["error"] == "invalid_grant"
    )  # PKCE failed, and the code is spent

    data["code"] = _code(provider, verifier)
    resp = requests.post(
        f"{provider.issuer}/token",
        data={**data, "code_verifier": verifier},
        headers={"Authorization": basic},
        timeout=5,
    )
    assert resp.status_code == 200 and "id_token" in resp.json()
    assert (
        requests.get(
            f"{provider.issuer}/userinfo", headers={"Authorization": "Bearer nope"}, timeout=5
        ).status_code
        == 401
    )


def test_authorize_refuses_unregistered_redirect_uri_without_redirecting(provider):
    resp = requests.get(
        f"{provider.issuer}/authorize",
        params={
            "client_id": CLIENT_ID,
            "redirect_uri": "http://evil.example/cb",
            "response_type": "code",
            "scope": "openid",
        },
        allow_redirects=False,
        timeout=5,
    )
    assert resp.status_code == 400 and "Location" not in resp.headers


# --- egov's client ---------------------------------------------------------------------------------


def test_login_redirects_with_state_nonce_and_pkce(client, oidc):
    query = parse_qs(urlsplit(start(client, oidc)).query)
    assert query["client_id"] == [CLIENT_ID]
    assert query["redirect_uri"] == [REDIRECT_URI]
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["state"][0] and query["nonce"][0]
    assert query["scope"][0].split()[0] == "openid"


def test_citizen_is_created_from_the_claims_and_logged_in(client, oidc):
    resp = login_via_provider(client, oidc, "dan", nxt="/accounts/me/")
    assert resp.status_code == 302 and resp["Location"] == "/accounts/me/"
    user = logged_in_user(client)
    assert user is not None and user.is_citizen
    assert user.username == "oidc:vneid-dan" and user.oidc_subject == "vneid-dan"
    assert user.full_name == "Nguyễn Thị Dân"
    assert user.email == "dan@example.vn"
    assert user.phone == "0912000001"
    assert user.citizen_id == "025190000001"
    assert not user.has_usable_password()
    assert client.get("/accounts/me/")["Location"] == "/dich-vu-cong/ho-so-cua-toi/"
    page = client.get("/dich-vu-cong/tai-khoan/").content.decode()  # the citizen's profile
    assert "Nguyễn Thị Dân" in page and "025190000001" in page
    assert AuditEvent.objects.filter(
        action="account.citizen_registered", object_id=str(user.pk), data__method="oidc"
    ).exists()
    assert AuditEvent.objects.filter(
        action="account.login", actor_id=user.pk, data__method="oidc"
    ).exists()


def test_second_login_finds_the_same_citizen(client, oidc):
    login_via_provider(client, oidc, "dan")
    first = logged_in_user(client)
    client.logout()
    login_via_provider(client, oidc, "vneid-dan")
    assert logged_in_user(client) == first
    assert User.objects.filter(kind=User.Kind.CITIZEN).count() == 1


def test_sign_in_through_the_provider_login_form(client, oidc):
    auth_url = start(client, oidc)
    page = requests.get(auth_url, timeout=5)
    assert page.status_code == 200 and "THAM CHIẾU" in page.text
    fields = form_fields(page.text)
    bad = requests.post(
        f"{oidc.issuer}/authorize",
        data={**fields, "username": "dan", "password": "wrong", "action": "approve"},
        allow_redirects=False,
        timeout=5,
    )
    assert bad.status_code == 200 and "không đúng" in bad.text
    ok = requests.post(
        f"{oidc.issuer}/authorize",
        data={**fields, "username": "dan", "password": "pw-dan", "action": "approve"},
        allow_redirects=False,
        timeout=5,
    )
    assert ok.status_code == 302
    assert back(client, ok.headers["Location"]).status_code == 302
    assert logged_in_user(client).oidc_subject == "vneid-dan"


def test_officer_with_the_verified_email_is_linked_and_logged_in(client, oidc):
    officer = MembershipFactory(role="specialist", user__email="CANBO@ubnd.example.vn").user
    resp = login_via_provider(client, oidc, "canbo")
    assert resp.status_code == 302 and resp["Location"] == "/"
    assert logged_in_user(client) == officer
    officer.refresh_from_db()
    assert officer.oidc_subject == "vneid-canbo"
    assert AuditEvent.objects.filter(
        action="account.oidc_linked", object_id=str(officer.pk), data__matched_by="email"
    ).exists()
    assert not User.objects.filter(
        kind=User.Kind.CITIZEN
    ).exists()  # officers never get a citizen twin
    assert "Xin chào" in client.get("/").content.decode()


def test_unverified_email_does_not_link_an_officer(client, oidc):
    officer = UserFactory(email="canbo@ubnd.example.vn")
    login_via_provider(client, oidc, "unverified")
    user = logged_in_user(client)
    assert user != officer and user.is_citizen and user.email == ""
    officer.refresh_from_db()
    assert officer.oidc_subject is None


def test_officer_who_must_use_two_factor_still_enters_the_code(client, oidc):
    officer = MembershipFactory(role="admin", user__email="canbo@ubnd.example.vn").user
    secret = pyotp.random_base32()
    services.confirm_totp_device(officer, secret)
    resp = login_via_provider(client, oidc, "canbo", nxt="/audit/")
    assert resp.status_code == 302 and resp["Location"] == "/accounts/login/2fa/"
    assert logged_in_user(client) is None
    resp = client.post("/accounts/login/2fa/", {"code": pyotp.TOTP(secret).now()})
    assert resp.status_code == 302 and resp["Location"] == "/audit/"
    assert logged_in_user(client) == officer


def test_admin_without_device_is_sent_to_enrolment(client, oidc):
    MembershipFactory(role="admin", user__email="canbo@ubnd.example.vn")
    resp = login_via_provider(client, oidc, "canbo")
    assert resp["Location"] == "/accounts/login/2fa/setup/"
    assert logged_in_user(client) is None


def test_forged_state_is_refused(client, oidc):
    callback = authorize(start(client, oidc), "dan")
    forged = re.sub(r"state=[^&]+", "state=forged-by-attacker", callback)
    resp = back(client, forged)
    assert resp.status_code == 400
    assert "state không khớp" in resp.content.decode()
    assert logged_in_user(client) is None and not User.objects.exists()


def test_callback_from_another_browser_is_refused(client, oidc):
    from django.test import Client as DjangoClient

    callback = authorize(start(client, oidc), "dan")
    resp = back(DjangoClient(), callback)  # the victim's browser never started this login
    assert resp.status_code == 400


def test_callback_cannot_be_replayed(client, oidc):
    callback = authorize(start(client, oidc), "dan")
    assert back(client, callback).status_code == 302
    client.logout()
    assert back(client, callback).status_code == 400
    assert logged_in_user(client) is None


def test_id_token_signed_with_another_key_is_refused(client, oidc):
    oidc.sign_with_rogue_key = True
    resp = login_via_provider(client, oidc, "dan")
    assert resp.status_code == 400 and resp.context["code"] == "invalid_id_token"
    assert "id_token" in resp.content.decode()
    assert logged_in_user(client) is None and not User.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"aud": "another-client"},
        {"iss": "http://127.0.0.1:1/"},
        {"nonce": "replayed-nonce"},
        {"nonce": None},
        {"exp": 1_000_000_000},
        {"at_hash": "AAAAAAAAAAAAAAAAAAAAAA"},
    ],
    ids=["audience", "issuer", "nonce", "no-nonce", "expired", "at_hash"],
)
def test_id_token_claims_are_checked(client, oidc, overrides):
    oidc.id_token_overrides = overrides
    resp = login_via_provider(client, oidc, "dan")
    assert resp.status_code == 400
    assert resp.context["code"] == "invalid_id_token"
    assert logged_in_user(client) is None


def test_user_denies_at_the_provider(client, oidc):
    fields = form_fields(requests.get(start(client, oidc), timeout=5).text)
    resp = requests.post(
        f"{oidc.issuer}/authorize",
        data={**fields, "action": "deny"},
        allow_redirects=False,
        timeout=5,
    )
    assert "error=access_denied" in resp.headers["Location"]
    page = back(client, resp.headers["Location"])
    assert page.status_code == 400 and "từ chối" in page.content.decode()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_provider_down_at_login(client, oidc, settings):
    settings.OIDC_DISCOVERY_URL = (
        f"http://127.0.0.1:{_closed_port()}/.well-known/openid-configuration"
    )
    resp = client.get("/accounts/oidc/login/")
    assert resp.status_code == 502
    assert "Không kết nối được" in resp.content.decode()


def test_provider_down_at_callback(client, oidc):
    callback = authorize(start(client, oidc), "dan")
    oidc.stop()
    resp = back(client, callback)
    assert resp.status_code == 502 and logged_in_user(client) is None


def test_discovery_with_a_foreign_issuer_is_refused(client, settings):
    with ReferenceOIDCProvider(
        issuer="http://idp.example", clients=[Client(CLIENT_ID, CLIENT_SECRET, [REDIRECT_URI])]
    ) as p:
        cache.clear()
        settings.OIDC_ENABLED, settings.OIDC_CLIENT_ID = True, CLIENT_ID
        # the document is served at 127.0.0.1 but names another issuer
        settings.OIDC_DISCOVERY_URL = f"http://127.0.0.1:{p.port}/.well-known/openid-configuration"
        resp = client.get("/accounts/oidc/login/")
    assert resp.status_code == 502 and resp.context["code"] == "bad_discovery"


def test_disabled_oidc_answers_404_with_a_message(client, settings):
    settings.OIDC_ENABLED = False
    for url in ("/accounts/oidc/login/", "/accounts/oidc/callback/?code=x&state=y"):
        resp = client.get(url)
        assert resp.status_code == 404
        assert "chưa được bật" in resp.content.decode()


def test_login_page_shows_the_button_only_when_enabled(client, settings):
    settings.OIDC_ENABLED = False
    assert "/accounts/oidc/login/" not in client.get("/accounts/login/").content.decode()
    settings.OIDC_ENABLED = True
    assert "/accounts/oidc/login/" in client.get("/accounts/login/").content.decode()


def test_inactive_linked_account_is_refused(client, oidc):
    UserFactory(oidc_subject="vneid-dan", is_active=False)
    resp = login_via_provider(client, oidc, "dan")
    assert resp.status_code == 403 and "vô hiệu hóa" in resp.content.decode()


# --- matching rules (service) -----------------------------------------------------------------------


def test_officers_are_never_created_and_ambiguous_emails_are_refused():
    UserFactory(email="same@ubnd.example.vn")
    UserFactory(email="same@ubnd.example.vn")
    with pytest.raises(oidc_services.OIDCAccountError) as err:
        oidc_services.login_or_register_from_claims(
            {"sub": "s1", "email": "same@ubnd.example.vn", "email_verified": True}
        )
    assert err.value.code == "ambiguous_email"
    assert not User.objects.filter(oidc_subject="s1").exists()


def test_existing_citizen_is_linked_by_citizen_id(settings):
    settings.OIDC_CITIZEN_ID_CLAIM = "so_dinh_danh"
    citizen = CitizenFactory(citizen_id="001099000123")
    user = oidc_services.login_or_register_from_claims(
        {"sub": "s2", "so_dinh_danh": "001099000123", "name": "X"}
    )
    assert user == citizen
    citizen.refresh_from_db()
    assert citizen.oidc_subject == "s2"
    assert AuditEvent.objects.filter(
        action="account.oidc_linked", data__matched_by="citizen_id"
    ).exists()
    other = CitizenFactory(citizen_id="001099000999", oidc_subject="someone-else")
    with pytest.raises(oidc_services.OIDCAccountError):
        oidc_services.login_or_register_from_claims({"sub": "s3", "so_dinh_danh": other.citizen_id})


def test_values_held_by_other_accounts_are_left_out():
    UserFactory(phone="0912000001", citizen_id="025190000001")
    CitizenFactory(email="dan@example.vn")
    user = oidc_services.login_or_register_from_claims(
        {
            "sub": "s4",
            "name": "Dân",
            "email": "dan@example.vn",
            "email_verified": True,
            "phone_number": "0912000001",
            "citizen_id": "025190000001",
        }
    )
    assert user.is_citizen and (user.email, user.phone, user.citizen_id) == ("", None, None)
    event = AuditEvent.objects.get(action="account.citizen_registered", object_id=str(user.pk))
    assert sorted(event.data["left_out"]) == ["citizen_id", "email", "phone"]


def test_claims_without_subject_are_refused():
    with pytest.raises(oidc_services.OIDCAccountError):
        oidc_services.login_or_register_from_claims({"email": "x@example.vn"})


def test_email_verified_sent_as_a_string_still_links_the_officer():
    officer = UserFactory(email="x@ubnd.example.vn")
    user = oidc_services.login_or_register_from_claims(
        {"sub": "s5", "email": "X@ubnd.example.vn", "email_verified": "true"}
    )
    assert user == officer
