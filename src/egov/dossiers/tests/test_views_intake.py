"""Counter intake through the officer's pages: search, the form, receive and refuse, errors on
the right fields, scans checked, no double dossier on a double submit."""

from __future__ import annotations

import io
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter

from egov.accounts.tests.factories import MembershipFactory
from egov.core import calendar
from egov.dossiers.models import Dossier, DossierFile, State
from egov.organizations.models import Agency
from egov.organizations.tests.factories import AgencyFactory

from .conftest import vn

pytestmark = pytest.mark.django_db

NOW = vn(2026, 3, 2, 9, 0)  # a Monday


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_upload(name="to-khai.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def form_url(version) -> str:
    return f"/dossiers/intake/{version.procedure_id}/"


def open_form(client, version, unit=None) -> tuple[str, str]:
    url = form_url(version) + (f"?unit={unit.pk}" if unit else "")
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    return html, token


def payload(world, version_obj, token, **overrides) -> dict:
    data = {
        "token": token,
        "version": version_obj.pk,
        "unit": world.commune_desk.pk,
        "applicant_kind": "person",
        "applicant_name": "Nguyễn Thị Ánh Tuyết",
        "applicant_id_number": "025090000123",
        "applicant_tax_code": "",
        "applicant_phone": "0912 345 678",
        "applicant_email": "tuyet@example.vn",
        "applicant_address": "Thôn Đồng, xã Đỗ Thử",
        "subject": "",
        "papers": ["1", "2"],
        "return_method": "counter",
        "action": "receive",
    }
    data.update(overrides)
    return data


@pytest.fixture
def desk(client, world):
    client.force_login(world.desk)
    return client


def stored_files(settings) -> list:
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@time_machine.travel(NOW, tick=False)
def test_search_is_diacritics_insensitive_and_limited_to_the_commune_level(desk, world):
    page = desk.get("/dossiers/intake/?q=thu+tuc+thu").content.decode()
    assert "1.000001" in page  # "Thủ tục thử 1.000001", a commune procedure
    assert "1.000002" not in page  # a district procedure
    assert "Bộ phận một cửa xã Đỗ Thử" in page
    partial = desk.get("/dossiers/intake/?q=khong+co+thu+tuc+nay", HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    assert "Không tìm thấy thủ tục phù hợp" in partial.content.decode()
    assert "<html" not in partial.content.decode()


def test_only_one_stop_officers_receive(client, world):
    client.force_login(world.specialist)
    assert client.get("/dossiers/intake/").status_code == 403
    assert client.get(form_url(world.commune_version)).status_code == 403


def test_officer_of_two_units_chooses_where_to_receive(client, world):
    MembershipFactory(user=world.desk, agency=world.district_desk, role="onestop")
    client.force_login(world.desk)
    page = client.get("/dossiers/intake/").content.decode()
    assert "chọn nơi tiếp nhận" in page and "1.000001" not in page
    page = client.get(f"/dossiers/intake/?unit={world.district_desk.pk}").content.decode()
    assert "1.000002" in page and "1.000001" not in page
    # the form without a chosen unit goes back to step 1
    assert client.get(form_url(world.commune_version)).status_code == 302
    # a commune procedure at the district desk: not in its catalog
    resp = client.get(form_url(world.commune_version) + f"?unit={world.district_desk.pk}")
    assert resp.status_code == 404


@time_machine.travel(NOW, tick=False)
def test_happy_path_code_pin_due_scans_and_form_01(desk, world, settings):
    html, token = open_form(desk, world.commune_version)
    assert "Tờ khai theo mẫu" in html and "Bắt buộc" in html and "Nếu có" in html
    resp = desk.post(
        form_url(world.commune_version),
        payload(
            world,
            world.commune_version,
            token,
            scan_1=[pdf_upload("tờ khai.pdf"), pdf_upload("trang 2.pdf")],
            scan_2=pdf_upload("cccd.pdf"),
        ),
    )
    dossier = Dossier.objects.get()
    assert resp.status_code == 302 and resp.url == f"/dossiers/{dossier.pk}/"
    assert dossier.code == "002.00.25.H99-260302-0001"
    assert re.fullmatch(r"\d{6}", dossier.pin)
    assert dossier.state == State.RECEIVED and dossier.intake_agency == world.commune_desk
    assert dossier.received_at == NOW
    assert dossier.due_at == calendar.add_duration(NOW, 3, "days")
    assert dossier.applicant_phone == "0912345678"
    scans = DossierFile.objects.filter(dossier=dossier).select_related("paper")
    assert sorted((f.paper.order, f.original_name) for f in scans) == [
        (1, "trang 2.pdf"),
        (1, "tờ khai.pdf"),
        (2, "cccd.pdf"),
    ]
    page = desk.get(resp.url).content.decode()
    assert dossier.code in page and dossier.pin in page
    assert "In giấy tiếp nhận (Mẫu 01)" in page
    assert f"/dossiers/{dossier.pk}/forms/01.pdf" in page
    assert "Đã tiếp nhận hồ sơ 002.00.25.H99-260302-0001, mã tra cứu" in page
    # the receipt panel shows once; the PIN is not on the page afterwards
    assert dossier.pin not in desk.get(resp.url).content.decode().split("Hồ sơ một cửa", 1)[1]


@time_machine.travel(NOW, tick=False)
def test_organisation_with_tax_code(desk, world):
    _html, token = open_form(desk, world.commune_version)
    data = payload(
        world,
        world.commune_version,
        token,
        applicant_kind="organisation",
        applicant_name="Công ty TNHH Chè Đỗ Sơn",
        applicant_id_number="",
        applicant_tax_code="2600123456",
        return_method="post",
    )
    assert desk.post(form_url(world.commune_version), data).status_code == 302
    d = Dossier.objects.get()
    assert (d.applicant_kind, d.applicant_tax_code, d.return_method) == (
        "organisation",
        "2600123456",
        "post",
    )


@time_machine.travel(NOW, tick=False)
def test_missing_required_paper_is_shown_and_nothing_is_kept(desk, world, settings):
    _html, token = open_form(desk, world.commune_version)
    resp = desk.post(
        form_url(world.commune_version),
        payload(world, world.commune_version, token, papers=["1"], scan_1=pdf_upload()),
    )
    assert resp.status_code == 400
    page = resp.content.decode()
    assert "Hồ sơ chưa đủ thành phần bắt buộc: Giấy tờ tùy thân." in page
    assert 'id="id_papers-error"' in page
    assert 'value="Nguyễn Thị Ánh Tuyết"' in page  # what was typed stays
    assert not Dossier.objects.exists()
    assert stored_files(settings) == []  # the scan stored before the check was removed


@time_machine.travel(NOW, tick=False)
def test_bad_citizen_id_is_shown_on_its_field(desk, world):
    _html, token = open_form(desk, world.commune_version)
    resp = desk.post(
        form_url(world.commune_version),
        payload(world, world.commune_version, token, applicant_id_number="02509000012"),
    )
    page = resp.content.decode()
    assert resp.status_code == 400 and not Dossier.objects.exists()
    error = re.search(r'id="id_applicant_id_number-error">([^<]+)<', page).group(1)
    assert error == "Số định danh cá nhân (CCCD) phải gồm đúng 12 chữ số."
    assert 'aria-invalid="true"' in page
    # bad phone and e-mail too, each on its own field
    resp = desk.post(
        form_url(world.commune_version),
        payload(world, world.commune_version, token, applicant_phone="12345", applicant_email="a@"),
    )
    page = resp.content.decode()
    assert 'id="id_applicant_phone-error"' in page and 'id="id_applicant_email-error"' in page


@time_machine.travel(NOW, tick=False)
def test_non_pdf_scan_is_refused_and_the_draft_kept(desk, world, settings):
    _html, token = open_form(desk, world.commune_version)
    fake = SimpleUploadedFile("giay-to.pdf", b"PK\x03\x04 not a pdf at all", "application/pdf")
    resp = desk.post(
        form_url(world.commune_version),
        payload(
            world,
            world.commune_version,
            token,
            applicant_address="Khu 3, xã Đỗ Thử",
            scan_1=pdf_upload(),
            scan_2=fake,
        ),
    )
    page = resp.content.decode()
    assert resp.status_code == 400
    assert "giay-to.pdf: Loại tệp không được chấp nhận" in page
    assert 'id="id_scan_2-error"' in page
    assert 'value="Khu 3, xã Đỗ Thử"' in page and 'value="025090000123"' in page
    assert re.search(r'value="2"[^>]*checked', page)  # the ticked papers stay ticked
    assert not Dossier.objects.exists() and stored_files(settings) == []
    # fixed and sent again with the same token: received once
    resp = desk.post(
        form_url(world.commune_version),
        payload(world, world.commune_version, token, scan_2=pdf_upload("cccd.pdf")),
    )
    assert resp.status_code == 302 and Dossier.objects.count() == 1


@time_machine.travel(NOW, tick=False)
def test_double_submit_creates_one_dossier(desk, world):
    _html, token = open_form(desk, world.commune_version)
    data = payload(world, world.commune_version, token)
    first = desk.post(form_url(world.commune_version), data)
    second = desk.post(form_url(world.commune_version), data)
    assert Dossier.objects.count() == 1
    assert first.status_code == second.status_code == 302 and first.url == second.url
    page = desk.get(second.url).content.decode()
    assert "biểu mẫu được gửi hai lần" in page
    # a new form (new token) is a new dossier
    _html, token2 = open_form(desk, world.commune_version)
    assert token2 != token
    desk.post(form_url(world.commune_version), payload(world, world.commune_version, token2))
    assert Dossier.objects.count() == 2
    assert Dossier.objects.order_by("id").last().code.endswith("-0002")


@time_machine.travel(NOW, tick=False)
def test_refuse_at_the_counter_links_form_03(desk, world):
    _html, token = open_form(desk, world.commune_version)
    data = payload(world, world.commune_version, token, papers=[], action="refuse")
    resp = desk.post(form_url(world.commune_version), data)
    assert resp.status_code == 400  # a refusal needs its reason
    assert "Nêu rõ lý do từ chối tiếp nhận." in resp.content.decode()
    data["refuse_reason"] = "Không thuộc thẩm quyền giải quyết của xã"
    resp = desk.post(form_url(world.commune_version), data)
    d = Dossier.objects.get()
    assert d.state == State.REFUSED and d.code is None
    assert d.closing_reason == "Không thuộc thẩm quyền giải quyết của xã"
    page = desk.get(resp.url).content.decode()
    assert "In phiếu từ chối (Mẫu 03)" in page and f"/dossiers/{d.pk}/forms/03.pdf" in page


@time_machine.travel(NOW, tick=False)
def test_tampered_unit_or_version(desk, world):
    other_desk = AgencyFactory(kind=Agency.Kind.ONESTOP, parent=world.other)
    _html, token = open_form(desk, world.commune_version)
    resp = desk.post(
        form_url(world.commune_version),
        payload(world, world.commune_version, token, unit=other_desk.pk),
    )
    assert resp.status_code == 302 and resp.url == "/dossiers/intake/"
    resp = desk.post(
        form_url(world.commune_version),
        payload(world, world.commune_version, token, version=999999),
    )
    assert resp.status_code == 409 and "phiên bản mới" in resp.content.decode()
    assert not Dossier.objects.exists()
