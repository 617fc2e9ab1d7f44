"""Excel/CSV import and export of the catalog: the round trip, bad files, per-row errors with
row/column/message, good rows kept, the background job and its progress page."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from egov.accounts.models import Role
from egov.accounts.tests.factories import MembershipFactory
from egov.core.models import AuditEvent, Job
from egov.demo.presets import procedures_catalog
from egov.procedures import importexport, services
from egov.procedures.importexport import (
    ALL_COLUMNS,
    COLUMNS,
    check_catalog_upload,
    import_rows,
    iter_csv,
    read_table,
    write_xlsx,
)
from egov.procedures.models import (
    Fee,
    Field,
    ImportJob,
    Procedure,
    ProcedureVersion,
    ProcessStep,
    RequiredPaper,
)
from egov.procedures.tasks import run_import
from egov.procedures.tests.factories import fee, make_procedure, paper, step

pytestmark = pytest.mark.django_db

HEADER = [str(c.label) for c in ALL_COLUMNS]


def snapshot() -> dict:
    """Everything the catalog says, keyed by national code (no database ids)."""
    out = {}
    procedures = Procedure.objects.select_related("field").prefetch_related(
        "versions__field", "versions__papers", "versions__fees", "versions__steps"
    )
    for procedure in procedures.order_by("national_code"):
        versions = [
            {
                **{name: getattr(v, name) for name in services.VERSION_FIELDS},
                "field": (v.field.code, v.field.name),
                "effective_from": v.effective_from,
                "effective_to": v.effective_to,
                "papers": [
                    (p.order, p.name, p.kind, p.count, p.required, p.template_name)
                    for p in v.papers.all()
                ],
                "fees": sorted((f.name, f.kind, f.amount, f.note) for f in v.fees.all()),
                "steps": [
                    (s.order, s.name, s.unit, s.department_abbreviation, s.role, s.duration)
                    for s in v.steps.all()
                ],
            }
            for v in sorted(procedure.versions.all(), key=lambda v: v.effective_from)
        ]
        out[procedure.national_code] = {
            "name": procedure.name,
            "level": procedure.level,
            "online_level": procedure.online_level,
            "field": procedure.field.code,
            "search_text": procedure.search_text,
            "versions": versions,
        }
    return out


def empty_catalog() -> None:
    for model in (RequiredPaper, Fee, ProcessStep, ProcedureVersion, Procedure, Field):
        model.objects.all().delete()


def csv_bytes() -> bytes:
    return "".join(iter_csv()).encode("utf-8")


def xlsx_bytes() -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer)
    return buffer.getvalue()


def import_file(data: bytes, kind: str, by=None):
    _mapping, rows = read_table(io.BytesIO(data), kind)
    return import_rows(rows, by=by)


def csv_file(rows: list[list], header=HEADER, delimiter=",") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode()


def good_row(**changes) -> list:
    values = {
        "national_code": "1.001193",
        "name": "Đăng ký khai sinh",
        "field_code": "HT",
        "field_name": "Hộ tịch",
        "level": "Cấp xã",
        "online_level": "Một phần",
        "processing_time": "1",
        "time_unit": "ngày làm việc",
        "cutoff_time": "15:00",
        "effective_from": "01/01/2020",
        "legal_basis": "Luật Hộ tịch 2014",
        "result_type": "Giấy khai sinh",
        "papers": "Tờ khai đăng ký khai sinh | bản chính | 1\nGiấy chứng sinh | bản chính | 1",
        "fees": "Lệ phí đăng ký khai sinh | lệ phí | 0",
        "steps": "Tiếp nhận | onestop | | onestop | 0,1\n"
        "Xử lý | department | | specialist | 0,5\n"
        "Ký | government | | leader | 0,3\n"
        "Trả kết quả | onestop | | onestop | 0,1",
        "applicant_kinds": "Công dân Việt Nam",
        "note": "",
    }
    values.update(changes)
    return [values[c.key] for c in ALL_COLUMNS]


@pytest.fixture
def varied_catalog():
    """Procedures with every kind of detail the format must carry."""
    make_procedure(
        "1.001193",
        name="Đăng ký khai sinh",
        field=("HT", "Hộ tịch"),
        processing_time=1,
        cutoff_time=dt.time(15, 0),
        papers=[
            paper("Tờ khai đăng ký khai sinh", template_name="Tờ khai khai sinh"),
            paper("Giấy tờ tùy thân", "copy", required=False),
            paper("Bản sao chứng thực hộ khẩu", "certified_copy", 2),
            paper("Giấy chứng sinh", "original_or_copy", 1, required=False, template_name="GCS"),
        ],
        fees=[fee("Lệ phí", 0, note="Miễn khi đúng hạn")],
        legal_basis="Luật Hộ tịch 2014;\nNghị định 123/2015/NĐ-CP",
        applicant_kinds="Công dân Việt Nam, người nước ngoài",
        note="Ghi chú | có dấu gạch",
    )
    make_procedure(
        "1.001193",
        name="Đăng ký khai sinh",
        field=("HT", "Hộ tịch"),
        processing_time=1,
        fees=[fee("Lệ phí", 5000), fee("Phí tra cứu", 1_000_000, "fee")],
        effective_from=dt.date(2025, 7, 1),
    )
    make_procedure(
        "1.003583",
        name="Chứng thực bản sao từ bản chính",
        field=("CT", "Chứng thực"),
        processing_time=8,
        time_unit="hours",
        online_level="2",
        steps=[
            step("Tiếp nhận", "onestop", "onestop", 1),
            step("Chứng thực", "department", "specialist", "4.25"),
            step("Ký", "government", "leader", 2),
        ],
        papers=[],
        fees=[],
    )
    make_procedure(
        "2.000720",
        name="Đăng ký thành lập hộ kinh doanh",
        level="district",
        field=("HKD", "Thành lập và hoạt động của hộ kinh doanh"),
        online_level="full",
        processing_time=3,
        department_abbreviation="TCKH",
    )
    make_procedure(
        "1.001731",
        name="Hỗ trợ chi phí mai táng",
        field=("BTXH", "Bảo trợ xã hội"),
        processing_time=8,
        steps=[
            step("Tiếp nhận", "onestop", "onestop", "0.5"),
            step("Xác minh", "department", "specialist", 2),
            step("Huyện quyết định (liên thông)", "higher", "specialist", "4.5"),
        ],
    )


# --- round trip ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_round_trip_into_an_empty_database(varied_catalog, kind):
    before = snapshot()
    data = csv_bytes() if kind == "csv" else xlsx_bytes()
    empty_catalog()
    result = import_file(data, kind)
    assert result.errors == [] and result.saved == 5 and result.total == 5
    assert snapshot() == before


def test_round_trip_of_the_demo_catalog():
    procedures_catalog.load()
    before = snapshot()
    data = csv_bytes()
    empty_catalog()
    result = import_file(data, "csv")
    assert result.errors == []
    assert result.saved == ProcedureVersion.objects.count() == 434
    assert snapshot() == before


def test_export_only_active_procedures_and_csv_has_bom(varied_catalog):
    services.set_active(Procedure.objects.get(national_code="1.003583"), False)
    data = csv_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == HEADER
    assert [r[0] for r in rows[1:]] == ["1.001193", "1.001193", "1.001731", "2.000720"]
    khai_sinh = rows[1]
    assert khai_sinh[4] == "Cấp xã" and khai_sinh[5] == "Một phần" and khai_sinh[8] == "15:00"
    assert khai_sinh[9] == "01/01/2020"
    assert "Giấy tờ tùy thân | bản sao | 1 |  | không bắt buộc" in khai_sinh[12]
    assert rows[2][13] == "Lệ phí | lệ phí | 5.000\nPhí tra cứu | phí | 1.000.000"
    assert "Phê duyệt, ký kết quả | government |  | leader | 0,2" in khai_sinh[14]


def test_xlsx_export_is_a_real_workbook(varied_catalog):
    workbook = load_workbook(io.BytesIO(xlsx_bytes()))
    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADER and len(rows) == 6
    assert rows[1][9] == dt.datetime(2020, 1, 1)  # a date cell shown dd/mm/yyyy
    assert sheet.cell(row=2, column=10).number_format == "DD/MM/YYYY"


def test_export_pages(client, varied_catalog):
    client.force_login(MembershipFactory(role=Role.CLERK).user)
    response = client.get("/procedures/export.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf") and "Đăng ký khai sinh".encode() in body
    response = client.get("/procedures/export.xlsx")
    assert response.status_code == 200 and ".xlsx" in response["Content-Disposition"]
    load_workbook(io.BytesIO(b"".join(response.streaming_content)))


# --- reading what people type ---------------------------------------------------------------


def test_lenient_spelling_strict_meaning():
    data = csv_file(
        [
            good_row(
                level="xa",
                online_level="3",
                processing_time="1.0",
                time_unit="NGAY",
                cutoff_time="15h",
                effective_from="2020-01-01",
                fees="Lệ phí | LE PHI | miễn\nPhí | phi | 100.000 đ",
                steps="Tiếp nhận | một cửa | | cán bộ một cửa | 0.5\n"
                "Xử lý | Phòng chuyên môn | TP | chuyên viên | 0,5",
            )
        ],
        header=[h.upper() for h in HEADER[:12]] + ["thanh phan ho so", "phi, le phi"]
        + HEADER[14:],
    )  # fmt: skip
    result = import_file(data, "csv")
    assert result.errors == []
    v = ProcedureVersion.objects.get()
    assert (v.level, v.online_level, v.time_unit) == ("commune", "partial", "days")
    assert v.cutoff_time == dt.time(15, 0) and v.effective_from == dt.date(2020, 1, 1)
    assert [(f.kind, f.amount) for f in v.fees.order_by("amount")] == [
        ("charge", 0),
        ("fee", 100000),
    ]
    assert [(s.unit, s.department_abbreviation, s.role) for s in v.steps.all()] == [
        ("onestop", "", "onestop"),
        ("department", "TP", "specialist"),
    ]


def test_semicolon_csv_and_excel_number_code():
    data = csv_file([good_row()], delimiter=";")
    assert import_file(data, "csv").saved == 1
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    row = good_row(national_code=1.00065, processing_time=1, effective_from=dt.datetime(2020, 1, 1))
    sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = import_file(buffer.getvalue(), "xlsx")
    assert result.errors == [] and Procedure.objects.filter(national_code="1.000650").exists()


# --- per-row errors --------------------------------------------------------------------------


def errors_of(*rows) -> list[tuple[int, str, str]]:
    result = import_file(csv_file(list(rows)), "csv")
    return [(e.row, e.column, e.message) for e in result.errors]


def test_bad_level():
    [(row, column, message)] = errors_of(good_row(level="cấp thôn"))
    assert (row, column) == (2, "Cấp thực hiện")
    assert "“cấp thôn” không hợp lệ" in message and "Cấp huyện" in message


def test_bad_number():
    [(row, column, message)] = errors_of(good_row(processing_time="ba ngày"))
    assert (row, column) == (2, "Thời hạn giải quyết")
    assert "“ba ngày” không phải là số" in message


def test_bad_step_duration_and_amount_point_at_the_line():
    errors = errors_of(
        good_row(
            steps="Tiếp nhận | onestop | | onestop | 0,1\nXử lý | department | | specialist | nửa",
            fees="Lệ phí | lệ phí | một trăm",
        )
    )
    assert [(r, c) for r, c, _ in errors] == [(2, "Phí, lệ phí"), (2, "Quy trình nội bộ")]
    assert "dòng 1 trong ô" in errors[0][2] and "một trăm" in errors[0][2]
    assert "dòng 2 trong ô" in errors[1][2] and "“nửa” không phải là số" in errors[1][2]


def test_steps_exceeding_time():
    steps = "Tiếp nhận | onestop | | onestop | 0,5\nXử lý | department | | specialist | 2"
    [(row, column, message)] = errors_of(good_row(steps=steps))
    assert (row, column) == (2, "Quy trình nội bộ")
    assert message == "Tổng thời gian các bước (2,5) vượt thời hạn giải quyết (1)."


def test_every_bad_cell_of_a_row_is_reported():
    errors = errors_of(
        good_row(
            national_code="1001193",
            name="",
            level="",
            online_level="5",
            effective_from="32/13/2020",
            cutoff_time="25:00",
            papers="Tờ khai | bản photo | 1",
            steps="",
        )
    )
    columns = [c for _r, c, _m in errors]
    assert columns == [
        "Mã thủ tục",
        "Tên thủ tục",
        "Cấp thực hiện",
        "Mức độ DVC",
        "Giờ chốt nhận (HH:MM)",
        "Hiệu lực từ (dd/mm/yyyy)",
        "Thành phần hồ sơ",
        "Quy trình nội bộ",
    ]
    assert not Procedure.objects.exists()


def test_new_field_needs_a_name():
    [(row, column, message)] = errors_of(good_row(field_code="MOI", field_name=""))
    assert (row, column, message) == (2, "Tên lĩnh vực", "Lĩnh vực mới: cần nhập tên lĩnh vực.")


def test_duplicate_rows_and_good_rows_kept():
    rows = [
        good_row(),
        good_row(national_code="1.000894", name="Đăng ký kết hôn"),
        good_row(name="Đăng ký khai sinh (trùng)"),
        good_row(national_code="1.000656", name="Đăng ký khai tử", level="xóm"),
        good_row(national_code="1.001193", effective_from="01/07/2025"),
    ]
    result = import_file(csv_file(rows), "csv")
    assert result.saved == 3 and result.total == 5
    assert [(e.row, e.column) for e in result.errors] == [(4, ""), (5, "Cấp thực hiện")]
    assert "Trùng với dòng 2" in result.errors[0].message
    assert set(Procedure.objects.values_list("national_code", flat=True)) == {
        "1.001193",
        "1.000894",
    }
    assert (
        ProcedureVersion.objects.get(
            procedure__national_code="1.001193", effective_from=dt.date(2020, 1, 1)
        ).name
        == "Đăng ký khai sinh"
    )
    assert ProcedureVersion.objects.filter(procedure__national_code="1.001193").count() == 2


def test_reimport_updates_unused_version_in_place():
    import_file(csv_file([good_row()]), "csv")
    result = import_file(csv_file([good_row(name="Đăng ký khai sinh (sửa)")]), "csv")
    assert result.errors == [] and ProcedureVersion.objects.get().name.endswith("(sửa)")


def test_version_in_use_is_a_row_error(monkeypatch):
    import_file(csv_file([good_row()]), "csv")
    monkeypatch.setattr(services, "_version_in_use", lambda version: True)
    [(row, column, message)] = errors_of(good_row(name="Khác"))
    assert row == 2 and column == "" and "đã có hồ sơ sử dụng" in message


# --- bad files -------------------------------------------------------------------------------


def upload(data: bytes, name: str = "danh-muc.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def check_message(data: bytes, name: str = "danh-muc.xlsx") -> str:
    with pytest.raises(ValidationError) as excinfo:
        check_catalog_upload(upload(data, name))
    return " ".join(excinfo.value.messages)


def test_not_xlsx_is_refused_by_content():
    assert "nội dung tệp là PDF" in check_message(b"%PDF-1.4\n%%EOF\n", "danh-muc.xlsx")
    assert "Excel 97–2003 (.xls)" in check_message(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600
    )
    assert "UTF-8" in check_message("Mã;Tên".encode("cp1252"), "danh-muc.csv")
    assert "rỗng" in check_message(b"", "danh-muc.csv")
    word = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(word, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    assert "Word (DOCX)" in check_message(word.getvalue())


def test_wrong_header_is_refused_at_upload():
    message = check_message(csv_file([good_row()], header=["Mã", "Tên"] + HEADER[2:]), "a.csv")
    assert "thiếu cột “Mã thủ tục”, “Tên thủ tục”" in message
    workbook = Workbook()
    workbook.active.append(["Họ và tên", "Ngày sinh"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert "Dòng đầu tiên không đúng mẫu" in check_message(buffer.getvalue())
    duplicated = HEADER + ["Mã thủ tục"]
    assert "xuất hiện hai lần" in check_message(csv_file([], header=duplicated), "a.csv")


def test_good_files_pass_the_upload_check(varied_catalog):
    assert check_catalog_upload(upload(xlsx_bytes())).kind == "xlsx"
    checked = check_catalog_upload(upload(csv_bytes(), "x.csv"))
    assert checked.kind == "csv" and checked.original_name == "x.csv"


def test_header_only_and_broken_xlsx_fail_the_job():
    with pytest.raises(importexport.FileError, match="không có thủ tục nào"):
        read_table(io.BytesIO(csv_file([])), "csv")
    with pytest.raises(importexport.FileError, match="Không đọc được tệp Excel"):
        read_table(io.BytesIO(b"PK\x03\x04 broken"), "xlsx")


# --- the job and its pages -------------------------------------------------------------------


@pytest.fixture
def admin_client(client):
    user = MembershipFactory(role=Role.ADMIN).user
    client.force_login(user)
    client.user = user
    return client


def test_upload_runs_a_job_with_progress_and_error_report(
    admin_client, django_capture_on_commit_callbacks
):
    rows = [good_row(), good_row(national_code="1.000894", name="Kết hôn", processing_time="x")]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = admin_client.post(
            "/procedures/import/", {"file": upload(csv_file(rows), "danh mục.csv")}
        )
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert response.url == f"/procedures/import/{job.pk}/"
    assert (job.state, job.file_kind, job.original_name) == ("queued", "csv", "danh mục.csv")
    assert len(callbacks) == 1  # dispatch after commit
    assert Job.objects.get().task_path == "egov.procedures.tasks.run_import"
    page = admin_client.get(response.url).content.decode()
    assert 'hx-trigger="every 1s"' in page and "egov-w-0" in page

    run_import(job.pk)
    job.refresh_from_db()
    assert (job.state, job.total_rows, job.processed_rows, job.saved_rows) == ("done", 2, 2, 1)
    assert job.errors == [
        {
            "row": 3,
            "column": "Thời hạn giải quyết",
            "message": "Thời hạn giải quyết: “x” không phải là số (ví dụ 15 hoặc 0,5).",
        }
    ]
    assert job.percent == 100 and job.finished_at is not None
    partial = admin_client.get(f"/procedures/import/{job.pk}/progress/").content.decode()
    assert "hx-trigger" not in partial  # polling stops
    assert "egov-w-100" in partial and "Đã xử lý 2 dòng: lưu 1, lỗi 1." in partial
    assert "“x” không phải là số" in partial
    report = admin_client.get(f"/procedures/import/{job.pk}/errors.csv")
    text = report.content.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text))) == [
        ["Dòng", "Cột", "Lỗi"],
        ["3", "Thời hạn giải quyết", job.errors[0]["message"]],
    ]
    assert Procedure.objects.get().national_code == "1.001193"
    assert ProcedureVersion.objects.get().procedure.national_code == "1.001193"
    actor = admin_client.user
    assert AuditEvent.objects.filter(action="procedure.import_finished", actor_id=actor.pk).exists()
    assert AuditEvent.objects.filter(action="procedure.version_saved", actor_id=actor.pk).exists()
    run_import(job.pk)  # a finished job is not run twice
    assert ProcedureVersion.objects.count() == 1


def test_upload_xlsx_through_the_page(admin_client, varied_catalog):
    data = xlsx_bytes()
    empty_catalog()
    response = admin_client.post("/procedures/import/", {"file": upload(data)})
    job = ImportJob.objects.get()
    assert job.file_kind == "xlsx" and job.file.name.endswith(".xlsx")
    run_import(job.pk)
    job.refresh_from_db()
    assert (job.state, job.saved_rows, job.errors) == ("done", 5, [])
    assert response.status_code == 302 and Procedure.objects.count() == 4


def test_bad_upload_stays_on_the_page_with_a_message(admin_client):
    response = admin_client.post("/procedures/import/", {"file": upload(b"%PDF-1.4\n")})
    assert response.status_code == 200
    assert "chỉ nhận Excel (.xlsx) hoặc CSV (UTF-8)" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_job_resumes_after_the_last_processed_row():
    rows = [good_row(), good_row(national_code="1.000894", name="Kết hôn")]
    job = ImportJob.objects.create(file="x.csv", original_name="x.csv", file_kind="csv")
    from django.core.files.base import ContentFile
    from django.core.files.storage import storages

    job.file.name = storages["default"].save(
        "procedures/imports/x.csv", ContentFile(csv_file(rows))
    )
    job.processed_rows, job.saved_rows = 1, 1
    job.save()
    run_import(job.pk)
    job.refresh_from_db()
    assert (job.state, job.processed_rows, job.saved_rows) == ("done", 2, 2)
    assert list(Procedure.objects.values_list("national_code", flat=True)) == ["1.000894"]


def test_unreadable_file_fails_the_job_with_a_message():
    from django.core.files.base import ContentFile
    from django.core.files.storage import storages

    name = storages["default"].save("procedures/imports/y.csv", ContentFile(b"Ten;Ho\n"))
    job = ImportJob.objects.create(file=name, original_name="y.csv", file_kind="csv")
    run_import(job.pk)
    job.refresh_from_db()
    assert job.state == "failed" and job.errors[0]["row"] == 0
    assert "Dòng đầu tiên không đúng mẫu" in job.report


def test_import_pages_are_for_administrators(client):
    client.force_login(MembershipFactory(role=Role.ONESTOP).user)
    job = ImportJob.objects.create(file="x.csv", original_name="x.csv", file_kind="csv")
    for url in (
        "/procedures/import/",
        f"/procedures/import/{job.pk}/",
        f"/procedures/import/{job.pk}/progress/",
        f"/procedures/import/{job.pk}/errors.csv",
    ):
        assert client.get(url).status_code == 403


def test_required_columns_are_the_documented_ones():
    assert [str(c.label) for c in COLUMNS] == [
        "Mã thủ tục",
        "Tên thủ tục",
        "Mã lĩnh vực",
        "Tên lĩnh vực",
        "Cấp thực hiện",
        "Mức độ DVC",
        "Thời hạn giải quyết",
        "Đơn vị thời hạn",
        "Giờ chốt nhận (HH:MM)",
        "Hiệu lực từ (dd/mm/yyyy)",
        "Căn cứ pháp lý",
        "Kết quả thực hiện",
        "Thành phần hồ sơ",
        "Phí, lệ phí",
        "Quy trình nội bộ",
    ]
    assert Decimal("0.5") == importexport.parse_decimal("0,5", "x")


def test_export_headers_stay_vietnamese_and_english_headers_import(varied_catalog):
    from django.utils import translation

    with translation.override("en"):
        data = csv_bytes()
        english = [str(c.label) for c in ALL_COLUMNS]
    assert data.decode("utf-8-sig").splitlines()[0].startswith("Mã thủ tục,Tên thủ tục")
    # A file whose header row was written in another UI language is still understood.
    assert importexport.map_header(english)  # no FileError
    assert importexport.map_header([c.key for c in ALL_COLUMNS])


def test_management_commands_round_trip(tmp_path, varied_catalog):
    from django.core.management import call_command

    before = snapshot()
    target = tmp_path / "danh-muc.xlsx"
    out = io.StringIO()
    call_command("export_procedures", str(target), stdout=out)
    assert "5 procedure versions" in out.getvalue()
    empty_catalog()
    out = io.StringIO()
    call_command("import_procedures", str(target), stdout=out)
    assert "5 rows: 5 saved, 0 with errors" in out.getvalue()
    assert snapshot() == before
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_file([good_row(level="thôn")]))
    with pytest.raises(SystemExit):
        call_command("import_procedures", str(bad), stdout=io.StringIO())


def test_unexpected_error_on_a_row_is_reported_and_the_rest_saved(monkeypatch):
    real = importexport.save_row

    def flaky(parsed, *, by=None):
        if parsed.national_code == "1.000894":
            raise RuntimeError("boom")
        return real(parsed, by=by)

    monkeypatch.setattr(importexport, "save_row", flaky)
    rows = [good_row(national_code="1.000894"), good_row()]
    result = import_file(csv_file(rows), "csv")
    assert result.saved == 1
    assert [(e.row, e.column) for e in result.errors] == [(2, "")]
    assert "RuntimeError" in result.errors[0].message


def test_missing_stored_file_fails_the_job():
    job = ImportJob.objects.create(
        file="procedures/imports/gone.csv", original_name="gone.csv", file_kind="csv"
    )
    run_import(job.pk)
    job.refresh_from_db()
    assert job.state == "failed" and "Không mở được tệp" in job.report
