"""Public pages: catalog search without diacritics, the procedure page, the statistics from
the fact tables."""

from __future__ import annotations

import re

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from egov.dossiers.models import DossierDailyStat
from egov.portal.tests.portal_fixtures import *  # noqa: F403  (fixtures)
from egov.portal.tests.portal_fixtures import returned, to_result_ready
from egov.procedures.models import RequiredPaper
from egov.procedures.tests.factories import fee, make_procedure, paper

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog(db):
    birth = make_procedure(
        "1.001193",
        name="Đăng ký khai sinh",
        field=("HT", "Hộ tịch"),
        processing_time=1,
        online_level="full",
        fees=[fee("Lệ phí đăng ký khai sinh", 8000), fee("Phí cấp bản sao", 1250000, kind="fee")],
        papers=[paper("Tờ khai đăng ký khai sinh"), paper("Giấy chứng sinh", "original")],
    )
    land = make_procedure(
        "1.004227",
        name="Đăng ký biến động quyền sử dụng đất",
        field=("DD", "Đất đai"),
        level="district",
        processing_time=10,
        online_level="2",
        fees=[],
    )
    marriage = make_procedure(
        "1.000894", name="Đăng ký kết hôn", field=("HT", "Hộ tịch"), online_level="partial"
    )
    return {"birth": birth, "land": land, "marriage": marriage}


def names_in(html: str) -> list[str]:
    block = html.split('data-testid="procedure-results"', 1)
    if len(block) == 1:
        return []
    return re.findall(r'class="fw-semibold" href="[^"]+">([^<]+)</a>', block[1])


def test_home_links_everything(client, catalog):
    page = client.get(reverse("portal:home"))
    html = page.content.decode()
    assert page.status_code == 200
    for name in ("procedures", "track", "stats", "register"):
        assert reverse(f"portal:{name}") in html
    assert reverse("accounts:login") in html
    assert "Đăng ký khai sinh" in html  # an online procedure is listed
    assert 'href="#main"' in html and 'id="main"' in html  # skip link
    assert 'name="viewport"' in html


def test_search_without_diacritics_finds_the_procedure(client, catalog):
    html = client.get(reverse("portal:procedures"), {"q": "dang ky khai sinh"}).content.decode()
    assert names_in(html) == ["Đăng ký khai sinh"]
    html = client.get(reverse("portal:procedures"), {"q": "ĐĂNG KÝ"}).content.decode()
    assert set(names_in(html)) == {
        "Đăng ký khai sinh",
        "Đăng ký kết hôn",
        "Đăng ký biến động quyền sử dụng đất",
    }


def test_filters_by_field_level_and_online_level(client, catalog):
    url = reverse("portal:procedures")
    field = catalog["land"].field
    assert names_in(client.get(url, {"field": field.pk}).content.decode()) == [
        "Đăng ký biến động quyền sử dụng đất"
    ]
    assert names_in(client.get(url, {"level": "district"}).content.decode()) == [
        "Đăng ký biến động quyền sử dụng đất"
    ]
    assert names_in(client.get(url, {"online": "full"}).content.decode()) == ["Đăng ký khai sinh"]
    assert names_in(client.get(url, {"q": "dang ky", "online": "partial"}).content.decode()) == [
        "Đăng ký kết hôn"
    ]


def test_catalog_pages_on_the_code(client, db):
    for i in range(25):
        make_procedure(f"1.{900000 + i:06d}", name=f"Thủ tục phân trang {i:02d}")
    url = reverse("portal:procedures")
    first = client.get(url, {"q": "phan trang"})
    assert len(names_in(first.content.decode())) == 20
    nxt = first.context["next_cursor"]
    assert nxt == "1.900019"
    second = client.get(url, {"q": "phan trang", "sau": nxt})
    assert names_in(second.content.decode()) == [
        f"Thủ tục phân trang {i:02d}" for i in range(20, 25)
    ]
    assert second.context["next_cursor"] is None


def test_procedure_page_shows_fees_in_vnd_time_papers_and_online_badge(client, catalog):
    html = client.get(reverse("portal:procedure", args=["1.001193"])).content.decode()
    assert "Đăng ký khai sinh" in html
    amounts = re.findall(r'data-testid="fee-amount">([^<]+)<', html)
    assert amounts == ["8.000 đồng", "1.250.000 đồng"]
    assert re.search(r'data-testid="processing-time">1 ngày làm việc', html)
    assert "Tờ khai đăng ký khai sinh" in html and "Giấy chứng sinh" in html
    assert 'data-testid="online-badge" data-level="full"' in html
    assert "DVCTT toàn trình" in html
    assert "Nhận trực tuyến" in html  # fully online: the result can be returned online
    assert "bộ phận một cửa" in html.lower()


def test_offline_procedure_has_no_online_button_and_no_fee(client, catalog):
    html = client.get(reverse("portal:procedure", args=["1.004227"])).content.decode()
    assert 'data-level="offline"' in html
    assert 'data-testid="submit-online"' not in html
    assert 'data-testid="no-fee"' in html
    assert "Nhận trực tuyến" not in html


def test_online_button_links_the_online_submission_of_the_version(client, catalog):
    html = client.get(reverse("portal:procedure", args=["1.001193"])).content.decode()
    url = reverse("portal:online_start", args=[catalog["birth"].pk])
    assert f'href="{url}" data-testid="submit-online"' in html
    partial = client.get(reverse("portal:procedure", args=["1.000894"])).content.decode()
    assert 'data-testid="submit-online"' in partial and 'data-level="partial"' in partial


def test_unknown_or_inactive_procedure_is_404(client, catalog):
    assert client.get(reverse("portal:procedure", args=["1.999999"])).status_code == 404
    proc = catalog["marriage"].procedure
    proc.is_active = False
    proc.save(update_fields=["is_active"])
    assert client.get(reverse("portal:procedure", args=[proc.national_code])).status_code == 404


def test_form_template_can_be_downloaded_without_login(client, catalog):
    p = RequiredPaper.objects.get(version=catalog["birth"], name="Tờ khai đăng ký khai sinh")
    p.template.save("to-khai.docx", ContentFile(b"PK\x03\x04 form"), save=False)
    p.template_name = "Tờ khai đăng ký khai sinh"
    p.save()
    html = client.get(reverse("portal:procedure", args=["1.001193"])).content.decode()
    link = reverse("portal:paper_template", args=[p.pk])
    assert link in html
    resp = client.get(link)
    assert resp.status_code == 200 and b"".join(resp.streaming_content).startswith(b"PK")
    assert "attachment" in resp["Content-Disposition"]


def test_statistics_equal_the_fact_tables(client, world, receive):
    on_time = receive()
    to_result_ready(world, on_time)
    returned(world, receive())
    receive()  # still in progress
    url = reverse("portal:stats")
    resp = client.get(url, {"agency": world.commune.pk, "year": "2026", "subtree": "on"})
    assert resp.status_code == 200
    march = resp.context["months"][2]
    facts = DossierDailyStat.objects.filter(agency=world.commune, day__year=2026, day__month=3)
    received = sum(f.received_counter + f.received_online + f.received_post for f in facts)
    assert received == march.received == 3
    assert sum(f.resolved_early + f.resolved_on_time for f in facts) == march.on_time == 2
    assert sum(f.resolved_late for f in facts) == march.resolved_late == 0
    html = resp.content.decode()
    assert re.search(r'data-month="03"><th[^>]*>03/2026</th><td class="egov-num">3</td>', html)
    assert 'data-testid="total-received">3<' in html
    chart = resp.context["chart"]
    assert chart["datasets"][2]["data"][2] == 3 and chart["datasets"][0]["data"][2] == 2
    assert 'id="portal-stats-chart-data"' in html and "chart.umd.min.js" in html
    # another agency has nothing
    other = client.get(url, {"agency": world.other.pk, "year": "2026"})
    assert other.context["totals"].received == 0


def test_statistics_never_count_the_dossier_table(client, world, receive):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    receive()
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("portal:stats"), {"year": "2026"})
    assert not [q["sql"] for q in ctx.captured_queries if 'FROM "dossiers_dossier"' in q["sql"]]


def test_english_is_available(client, catalog):
    client.post(reverse("set_language"), {"language": "en", "next": "/dich-vu-cong/"})
    html = client.get(reverse("portal:home")).content.decode()
    assert '<html lang="en">' in html
