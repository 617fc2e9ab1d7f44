"""Office pages: the agency tree with search, the agency detail page, the bridge points."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import include, path

from egov import urls as root_urls
from egov.accounts.tests.factories import MembershipFactory, UserFactory
from egov.core.models import AuditEvent
from egov.office import urls as office_urls
from egov.office.views import agencies as agency_views
from egov.organizations import services
from egov.organizations.models import BridgePoint

pytestmark = pytest.mark.django_db

# The detail page's URL, for the tests until office/urls.py has it (harmless after).
urlpatterns = [
    path(
        "",
        include(
            (
                [
                    path("agencies/<int:pk>/", agency_views.agency_detail, name="agency_detail"),
                    *office_urls.urlpatterns,
                ],
                "office",
            )
        ),
    ),
    *[p for p in root_urls.urlpatterns if getattr(p, "namespace", None) != "office"],
]
WITH_DETAIL_URL = pytest.mark.urls(__name__)


def make(kind, name, code, parent=None, **extra):
    return services.create_agency(kind=kind, name=name, code=code, parent=parent, **extra)


@pytest.fixture
def org():
    province = make("province", "UBND tỉnh Phú Thọ", "000.00.00.H42")
    district = make(
        "district",
        "UBND huyện Thanh Ba",
        "000.00.25.H42",
        province,
        address="Thị trấn Thanh Ba, huyện Thanh Ba, tỉnh Phú Thọ",
    )
    doson = make("commune", "UBND xã Đỗ Sơn", "002.00.25.H42", district)
    make("onestop", "Bộ phận một cửa xã Đỗ Sơn", "002.01.25.H42", doson, abbreviation="BPMC")
    luong_lo = make("commune", "UBND xã Lương Lỗ", "004.00.25.H42", district)
    make("department", "Phòng Tư pháp huyện Thanh Ba", "000.04.25.H42", district, abbreviation="TP")
    services.create_bridge_point(
        agency=district, name="Hội trường UBND huyện", equipment_status="ready"
    )
    services.create_bridge_point(
        agency=doson,
        name="Hội trường UBND xã Đỗ Sơn",
        equipment_status="broken",
        equipment_note="Hỏng codec",
    )
    services.create_bridge_point(
        agency=luong_lo, name="Hội trường UBND xã Lương Lỗ", equipment_status="degraded"
    )
    return {"province": province, "district": district, "doson": doson, "luonglo": luong_lo}


def login(client, agency, role):
    user = MembershipFactory(agency=agency, role=role).user
    client.force_login(user)
    return user


def test_pages_need_a_login(client):
    for url in ("/agencies/", "/bridge-points/"):
        resp = client.get(url)
        assert resp.status_code == 302 and "/accounts/login/" in resp.url


def test_agency_tree_renders_for_an_officer(client, org):
    login(client, org["district"], "leader")
    resp = client.get("/agencies/")
    assert resp.status_code == 200
    page = resp.content.decode()
    assert 'data-testid="agency-tree"' in page
    for text in (
        "UBND huyện Thanh Ba",
        "UBND xã Đỗ Sơn",
        "Phòng Tư pháp huyện Thanh Ba",
        "000.00.25.H42",
    ):
        assert text in page
    assert "Thị trấn Thanh Ba, huyện Thanh Ba, tỉnh Phú Thọ" in page  # the address
    assert "UBND tỉnh Phú Thọ" not in page.split('data-testid="agency-tree"')[1]  # out of scope
    assert page.count("<ul") == page.count("</ul>")
    assert "<script>" not in page  # no inline scripts (CSP)


def test_search_without_diacritics_finds_do_son(client, org):
    login(client, org["district"], "leader")
    page = client.get("/agencies/", {"q": "do son"}).content.decode()
    tree = page.split('data-testid="agency-tree"')[1]
    assert "UBND xã Đỗ Sơn" in tree
    assert "UBND xã Lương Lỗ" not in tree
    assert "Phòng Tư pháp" not in tree
    count = re.search(r'data-testid="agency-count">(.*?)</p>', page, re.S).group(1)
    assert "Tìm thấy 2" in count  # the commune and its one-stop unit


def test_search_with_no_hit_says_so(client, org):
    login(client, org["district"], "leader")
    page = client.get("/agencies/", {"q": "khong co dau"}).content.decode()
    assert "Không tìm thấy" in page


def test_merged_agencies_show_only_when_asked(client, org):
    services.merge_agencies([org["luonglo"]], org["doson"], dt.date(2025, 7, 1), "NQ thử")
    login(client, org["district"], "leader")
    page = client.get("/agencies/").content.decode()
    assert "UBND xã Lương Lỗ" not in page
    page = client.get("/agencies/", {"show_inactive": "1"}).content.decode()
    assert "UBND xã Lương Lỗ" in page and "đã hợp nhất vào" in page
    # on a date before the merge, the old commune is there
    page = client.get("/agencies/", {"on": "2025-06-30"}).content.decode()
    assert "UBND xã Lương Lỗ" in page


def test_bridge_points_page_shows_badges_and_counts(client, org):
    login(client, org["district"], "leader")
    resp = client.get("/bridge-points/")
    assert resp.status_code == 200
    page = resp.content.decode()
    assert "Hội trường UBND xã Đỗ Sơn" in page and "Hỏng codec" in page
    assert "text-bg-danger" in page and "text-bg-success" in page and "text-bg-warning" in page
    counts = page.split('data-testid="bridge-point-counts"')[1].split("</ul>")[0]
    for status, n in (("ready", 1), ("degraded", 1), ("broken", 1), ("unknown", 0)):
        item = counts.split(f'data-status="{status}"')[1].split("</li>")[0]
        assert f'<span class="fw-semibold">{n}</span>' in item
    assert 'name="equipment_status"' not in page  # only administrators update statuses
    broken = client.get("/bridge-points/", {"status": "broken"}).content.decode()
    table = broken.split('data-testid="bridge-point-table"')[1]
    assert "Hội trường UBND xã Đỗ Sơn" in table and "Lương Lỗ" not in table


def test_bridge_points_are_scoped(client, org):
    login(client, org["doson"], "clerk")
    page = client.get("/bridge-points/").content.decode()
    assert "Hội trường UBND xã Đỗ Sơn" in page and "Hội trường UBND huyện" not in page


def test_an_administrator_updates_an_equipment_status(client, org):
    admin = login(client, org["district"], "admin")
    point = BridgePoint.objects.get(name="Hội trường UBND xã Đỗ Sơn")
    resp = client.post(
        "/bridge-points/",
        {"point": point.pk, "equipment_status": "ready", "equipment_note": "Đã thay codec"},
    )
    assert resp.status_code == 302
    point.refresh_from_db()
    assert point.equipment_status == "ready" and point.equipment_note == "Đã thay codec"
    event = AuditEvent.objects.get(action="bridge_point.status_changed")
    assert event.actor_id == admin.pk and event.data["changes"]["equipment_status"] == [
        "broken",
        "ready",
    ]
    page = client.get("/bridge-points/").content.decode()
    assert "Đã cập nhật tình trạng thiết bị" in page


def test_others_cannot_update_a_status(client, org):
    login(client, org["district"], "leader")
    point = BridgePoint.objects.get(name="Hội trường UBND xã Đỗ Sơn")
    resp = client.post("/bridge-points/", {"point": point.pk, "equipment_status": "ready"})
    assert resp.status_code == 403
    point.refresh_from_db()
    assert point.equipment_status == "broken"


@WITH_DETAIL_URL
def test_agency_detail_page_and_links(client, org):
    services.merge_agencies(
        [org["luonglo"]], org["doson"], dt.date(2025, 7, 1), "Nghị quyết thử nghiệm"
    )
    login(client, org["district"], "leader")
    tree = client.get("/agencies/").content.decode()
    assert f'href="/agencies/{org["doson"].pk}/"' in tree
    resp = client.get(f"/agencies/{org['doson'].pk}/")
    assert resp.status_code == 200
    page = resp.content.decode()
    assert "002.00.25.H42" in page and "Bộ phận một cửa xã Đỗ Sơn" in page
    history = page.split('data-testid="agency-history"')[1]
    assert "UBND xã Lương Lỗ" in history and "Nghị quyết thử nghiệm" in history
    old = client.get(f"/agencies/{org['luonglo'].pk}/").content.decode()
    assert "đã hợp nhất vào" in old and "UBND xã Đỗ Sơn" in old


@WITH_DETAIL_URL
def test_agency_detail_is_scoped(client, org):
    login(client, org["doson"], "clerk")
    assert client.get(f"/agencies/{org['doson'].pk}/").status_code == 200
    assert client.get(f"/agencies/{org['district'].pk}/").status_code == 404


def test_admin_pages_render_and_save_through_the_services(client, org):
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    for url in (
        "/admin/organizations/agency/",
        "/admin/organizations/agency/?kind__exact=commune&q=Đỗ",
        f"/admin/organizations/agency/{org['doson'].pk}/change/",
        "/admin/organizations/bridgepoint/",
        "/admin/organizations/agencymerge/",
    ):
        assert client.get(url).status_code == 200, url
    resp = client.post(
        "/admin/organizations/agency/add/",
        {
            "kind": "commune",
            "name": "UBND xã Thử Admin",
            "short_name": "",
            "abbreviation": "UBND",
            "code": "055.00.25.H42",
            "parent": org["district"].pk,
            "address": "",
            "phone": "",
            "email": "",
        },
    )
    assert resp.status_code == 302, resp.content.decode()[:2000]
    created = org["district"].children.get(code="055.00.25.H42")
    assert created.path == f"{org['district'].path}{created.pk}/"
    assert AuditEvent.objects.filter(action="agency.created", actor_id=admin_user.pk).exists()
    point = BridgePoint.objects.get(name="Hội trường UBND huyện")
    resp = client.post(
        f"/admin/organizations/bridgepoint/{point.pk}/change/",
        {
            "name": point.name,
            "location": "Tầng 2",
            "equipment_status": "broken",
            "equipment_note": "",
            "is_active": "on",
        },
    )
    assert resp.status_code == 302
    point.refresh_from_db()
    assert point.location == "Tầng 2" and point.equipment_status == "broken"
    assert AuditEvent.objects.filter(action="bridge_point.updated", actor_id=admin_user.pk).exists()
