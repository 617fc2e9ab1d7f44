"""``/api/users/``: the officers a user may see, through the real URL routing and auth."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token

from egov.accounts import services
from egov.accounts.tests.factories import PASSWORD, CitizenFactory, MembershipFactory, UserFactory
from egov.organizations.models import Agency
from egov.organizations.tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    district = AgencyFactory(kind=Agency.Kind.DISTRICT, name="UBND huyện Thanh Ba")
    a = AgencyFactory(parent=district, name="UBND xã A")
    b = AgencyFactory(parent=district, name="UBND xã B")
    people = {
        "a_specialist": MembershipFactory(agency=a, role="specialist").user,
        "a_clerk": MembershipFactory(agency=a, role="clerk").user,
        "b_specialist": MembershipFactory(agency=b, role="specialist").user,
        "leader": MembershipFactory(agency=district, role="leader").user,
    }
    return {"district": district, "a": a, "b": b, **people}


def usernames(resp) -> set[str]:
    assert resp.status_code == 200, resp.content
    return {row["username"] for row in resp.json()["results"]}


def test_commune_officer_sees_only_their_commune(client, tree):
    client.force_login(tree["a_specialist"])
    assert usernames(client.get("/api/users/")) == {
        tree["a_specialist"].username,
        tree["a_clerk"].username,
    }


def test_leader_of_the_district_sees_both_communes(client, tree):
    client.force_login(tree["leader"])
    expected = {tree[k].username for k in ("a_specialist", "a_clerk", "b_specialist", "leader")}
    assert usernames(client.get("/api/users/")) == expected


def test_list_shows_only_the_roles_in_visible_agencies(client, tree):
    services.grant_role(tree["a_clerk"], tree["b"], "clerk")
    client.force_login(tree["a_specialist"])
    row = next(
        r
        for r in client.get("/api/users/").json()["results"]
        if r["username"] == tree["a_clerk"].username
    )
    assert [(m["agency"], m["role"]) for m in row["memberships"]] == [(tree["a"].pk, "clerk")]
    assert row["memberships"][0]["role_label"] == "Văn thư"
    assert row["memberships"][0]["agency_name"] == "UBND xã A"


def test_revoked_roles_and_deactivated_officers_are_not_listed(client, tree):
    services.revoke_role(tree["a_clerk"].memberships.get(), by=None)
    inactive = MembershipFactory(agency=tree["a"], user__is_active=False).user
    client.force_login(tree["a_specialist"])
    names = usernames(client.get("/api/users/"))
    assert tree["a_clerk"].username not in names and inactive.username not in names


def test_filters_by_agency_and_role(client, tree):
    client.force_login(tree["leader"])
    assert usernames(client.get(f"/api/users/?agency={tree['b'].pk}")) == {
        tree["b_specialist"].username
    }
    assert usernames(client.get("/api/users/?role=clerk")) == {tree["a_clerk"].username}


def test_bad_filter_gives_a_structured_error(client, tree):
    client.force_login(tree["leader"])
    resp = client.get("/api/users/?agency=abc")
    assert resp.status_code == 400
    assert resp.json() == {
        "error": {
            "code": "invalid",
            "message": "Dữ liệu không hợp lệ.",
            "fields": {"agency": ["Mã cơ quan phải là số."]},
        }
    }
    assert client.get("/api/users/?role=mayor").json()["error"]["fields"]["role"]


def test_retrieve_a_visible_officer_and_404_for_others(client, tree):
    client.force_login(tree["a_specialist"])
    resp = client.get(f"/api/users/{tree['a_clerk'].pk}/")
    assert resp.status_code == 200 and resp.json()["full_name"] == tree["a_clerk"].full_name
    hidden = client.get(f"/api/users/{tree['b_specialist'].pk}/")
    assert hidden.status_code == 404
    assert hidden.json()["error"]["code"] == "not_found"


def test_citizen_gets_403_on_the_officer_list(client, tree):
    client.force_login(CitizenFactory())
    resp = client.get("/api/users/")
    assert resp.status_code == 403
    body = resp.json()["error"]
    assert (
        body["code"] == "permission_denied" and "cán bộ" in body["message"] and body["fields"] == {}
    )
    assert client.get(f"/api/users/{tree['a_clerk'].pk}/").status_code == 403


def test_anonymous_is_refused_with_the_structured_shape(client):
    resp = client.get("/api/users/")
    assert resp.status_code in (401, 403)
    assert resp.json()["error"]["code"] == "not_authenticated"


def test_me_with_session_auth_has_roles_per_agency(client, tree):
    leader = tree["leader"]
    services.grant_role(leader, tree["district"], "admin")
    services.grant_role(leader, tree["a"], "specialist")
    client.force_login(leader)
    data = client.get("/api/users/me/").json()
    assert data["username"] == leader.username and data["kind"] == "officer"
    assert data["two_factor_enabled"] is False
    assert data["agencies"] == [
        {
            "agency": tree["district"].pk,
            "agency_code": tree["district"].code,
            "agency_name": "UBND huyện Thanh Ba",
            "roles": ["admin", "leader"],
        },
        {
            "agency": tree["a"].pk,
            "agency_code": tree["a"].code,
            "agency_name": "UBND xã A",
            "roles": ["specialist"],
        },
    ]


def test_me_for_a_citizen(client):
    citizen = CitizenFactory(citizen_id="025190000001")
    client.force_login(citizen)
    data = client.get("/api/users/me/").json()
    assert (
        data["kind"] == "citizen"
        and data["citizen_id"] == "025190000001"
        and data["agencies"] == []
    )


def test_token_auth(client, tree):
    officer = tree["a_specialist"]
    resp = client.post("/api/token/", {"username": officer.username, "password": PASSWORD})
    assert resp.status_code == 200
    token = resp.json()["token"]
    assert Token.objects.get(key=token).user == officer
    me = client.get("/api/users/me/", HTTP_AUTHORIZATION=f"Token {token}")
    assert me.status_code == 200 and me.json()["username"] == officer.username
    assert usernames(client.get("/api/users/", HTTP_AUTHORIZATION=f"Token {token}")) == {
        officer.username,
        tree["a_clerk"].username,
    }
    assert (
        client.get("/api/users/me/", HTTP_AUTHORIZATION="Token wrong").json()["error"]["code"]
        == "authentication_failed"
    )


def test_token_refused_with_a_wrong_password(client):
    officer = UserFactory()
    resp = client.post("/api/token/", {"username": officer.username, "password": "wrong"})
    assert resp.status_code == 401 and resp.json()["error"]["code"] == "invalid_credentials"


def test_superuser_sees_every_officer(client, tree):
    admin = UserFactory(is_superuser=True)
    client.force_login(admin)
    assert len(usernames(client.get("/api/users/"))) == 4


def test_list_is_paginated_without_counting(client, tree):
    client.force_login(tree["leader"])
    first = client.get("/api/users/?page_size=2").json()
    assert len(first["results"]) == 2 and "count" not in first and first["next"]
    second = client.get(first["next"]).json()
    assert {r["id"] for r in first["results"]}.isdisjoint({r["id"] for r in second["results"]})


def test_token_for_a_two_factor_account_needs_the_code(db, client):
    import pyotp

    from egov.accounts import services
    from egov.accounts.tests.factories import PASSWORD, MembershipFactory

    admin = MembershipFactory(role="admin").user
    device = services.confirm_totp_device(admin, pyotp.random_base32())
    resp = client.post("/api/token/", {"username": admin.username, "password": PASSWORD})
    assert resp.status_code == 401 and resp.json()["error"]["code"] == "otp_required"
    code = pyotp.TOTP(device.secret).now()
    resp = client.post(
        "/api/token/", {"username": admin.username, "password": PASSWORD, "otp": code}
    )
    assert resp.status_code == 200 and len(resp.json()["token"]) == 40
    wrong = client.post("/api/token/", {"username": admin.username, "password": "wrong"})
    assert wrong.json()["error"]["code"] == "invalid_credentials"
