"""Online submission: the draft, the schema form, uploads, idempotent submission, and the
one-stop officer's acceptance, refusal and the online supplement."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter

from egov.accounts.models import User
from egov.accounts.tests.factories import UserFactory
from egov.core import calendar
from egov.core.models import AuditEvent
from egov.dossiers import online, services
from egov.dossiers.models import (
    Channel,
    Dossier,
    DossierDailyStat,
    DossierFile,
    OnlineDraft,
    ReturnMethod,
    State,
)

from .conftest import vn

SCHEMA = {
    "type": "object",
    "properties": {
        "ho_ten_tre": {"type": "string", "title": "Họ, chữ đệm, tên trẻ", "maxLength": 20},
        "ngay_sinh": {"type": "string", "format": "date", "title": "Ngày sinh"},
        "gioi_tinh": {
            "type": "string",
            "title": "Giới tính",
            "enum": ["nam", "nu"],
            "enumNames": ["Nam", "Nữ"],
        },
        "so_con": {"type": "integer", "title": "Là con thứ", "minimum": 1, "maximum": 20},
        "ma_bhxh": {
            "type": "string",
            "title": "Mã số BHXH",
            "pattern": "^[0-9]{10}$",
            "x-message": "Mã số BHXH gồm đúng 10 chữ số.",
        },
        "cam_ket": {"type": "boolean", "title": "Tôi cam đoan nội dung khai là đúng sự thật"},
    },
    "required": ["ho_ten_tre", "ngay_sinh", "gioi_tinh", "cam_ket"],
}

GOOD = {
    "ho_ten_tre": "Nguyễn Minh An",
    "ngay_sinh": "2026-02-20",
    "gioi_tinh": "nam",
    "so_con": "1",
    "ma_bhxh": "",
    "cam_ket": "on",
}


def make_pdf(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def pdf_upload(name="giay-to.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, make_pdf(), content_type="application/pdf")


@pytest.fixture
def citizen(db):
    return UserFactory(
        username="dan.an",
        full_name="Trần Văn Dân",
        kind=User.Kind.CITIZEN,
        citizen_id="025090000777",
        phone="0912345670",
        address="Thôn Đồng, xã Đỗ Thử",
    )


@pytest.fixture
def version(world):
    v = world.commune_version
    v.form_schema = SCHEMA
    v.save(update_fields=["form_schema"])
    return v


@pytest.fixture
def draft(world, citizen, version):
    return online.start_draft(citizen, version, world.commune)


@pytest.fixture
def ready(draft, citizen):
    online.save_draft(draft, by=citizen, data=GOOD)
    online.add_file(draft, 1, pdf_upload("to-khai.pdf"), by=citizen)
    online.add_file(draft, 2, pdf_upload("cccd.pdf"), by=citizen)
    draft.refresh_from_db()
    return draft


def submitted(ready, citizen, at=None):
    with services.simulated_clock(at or vn(2026, 3, 2, 8, 30)):
        return online.submit(ready, by=citizen, token=ready.token)


# --- the schema form -------------------------------------------------------------------------


def test_fields_follow_the_schema_order_with_labels():
    specs = online.fields_of(SCHEMA)
    assert [s.name for s in specs] == list(SCHEMA["properties"])
    assert [s.widget for s in specs] == ["text", "date", "select", "number", "text", "checkbox"]
    assert specs[2].choices == [("nam", "Nam"), ("nu", "Nữ")]
    assert all(s.label for s in specs)


def test_valid_data_is_typed():
    cleaned, errors = online.validate_data(SCHEMA, {**GOOD, "ngay_sinh": "20/02/2026"})
    assert errors == {}
    assert cleaned == {
        "ho_ten_tre": "Nguyễn Minh An",
        "ngay_sinh": "2026-02-20",
        "gioi_tinh": "nam",
        "so_con": 1,
        "cam_ket": True,
    }


def test_every_rule_has_a_vietnamese_message_naming_the_field():
    _, errors = online.validate_data(
        SCHEMA,
        {
            "ho_ten_tre": "x" * 21,
            "ngay_sinh": "31/02/2026",
            "gioi_tinh": "khac",
            "so_con": "1,5",
            "ma_bhxh": "12ab",
        },
    )
    assert errors["ho_ten_tre"] == [
        "“Họ, chữ đệm, tên trẻ” dài tối đa 20 ký tự (đang có 21 ký tự)."
    ]
    assert errors["ngay_sinh"] == ["“Ngày sinh” phải là một ngày hợp lệ (ngày/tháng/năm)."]
    assert errors["gioi_tinh"] == ["“Giới tính”: vui lòng chọn một giá trị trong danh sách."]
    assert errors["so_con"] == ["“Là con thứ” phải là số nguyên."]
    assert errors["ma_bhxh"] == ["Mã số BHXH gồm đúng 10 chữ số."]
    assert errors["cam_ket"] == [
        "Vui lòng đánh dấu xác nhận “Tôi cam đoan nội dung khai là đúng sự thật”."
    ]
    _, errors = online.validate_data(SCHEMA, {"so_con": "0"})
    assert errors["ho_ten_tre"] == ["Vui lòng nhập “Họ, chữ đệm, tên trẻ”."]
    assert errors["gioi_tinh"] == ["Vui lòng chọn “Giới tính”."]
    assert errors["so_con"] == ["“Là con thứ” không được nhỏ hơn 1."]


def test_a_procedure_without_a_schema_asks_for_the_request():
    specs = online.fields_of(online.schema_of(type("V", (), {"form_schema": {}})()))
    assert [s.name for s in specs] == ["noi_dung"] and specs[0].required


# --- the draft -------------------------------------------------------------------------------


def test_start_resumes_the_same_draft_prefilled_from_the_profile(world, citizen, version, draft):
    assert draft.intake_agency == world.commune_desk
    assert draft.applicant["name"] == "Trần Văn Dân"
    assert draft.applicant["id_number"] == "025090000777"
    assert online.start_draft(citizen, version, world.commune).pk == draft.pk


def test_only_online_procedures_and_citizens(world, citizen, version):
    with pytest.raises(ValidationError) as exc:
        online.start_draft(world.desk, version, world.commune)
    assert exc.value.code == "forbidden"
    version.online_level = "2"
    version.save(update_fields=["online_level"])
    with pytest.raises(ValidationError) as exc:
        online.start_draft(citizen, version, world.commune)
    assert exc.value.code == "not_online"


def test_a_district_procedure_is_not_submitted_to_a_commune(world, citizen):
    with pytest.raises(ValidationError):
        online.start_draft(citizen, world.district_version, world.commune)


def test_the_draft_keeps_invalid_input_and_other_citizens_cannot_touch_it(draft, citizen):
    online.save_draft(draft, by=citizen, data={"ho_ten_tre": "x" * 30, "khong_co": "bỏ"})
    draft.refresh_from_db()
    assert draft.data == {"ho_ten_tre": "x" * 30}
    other = UserFactory(kind=User.Kind.CITIZEN)
    with pytest.raises(ValidationError):
        online.save_draft(draft, by=other, data=GOOD)


@pytest.mark.parametrize(
    "content,code",
    [
        (b"PK\x03\x04 not a pdf at all", "file_type_not_allowed"),
        (b"%PDF-1.7\n1 0 obj<<>>endobj\n", "pdf_malformed"),
        (b"", "file_empty"),
    ],
)
def test_a_refused_upload_keeps_the_draft(draft, citizen, content, code):
    online.save_draft(draft, by=citizen, data=GOOD)
    online.add_file(draft, 1, pdf_upload(), by=citizen)
    with pytest.raises(ValidationError) as exc:
        online.add_file(draft, 2, SimpleUploadedFile("x.pdf", content), by=citizen)
    assert exc.value.code == code
    draft.refresh_from_db()
    assert draft.data == GOOD
    assert list(draft.files) == ["1"]


def test_a_too_large_upload_is_refused(draft, citizen, settings):
    settings.EGOV_MAX_UPLOAD_MB = 0
    with pytest.raises(ValidationError) as exc:
        online.add_file(draft, 1, pdf_upload(), by=citizen)
    assert exc.value.code == "file_too_large"
    draft.refresh_from_db()
    assert draft.files == {}


def test_remove_file(ready, citizen):
    name = ready.files["1"][0]["name"]
    online.remove_file(ready, 1, name, by=citizen)
    ready.refresh_from_db()
    assert "1" not in ready.files


def test_check_draft_lists_what_is_missing(draft, citizen):
    online.save_draft(
        draft, by=citizen, applicant={"name": "", "id_number": "123"}, return_method="post"
    )
    draft.refresh_from_db()
    _, _, errors = online.check_draft(draft)
    assert errors["applicant_name"] == ["Nhập họ tên người nộp hoặc tên tổ chức."]
    assert errors["applicant_id_number"] == ["Số định danh cá nhân (CCCD) phải gồm đúng 12 chữ số."]
    assert errors["paper_1"] == ["Vui lòng tải lên bản điện tử của “Tờ khai theo mẫu”."]
    assert "paper_3" not in errors  # optional paper
    assert "postal_address" in errors
    assert "ho_ten_tre" in errors


# --- submission ------------------------------------------------------------------------------


def test_submit_creates_a_dossier_waiting_for_intake(world, citizen, ready):
    dossier = submitted(ready, citizen)
    assert dossier.state == State.WAITING_INTAKE
    assert dossier.channel == Channel.ONLINE
    assert dossier.code is None and dossier.due_at is None and dossier.pin == ""
    assert dossier.citizen == citizen
    assert dossier.intake_agency == world.commune_desk and dossier.agency == world.commune
    assert dossier.applicant_id_number == "025090000777"
    papers = {p.order: p for p in dossier.papers.all()}
    assert papers[1].received and papers[2].received and not papers[3].received
    files = list(dossier.files.all())
    assert [(f.paper.order, f.original_name, f.purpose) for f in files] == [
        (1, "to-khai.pdf", DossierFile.Purpose.SCAN),
        (2, "cccd.pdf", DossierFile.Purpose.SCAN),
    ]
    ready.refresh_from_db()
    assert ready.dossier == dossier and ready.data["so_con"] == 1
    event = AuditEvent.objects.get(action="dossier.submitted_online")
    assert event.data["files"] == 2
    # not counted as received before the officer accepts it
    assert not DossierDailyStat.objects.filter(received_online__gt=0).exists()


def test_submit_twice_gives_one_dossier(citizen, ready):
    first = submitted(ready, citizen)
    again = submitted(OnlineDraft.objects.get(pk=ready.pk), citizen)
    assert again.pk == first.pk
    assert Dossier.objects.count() == 1
    with pytest.raises(ValidationError):
        online.save_draft(ready, by=citizen, data=GOOD)


def test_submit_with_a_stale_token_is_refused(citizen, ready):
    with pytest.raises(ValidationError) as exc:
        online.submit(ready, by=citizen, token="00000000-0000-0000-0000-000000000000")
    assert exc.value.code == "bad_token"


def test_submit_refuses_an_incomplete_draft_and_keeps_it(citizen, draft):
    online.save_draft(draft, by=citizen, data={**GOOD, "ngay_sinh": "hôm qua"})
    with pytest.raises(ValidationError) as exc:
        online.submit(draft, by=citizen, token=draft.token)
    assert "ngay_sinh" in exc.value.message_dict and "paper_1" in exc.value.message_dict
    draft.refresh_from_db()
    assert draft.data["ngay_sinh"] == "hôm qua" and draft.dossier is None
    assert Dossier.objects.count() == 0


def test_unique_submission_token(citizen, ready):
    from django.db import IntegrityError, transaction

    dossier = submitted(ready, citizen)
    clone = Dossier.objects.get(pk=dossier.pk)
    clone.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save()


# --- the officer -----------------------------------------------------------------------------


def test_accept_gives_code_pin_and_due_date_per_calendar(world, citizen, ready):
    dossier = submitted(ready, citizen)
    at = vn(2026, 3, 2, 9, 0)
    with services.simulated_clock(at):
        dossier = online.accept_online(dossier, by=world.desk, expected_version=dossier.version)
    assert dossier.state == State.RECEIVED
    assert dossier.code == f"{world.commune.code}-260302-0001"
    assert len(dossier.pin) == 6
    version = ready.procedure_version
    assert dossier.received_at == at
    assert dossier.due_at == calendar.add_duration(
        at, version.processing_time, version.time_unit, version.cutoff_time
    )
    steps = list(dossier.steps.order_by("order"))
    assert steps[0].state == "active" and steps[0].assignee == world.desk
    stat = DossierDailyStat.objects.get(agency=world.commune)
    assert stat.received_online == 1
    received = AuditEvent.objects.filter(action="dossier.received").get()
    assert received.data["code"] == dossier.code and received.data["channel"] == "online"


def test_counter_and_online_codes_share_the_sequence(world, citizen, ready, receive):
    receive(at=vn(2026, 3, 2, 8, 0))
    dossier = submitted(ready, citizen)
    with services.simulated_clock(vn(2026, 3, 2, 9, 0)):
        dossier = online.accept_online(dossier, by=world.desk)
    assert dossier.code.endswith("-260302-0002")


def test_accept_after_cutoff_counts_from_the_next_working_day(world, citizen, ready):
    version = ready.procedure_version
    version.cutoff_time = vn(2026, 1, 1, 15, 0).timetz().replace(tzinfo=None)
    version.save(update_fields=["cutoff_time"])
    dossier = submitted(ready, citizen)
    with services.simulated_clock(vn(2026, 3, 6, 16, 0)):  # a Friday after the cut-off
        dossier = online.accept_online(dossier, by=world.desk)
    assert dossier.counted_from.astimezone(vn(2026, 1, 1).tzinfo).date().isoformat() == (
        "2026-03-09"
    )


def test_only_the_receiving_onestop_unit_accepts(world, citizen, ready):
    dossier = submitted(ready, citizen)
    for user in (world.outsider, world.specialist, citizen):
        with pytest.raises(ValidationError) as exc:
            online.accept_online(dossier, by=user)
        assert exc.value.code == "forbidden"


def test_stale_version_conflicts(world, citizen, ready):
    dossier = submitted(ready, citizen)
    online.choose_return_method(dossier, ReturnMethod.COUNTER, by=citizen)
    with pytest.raises(services.ConflictError):
        online.accept_online(dossier, by=world.desk, expected_version=dossier.version)


def test_refuse_with_a_reason(world, citizen, ready):
    dossier = submitted(ready, citizen)
    with pytest.raises(ValidationError) as exc:
        online.refuse_online(dossier, "  ", by=world.desk)
    assert "reason" in exc.value.message_dict
    dossier = online.refuse_online(dossier, "Ảnh giấy chứng sinh bị mờ", by=world.desk)
    assert dossier.state == State.REFUSED and dossier.code is None
    assert dossier.closing_reason == "Ảnh giấy chứng sinh bị mờ"
    assert AuditEvent.objects.filter(action="dossier.refused").exists()
    assert DossierDailyStat.objects.get(agency=world.commune).refused == 1
    with pytest.raises(services.TransitionError):
        online.accept_online(dossier, by=world.desk)


def test_supplement_online_resumes_the_clock(world, citizen, ready):
    dossier = submitted(ready, citizen)
    with services.simulated_clock(vn(2026, 3, 2, 9, 0)):
        dossier = online.accept_online(dossier, by=world.desk)
    due = dossier.due_at
    with services.simulated_clock(vn(2026, 3, 2, 10, 0)):
        services.request_supplement(dossier, "Bổ sung giấy chứng sinh rõ nét", by=world.desk)
    stored = online.store_upload(pdf_upload("chung-sinh.pdf"), folder="dossiers/online")
    with pytest.raises(ValidationError):
        online.supplement_online(dossier, [stored], by=UserFactory(kind=User.Kind.CITIZEN))
    with pytest.raises(ValidationError) as exc:
        online.supplement_online(dossier, [], by=citizen)
    assert "files" in exc.value.message_dict
    with services.simulated_clock(vn(2026, 3, 3, 10, 0)):  # one working day later
        dossier = online.supplement_online(dossier, [stored], "Đã chụp lại", by=citizen)
    assert dossier.state == State.RECEIVED and dossier.paused_at is None
    assert dossier.due_at == calendar.add_working_hours(
        due, calendar.working_time_between(vn(2026, 3, 2, 10, 0), vn(2026, 3, 3, 10, 0))
    )
    assert dossier.due_at > due
    assert dossier.files.filter(purpose=DossierFile.Purpose.SUPPLEMENT).count() == 1
    event = AuditEvent.objects.filter(action="dossier.supplement_received").get()
    assert event.actor_id == citizen.pk


def test_choose_return_method(world, citizen, ready):
    dossier = submitted(ready, citizen)
    with pytest.raises(ValidationError) as exc:
        online.choose_return_method(dossier, ReturnMethod.POST, "Xã", by=citizen)
    assert "postal_address" in exc.value.message_dict
    dossier = online.choose_return_method(
        dossier, ReturnMethod.POST, "Số 5, thôn Đồng, xã Đỗ Thử, tỉnh Thử", by=citizen
    )
    assert dossier.return_method == "post"
    assert dossier.postal_address == "Số 5, thôn Đồng, xã Đỗ Thử, tỉnh Thử"
    dossier = online.choose_return_method(dossier, ReturnMethod.ONLINE, by=citizen)
    assert dossier.postal_address == ""
    with pytest.raises(ValidationError):
        online.choose_return_method(dossier, ReturnMethod.COUNTER, by=world.outsider)
    with pytest.raises(ValidationError):
        online.choose_return_method(dossier, "bay", by=citizen)
    assert AuditEvent.objects.filter(action="dossier.return_method_changed").count() == 2


def test_submit_with_postal_return_keeps_the_address(citizen, draft):
    online.save_draft(
        draft,
        by=citizen,
        data=GOOD,
        return_method="post",
        postal_address="Số 5, thôn Đồng, xã Đỗ Thử",
    )
    online.add_file(draft, 1, pdf_upload(), by=citizen)
    online.add_file(draft, 2, pdf_upload(), by=citizen)
    draft.refresh_from_db()
    dossier = online.submit(draft, by=citizen, token=draft.token)
    assert dossier.return_method == "post" and dossier.postal_address.startswith("Số 5")


def test_waiting_intake_lists_the_units_dossiers(world, citizen, ready):
    dossier = submitted(ready, citizen)
    assert list(online.waiting_intake([world.commune_desk])) == [dossier]
    assert list(online.waiting_intake([world.district_desk])) == []


def test_demo_online_forms_are_in_the_supported_subset(world):
    from egov.demo.presets import procedures_catalog

    assert set(procedures_catalog.ONLINE_FORMS) >= {"1.001193"}
    for schema in procedures_catalog.ONLINE_FORMS.values():
        specs = online.fields_of(schema)
        assert specs and all(s.label != s.name for s in specs)
        assert set(schema["required"]) <= {s.name for s in specs}
    version = world.commune_version
    version.procedure.national_code = "1.001193"
    version.procedure.save(update_fields=["national_code"])
    assert procedures_catalog.load_online_forms() == 1
    version.refresh_from_db()
    assert online.schema_of(version)["properties"]["ho_ten"]["title"].startswith("Họ")
