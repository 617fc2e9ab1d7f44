"""REST API: /api/agencies/ and /api/bridge-points/, scoped by visible_to."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from egov.accounts.tests.factories import MembershipFactory
from egov.organizations import services

pytestmark = pytest.mark.django_db


def make(kind, name, code, parent=None, **extra):
    return services.create_agency(kind=kind, name=name, code=code, parent=parent, **extra)


@pytest.fixture
def org():
    province = make("province", "UBND tỉnh Phú Thọ", "000.00.00.H42")
    district = make("district", "UBND huyện Thanh Ba", "000.00.25.H42", province)
    doson = make("commune", "UBND xã Đỗ Sơn", "002.00.25.H42", district)
    doxuyen = make("commune", "UBND xã Đỗ Xuyên", "003.00.25.H42", district)
    old = make(
        "commune", "UBND xã Cũ", "004.00.25.H42", district, effective_to=dt.date(2025, 6, 30)
    )
    tp = make("department", "Phòng Tư pháp", "000.04.25.H42", district, abbreviation="TP")
    other = make("district", "UBND huyện Hạ Hòa", "000.00.26.H42", province)
    services.create_bridge_point(agency=district, name="Hội trường huyện", equipment_status="ready")
    services.create_bridge_point(
        agency=doson, name="Hội trường xã Đỗ Sơn", equipment_status="broken"
    )
    services.create_bridge_point(agency=other, name="Hội trường Hạ Hòa", equipment_status="ready")
    return locals()


def client_for(agency, role):
    client = APIClient()
    client.force_authenticate(MembershipFactory(agency=agency, role=role).user)
    return client


def test_anonymous_is_refused(client):
    resp = client.get("/api/agencies/")
    assert resp.status_code in (401, 403)
    assert "error" in resp.json()


def test_leader_lists_the_district_subtree_in_tree_order(org):
    resp = client_for(org["district"], "leader").get("/api/agencies/")
    assert resp.status_code == 200
    body = resp.json()
    codes = [a["code"] for a in body["results"]]
    assert codes[0] == "000.00.25.H42"
    assert set(codes) == {
        "000.00.25.H42",
        "002.00.25.H42",
        "003.00.25.H42",
        "004.00.25.H42",
        "000.04.25.H42",
    }
    assert "000.00.26.H42" not in codes and "000.00.00.H42" not in codes
    first = body["results"][0]
    assert set(first) >= {
        "id", "code", "name", "short_name", "abbreviation", "kind", "parent",
        "effective_from", "effective_to", "successor",
    }  # fmt: skip
    assert "next" in body and "count" not in body  # keyset pagination, no COUNT(*)


def test_pagination_follows_the_path(org):
    client = client_for(org["district"], "leader")
    page = client.get("/api/agencies/?page_size=2").json()
    seen = [a["code"] for a in page["results"]]
    while page["next"]:
        page = client.get(page["next"]).json()
        seen += [a["code"] for a in page["results"]]
    assert len(seen) == 5 and len(set(seen)) == 5
    assert seen == [a["code"] for a in client.get("/api/agencies/").json()["results"]]


def test_filters_kind_active_on_and_q(org):
    client = client_for(org["district"], "leader")
    kinds = client.get("/api/agencies/?kind=commune").json()["results"]
    assert {a["code"] for a in kinds} == {"002.00.25.H42", "003.00.25.H42", "004.00.25.H42"}
    active = client.get("/api/agencies/?kind=commune&active_on=2025-07-01").json()["results"]
    assert {a["code"] for a in active} == {"002.00.25.H42", "003.00.25.H42"}
    found = client.get("/api/agencies/", {"q": "do son"}).json()["results"]
    assert [a["name"] for a in found] == ["UBND xã Đỗ Sơn"]
    by_code = client.get("/api/agencies/", {"q": "000.04"}).json()["results"]
    assert [a["abbreviation"] for a in by_code] == ["TP"]


def test_bad_filters_are_400_with_a_message(org):
    client = client_for(org["district"], "leader")
    resp = client.get("/api/agencies/?active_on=01-07-2025")
    assert resp.status_code == 400
    assert "active_on" in resp.json()["error"]["fields"]
    resp = client.get("/api/agencies/?kind=village")
    assert resp.status_code == 400 and "kind" in resp.json()["error"]["fields"]


def test_retrieve_outside_the_scope_is_404(org):
    client = client_for(org["doson"], "clerk")
    assert client.get(f"/api/agencies/{org['doson'].pk}/").status_code == 200
    assert client.get(f"/api/agencies/{org['district'].pk}/").status_code == 404
    assert [a["code"] for a in client.get("/api/agencies/").json()["results"]] == ["002.00.25.H42"]


def test_successor_is_shown_after_a_merge(org):
    services.merge_agencies([org["doson"]], org["doxuyen"], dt.date(2025, 7, 1), "NQ thử")
    client = client_for(org["district"], "leader")
    data = client.get(f"/api/agencies/{org['doson'].pk}/").json()
    assert data["successor"] == org["doxuyen"].pk and data["effective_to"] == "2025-06-30"


def test_bridge_points_are_scoped_and_filtered(org):
    client = client_for(org["district"], "leader")
    body = client.get("/api/bridge-points/").json()
    assert {p["name"] for p in body["results"]} == {"Hội trường huyện", "Hội trường xã Đỗ Sơn"}
    broken = client.get("/api/bridge-points/?status=broken").json()["results"]
    assert [(p["name"], p["agency_name"]) for p in broken] == [
        ("Hội trường xã Đỗ Sơn", "UBND xã Đỗ Sơn")
    ]
    assert client.get("/api/bridge-points/?status=fine").status_code == 400
    mine = client.get(f"/api/bridge-points/?agency={org['district'].pk}").json()["results"]
    assert [p["name"] for p in mine] == ["Hội trường huyện"]


def test_api_is_read_only(org):
    client = client_for(org["district"], "admin")
    assert client.post("/api/agencies/", {"name": "x"}).status_code == 405
    assert client.delete(f"/api/agencies/{org['doson'].pk}/").status_code == 405


def test_schema_documents_the_endpoints(org):
    client = client_for(org["district"], "leader")
    resp = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert resp.status_code == 200
    text = resp.content.decode()
    assert "/api/agencies/" in text and "/api/bridge-points/" in text and "active_on" in text
