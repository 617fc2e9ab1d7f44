"""Catalog pages: list (search, filters, cursor pages), detail (version in force, papers, fees,
steps and their shares), and the administrators' editor and activation, through the real URLs."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from egov.accounts.models import Role
from egov.accounts.tests.factories import MembershipFactory, UserFactory
from egov.core.models import AuditEvent
from egov.procedures import services
from egov.procedures.models import Procedure, ProcedureVersion, RequiredPaper
from egov.procedures.tests.factories import fee, make_procedure, paper, step

pytestmark = pytest.mark.django_db

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"
    b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \n"
    b"0000000101 00000 n \ntrailer<</Size 4/Root 1 0 R>>\nstartxref\n166\n%%EOF\n"
)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=True):
        yield


@pytest.fixture
def officer(client):
    user = MembershipFactory(role=Role.SPECIALIST).user
    client.force_login(user)
    return user


@pytest.fixture
def admin(client):
    user = MembershipFactory(role=Role.ADMIN).user
    client.force_login(user)
    return user


@pytest.fixture
def khai_sinh():
    return make_procedure(
        "1.001193",
        name="Đăng ký khai sinh",
        field=("HT", "Hộ tịch"),
        processing_time=1,
        cutoff_time=dt.time(15, 0),
        online_level="partial",
        papers=[
            paper("Tờ khai đăng ký khai sinh", template_name="Tờ khai khai sinh"),
            paper("Giấy chứng sinh", "original"),
            paper("Giấy tờ tùy thân", "copy", required=False),
        ],
        fees=[fee("Lệ phí đăng ký khai sinh", 0, note="Miễn khi đúng hạn")],
        steps=[
            step("Tiếp nhận hồ sơ", "onestop", "onestop", "0.1"),
            step("Công chức Tư pháp - Hộ tịch xử lý", "department", "specialist", "0.5"),
            step("Chủ tịch UBND xã ký", "government", "leader", "0.3"),
            step("Trả kết quả", "onestop", "onestop", "0.1"),
        ],
    )


@pytest.fixture
def building():
    return make_procedure(
        "1.009994",
        name="Cấp giấy phép xây dựng nhà ở riêng lẻ",
        level="district",
        field=("XD", "Hoạt động xây dựng"),
        processing_time=15,
        online_level="2",
        fees=[fee("Lệ phí cấp giấy phép xây dựng", 1000000)],
        steps=[
            step("Tiếp nhận hồ sơ", "onestop", "onestop", "0.5"),
            step("Thẩm định hồ sơ", "department", "specialist", "12", "KTHT"),
            step("Phê duyệt, ký", "government", "leader", "1"),
            step("Trả kết quả", "onestop", "onestop", "0.5"),
        ],
    )


def page(client, url, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- list ------------------------------------------------------------------------------------


def test_catalog_needs_login(client):
    response = client.get("/procedures/")
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_catalog_lists_with_badges_and_time(client, officer, khai_sinh, building):
    html = page(client, "/procedures/")
    assert "Đăng ký khai sinh" in html and "Cấp giấy phép xây dựng nhà ở riêng lẻ" in html
    assert "1.001193" in html and "Hộ tịch" in html and "Cấp xã" in html
    assert "Một phần" in html and "Mức 2" in html
    assert "1 ngày làm việc" in html and "15 ngày làm việc" in html and "nhận trước 15:00" in html
    assert "2 thủ tục" in html


@pytest.mark.parametrize(
    "query", ["khai sinh", "KHAI SINH", "Khai Sinh", "đăng ký khai", "1.001193"]
)
def test_search_is_diacritics_insensitive(client, officer, khai_sinh, building, query):
    html = page(client, "/procedures/", q=query)
    assert "Đăng ký khai sinh" in html and "giấy phép xây dựng" not in html


def test_search_on_field_name(client, officer, khai_sinh, building):
    html = page(client, "/procedures/", q="hoat dong xay dung")
    assert "giấy phép xây dựng" in html and "Đăng ký khai sinh" not in html


def test_filters_level_field_online(client, officer, khai_sinh, building):
    html = page(client, "/procedures/", level="district")
    assert "giấy phép xây dựng" in html and "Đăng ký khai sinh" not in html
    field = khai_sinh.field
    html = page(client, "/procedures/", field=field.pk)
    assert "Đăng ký khai sinh" in html and "giấy phép xây dựng" not in html
    html = page(client, "/procedures/", online_level="partial")
    assert "Đăng ký khai sinh" in html and "giấy phép xây dựng" not in html
    # A bad filter value is ignored, not a 500.
    assert "thủ tục" in page(client, "/procedures/", level="hamlet", field="abc")


def test_pages_by_national_code_cursor(client, officer):
    for i in range(60):
        make_procedure(f"1.70{i:04d}", name=f"Thủ tục số {i}")
    first = page(client, "/procedures/")
    assert "60 thủ tục" in first
    rows = re.findall(r'data-code="([0-9.]+)"', first)
    assert rows[0] == "1.700000" and rows[-1] == "1.700049" and len(rows) == 50
    cursor = re.search(r"after=([0-9.]+)", first).group(1)
    assert cursor == "1.700049"
    second = page(client, "/procedures/", after=cursor)
    assert re.findall(r'data-code="([0-9.]+)"', second) == [f"1.7000{i}" for i in range(50, 60)]
    assert "Trang sau" not in second  # last page
    assert "Trang đầu" in second


def test_inactive_hidden_unless_asked(client, admin, khai_sinh, building):
    services.set_active(khai_sinh.procedure, False)
    assert "Đăng ký khai sinh" not in page(client, "/procedures/")
    html = page(client, "/procedures/", inactive="on")
    assert "Đăng ký khai sinh" in html and "ngừng áp dụng" in html


# --- detail ----------------------------------------------------------------------------------


def test_detail_shows_papers_fees_steps_and_shares(client, officer, building):
    html = page(client, f"/procedures/{building.procedure_id}/")
    assert "Cấp giấy phép xây dựng nhà ở riêng lẻ" in html
    assert "1.000.000 đ" in html
    assert "Tờ khai theo mẫu" in html and "Bản sao" in html
    assert "15 ngày làm việc" in html
    assert "Thẩm định hồ sơ" in html and "KTHT" in html and "Lãnh đạo" in html
    # 12 of 15 days = 80 % of the bar; 0.5 of 15 = 3 %
    assert "egov-w-80" in html and "egov-w-3" in html and "80%" in html
    assert 'data-testid="share-bar"' in html


def test_detail_bar_shows_unassigned_time(client, officer):
    version = make_procedure(
        processing_time=10,
        steps=[
            step("Tiếp nhận", "onestop", "onestop", 1),
            step("Xử lý", "department", "specialist", 5),
        ],
    )
    html = page(client, f"/procedures/{version.procedure_id}/")
    assert "egov-w-10" in html and "egov-w-50" in html and "egov-w-40" in html
    assert "dự phòng" in html


def test_detail_version_in_force_and_list(client, officer):
    old = make_procedure("1.004859", name="Cấp bản sao trích lục hộ tịch", fees=[fee("Phí", 8000)])
    new = make_procedure(
        "1.004859",
        name="Cấp bản sao trích lục hộ tịch",
        fees=[fee("Phí", 4000)],
        effective_from=dt.date(2025, 7, 1),
    )
    future = make_procedure(
        "1.004859",
        name="Cấp bản sao trích lục hộ tịch",
        fees=[fee("Phí", 5000)],
        effective_from=dt.date(2027, 1, 1),
    )
    html = page(client, f"/procedures/{old.procedure_id}/")
    assert "4.000 đ" in html and "8.000 đ" not in html
    assert "Từ 01/01/2020 – 30/06/2025" in html and "Hết hiệu lực" in html
    assert "Đang áp dụng" in html and "Sắp có hiệu lực" in html
    html = page(client, f"/procedures/{old.procedure_id}/", version=old.pk)
    assert "8.000 đ" in html and "không phải phiên bản đang áp dụng" in html
    html = page(client, f"/procedures/{old.procedure_id}/", version=future.pk)
    assert "5.000 đ" in html
    assert new.pk != old.pk


def test_detail_template_download(client, officer, khai_sinh):
    stored = services  # noqa: F841 - the file is set directly on the row for the test
    paper_row = khai_sinh.papers.get(order=1)
    paper_row.template.save("to-khai.pdf", SimpleUploadedFile("to-khai.pdf", PDF))
    html = page(client, f"/procedures/{khai_sinh.procedure_id}/")
    url = f"/procedures/papers/{paper_row.pk}/template/"
    assert url in html
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]
    other = khai_sinh.papers.get(order=2)
    assert client.get(f"/procedures/papers/{other.pk}/template/").status_code == 404


def test_detail_unknown_is_404(client, officer):
    assert client.get("/procedures/999999/").status_code == 404


# --- editing ---------------------------------------------------------------------------------


def management(prefix: str, total: int, initial: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def version_post(**overrides) -> dict:
    data = {
        "national_code": "1.000894",
        "effective_from": "01/01/2021",
        "name": "Đăng ký kết hôn",
        "field": "",
        "new_field_code": "HT",
        "new_field_name": "Hộ tịch",
        "level": "commune",
        "online_level": "partial",
        "processing_time": "1",
        "time_unit": "days",
        "cutoff_time": "15:00",
        "legal_basis": "Luật Hộ tịch 2014",
        "result_type": "Giấy chứng nhận kết hôn",
        "applicant_kinds": "Công dân Việt Nam",
        "note": "",
        **management("papers", 3),
        "papers-0-name": "Tờ khai đăng ký kết hôn",
        "papers-0-kind": "original",
        "papers-0-count": "1",
        "papers-0-required": "on",
        "papers-0-template_name": "Tờ khai đăng ký kết hôn",
        "papers-1-name": "Giấy xác nhận tình trạng hôn nhân",
        "papers-1-kind": "original",
        "papers-1-count": "1",
        "papers-2-name": "",
        "papers-2-kind": "original",
        "papers-2-count": "1",
        "papers-2-required": "on",
        **management("fees", 1),
        "fees-0-name": "Lệ phí đăng ký kết hôn",
        "fees-0-kind": "charge",
        "fees-0-amount": "1.000.000",
        "fees-0-note": "",
        **management("steps", 4),
        "steps-0-name": "Tiếp nhận hồ sơ",
        "steps-0-unit": "onestop",
        "steps-0-role": "onestop",
        "steps-0-duration": "0,1",
        "steps-1-name": "Công chức Tư pháp - Hộ tịch xử lý",
        "steps-1-unit": "department",
        "steps-1-department_abbreviation": "",
        "steps-1-role": "specialist",
        "steps-1-duration": "0,5",
        "steps-2-name": "Chủ tịch UBND xã ký",
        "steps-2-unit": "government",
        "steps-2-role": "leader",
        "steps-2-duration": "0,3",
        "steps-3-name": "Trả kết quả",
        "steps-3-unit": "onestop",
        "steps-3-role": "onestop",
        "steps-3-duration": "0.1",
    }
    data.update(overrides)
    return data


def test_editor_is_for_administrators(client, officer, khai_sinh):
    pk = khai_sinh.procedure_id
    for url in (
        "/procedures/new/",
        f"/procedures/{pk}/versions/new/",
        f"/procedures/{pk}/versions/{khai_sinh.pk}/edit/",
        "/procedures/import/",
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/procedures/{pk}/active/", {"active": "0"}).status_code == 403
    assert "Thêm thủ tục" not in page(client, "/procedures/")
    assert "Sửa phiên bản này" not in page(client, f"/procedures/{pk}/")


def test_admin_creates_a_procedure_through_the_ui(client, admin):
    assert "Thêm thủ tục" in page(client, "/procedures/")
    form = page(client, "/procedures/new/")
    assert "Tiếp nhận hồ sơ" in form  # the typical steps are offered
    response = client.post("/procedures/new/", version_post())
    assert response.status_code == 302, response.content.decode()[:3000]
    procedure = Procedure.objects.get(national_code="1.000894")
    version = procedure.versions.get()
    assert version.name == "Đăng ký kết hôn" and version.cutoff_time == dt.time(15, 0)
    assert version.processing_time == Decimal("1")
    assert [s.duration for s in version.steps.all()] == [
        Decimal("0.1"),
        Decimal("0.5"),
        Decimal("0.3"),
        Decimal("0.1"),
    ]
    assert [(p.name, p.required) for p in version.papers.all()] == [
        ("Tờ khai đăng ký kết hôn", True),
        ("Giấy xác nhận tình trạng hôn nhân", False),
    ]
    assert version.fees.get().amount == 1_000_000
    assert procedure.field.code == "HT" and procedure.online_level == "partial"
    assert AuditEvent.objects.filter(action="procedure.version_saved", actor_id=admin.pk).exists()
    html = page(client, response.url)
    assert "Đã lưu phiên bản" in html and "1.000.000 đ" in html


def test_create_with_steps_over_time_is_refused_with_a_message(client, admin):
    response = client.post("/procedures/new/", version_post(**{"steps-1-duration": "3"}))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tổng thời gian các bước (3,5) vượt thời hạn giải quyết (1)" in html
    assert not Procedure.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"national_code": "1001193"}, "Mã thủ tục quốc gia có dạng 1.001234"),
        ({"processing_time": "ba ngày"}, "Nhập một số, ví dụ 15 hoặc 0,5"),
        ({"effective_from": "31/02/2021"}, "ngày hợp lệ"),
        ({"field": "", "new_field_code": ""}, "Chọn một lĩnh vực"),
        ({"fees-0-amount": "một trăm"}, "Nhập số tiền bằng số, ví dụ 100.000"),
        ({"steps-0-role": "boss"}, "“boss” không có trong danh sách"),
        ({"papers-0-count": "hai"}, "Nhập một số nguyên"),
        (
            {f"steps-{i}-name": "" for i in range(4)},
            "Quy trình nội bộ phải có ít nhất một bước",
        ),
    ],
)
def test_create_bad_input_gives_vietnamese_errors(client, admin, overrides, message):
    response = client.post("/procedures/new/", version_post(**overrides))
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html, html[html.find("alert") : html.find("alert") + 600]
    assert not Procedure.objects.exists()


def test_create_duplicate_code_points_to_new_version(client, admin, khai_sinh):
    response = client.post("/procedures/new/", version_post(national_code="1.001193"))
    assert response.status_code == 200
    assert "đã có trong danh mục" in response.content.decode()
    assert khai_sinh.procedure.versions.count() == 1


def test_new_version_prefilled_and_saved(client, admin, khai_sinh):
    pk = khai_sinh.procedure_id
    form = page(client, f"/procedures/{pk}/versions/new/")
    assert "Tờ khai đăng ký khai sinh" in form and "Công chức Tư pháp - Hộ tịch xử lý" in form
    data = version_post(
        effective_from="01/07/2025",
        name="Đăng ký khai sinh",
        field=str(khai_sinh.field_id),
        new_field_code="",
        new_field_name="",
        **{"fees-0-name": "Lệ phí đăng ký khai sinh", "fees-0-amount": "0"},
    )
    data.pop("national_code")
    response = client.post(f"/procedures/{pk}/versions/new/", data)
    assert response.status_code == 302
    versions = list(khai_sinh.procedure.versions.order_by("effective_from"))
    assert [v.effective_from for v in versions] == [dt.date(2020, 1, 1), dt.date(2025, 7, 1)]
    assert versions[0].effective_to == dt.date(2025, 6, 30)
    # Same start date again: refused with a message, nothing replaced.
    response = client.post(f"/procedures/{pk}/versions/new/", data)
    assert response.status_code == 200
    assert "Đã có phiên bản hiệu lực từ ngày 01/07/2025" in response.content.decode()


def test_edit_version_keeps_date_and_template(client, admin, khai_sinh):
    pk = khai_sinh.procedure_id
    first = khai_sinh.papers.get(order=1)
    first.template.save("to-khai.pdf", SimpleUploadedFile("to-khai.pdf", PDF))
    form = page(client, f"/procedures/{pk}/versions/{khai_sinh.pk}/edit/")
    kept = re.search(r'name="papers-0-keep_template" value="([^"]+)"', form).group(1)
    data = version_post(
        effective_from="05/05/2024",  # ignored: the date of an existing version is fixed
        name="Đăng ký khai sinh (sửa)",
        field=str(khai_sinh.field_id),
        **{"papers-0-keep_template": kept},
    )
    data.pop("national_code")
    response = client.post(f"/procedures/{pk}/versions/{khai_sinh.pk}/edit/", data)
    assert response.status_code == 302
    version = ProcedureVersion.objects.get(procedure_id=pk)
    assert version.effective_from == dt.date(2020, 1, 1) and version.name.endswith("(sửa)")
    assert version.papers.get(order=1).template.name == kept


def test_edit_version_refuses_forged_template_path(client, admin, khai_sinh):
    pk = khai_sinh.procedure_id
    data = version_post(field=str(khai_sinh.field_id), **{"papers-0-keep_template": "../../x"})
    data.pop("national_code")
    assert client.post(f"/procedures/{pk}/versions/{khai_sinh.pk}/edit/", data).status_code == 302
    assert not RequiredPaper.objects.filter(template="../../x").exists()


def test_edit_upload_template_must_be_a_document(client, admin, khai_sinh):
    pk = khai_sinh.procedure_id
    data = version_post(field=str(khai_sinh.field_id))
    data.pop("national_code")
    data["papers-0-template"] = SimpleUploadedFile("mau.pdf", b"MZ\x90\x00 not a pdf")
    response = client.post(f"/procedures/{pk}/versions/{khai_sinh.pk}/edit/", data)
    assert (
        response.status_code == 200 and "Loại tệp không được chấp nhận" in response.content.decode()
    )
    data["papers-0-template"] = SimpleUploadedFile("mau.pdf", PDF)
    assert client.post(f"/procedures/{pk}/versions/{khai_sinh.pk}/edit/", data).status_code == 302
    template = ProcedureVersion.objects.get(pk=khai_sinh.pk).papers.get(order=1).template
    assert template.name.startswith("procedures/templates/") and template.name.endswith(".pdf")


def test_edit_version_in_use_gives_a_message(client, admin, khai_sinh, monkeypatch):
    monkeypatch.setattr(services, "_version_in_use", lambda version: True)
    data = version_post(field=str(khai_sinh.field_id))
    data.pop("national_code")
    pk = khai_sinh.procedure_id
    response = client.post(f"/procedures/{pk}/versions/{khai_sinh.pk}/edit/", data)
    assert response.status_code == 200
    assert "đã có hồ sơ sử dụng" in response.content.decode()


def test_activate_and_deactivate(client, admin, khai_sinh):
    pk = khai_sinh.procedure_id
    response = client.post(f"/procedures/{pk}/active/", {"active": "0"})
    assert response.status_code == 302
    assert not Procedure.objects.get(pk=pk).is_active
    html = page(client, f"/procedures/{pk}/")
    assert "Đã ngừng áp dụng" in html and "Áp dụng lại" in html
    client.post(f"/procedures/{pk}/active/", {"active": "1"})
    assert Procedure.objects.get(pk=pk).is_active
    assert AuditEvent.objects.filter(action="procedure.deactivated").count() == 1
    assert AuditEvent.objects.filter(action="procedure.activated").count() == 1
    assert client.get(f"/procedures/{pk}/active/").status_code == 405


def test_superuser_is_an_administrator(client, khai_sinh):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert client.get("/procedures/new/").status_code == 200


@pytest.mark.parametrize(
    ("parts", "total", "expected"),
    [
        (["0.5", "13", "1", "0.5"], "15", [3, 87, 7, 3]),
        (["0.1", "0.5", "0.3", "0.1"], "1", [10, 50, 30, 10]),
        (["1", "1", "1"], "3", [33, 34, 33]),
        (["0.01", "9.99"], "10", [1, 99]),
        (["1", "5", "4"], "10", [10, 50, 40]),
        ([], "5", []),
    ],
)
def test_whole_percents_add_up(parts, total, expected):
    from egov.procedures.views import whole_percents

    widths = whole_percents([Decimal(p) for p in parts], Decimal(total))
    assert sorted(widths) == sorted(expected) and (not parts or sum(widths) == 100)
