"""Incoming documents: registration, số đến, duplicates, urgent flags, direction, processing,
timeline, overdue, bad input and illegal transitions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from egov.core.models import AuditEvent
from egov.documents import selectors, services
from egov.documents.models import (
    Assignment,
    DocumentAlert,
    DocumentFile,
    IncomingDocument,
    InState,
    Urgency,
)

from .conftest import incoming_data, pdf_file, register, vn

pytestmark = pytest.mark.django_db


def test_registration_gives_consecutive_arrival_numbers_shared_by_paper_and_electronic(
    world, pdf_bytes
):
    a = register(world, pdf_bytes, source="upload")
    b = register(world, pdf_bytes, source="scan", number_symbol="15/QĐ-UBND", doc_type="quyet_dinh")
    assert (a.arrival_year, a.arrival_number) == (2026, 1)
    assert (b.arrival_year, b.arrival_number) == (2026, 2)
    assert a.state == InState.REGISTERED
    assert (a.code_number, a.code_notation) == ("1234", "UBND-KGVX")
    assert a.type_name == "Công văn"
    assert a.page_count == 1
    main = a.files.get()
    assert main.role == DocumentFile.Role.MAIN and main.kind == "pdf"
    assert "phe duyet ke hoach" in a.search_text  # the text layer, folded
    assert "ubnd tinh phu tho" in a.search_text
    assert AuditEvent.objects.filter(action="document.incoming.registered").count() == 2
    assert [e.action for e in selectors.timeline(a)] == ["incoming.registered"]


def test_arrival_number_restarts_on_1_january(world, pdf_bytes):
    register(world, pdf_bytes, at=vn(2025, 12, 31, 16, 0), issued_date=dt.date(2025, 12, 30))
    last = register(
        world,
        pdf_bytes,
        at=vn(2025, 12, 31, 16, 30),
        number_symbol="2/TB-UBND",
        doc_type="thong_bao",
        issued_date=dt.date(2025, 12, 30),
    )
    first = register(
        world,
        pdf_bytes,
        at=vn(2026, 1, 1, 0, 5),
        number_symbol="3/TB-UBND",
        doc_type="thong_bao",
        issued_date=dt.date(2025, 12, 31),
    )
    assert (last.arrival_year, last.arrival_number) == (2025, 2)
    assert (first.arrival_year, first.arrival_number) == (2026, 1)


def test_duplicate_warning_until_the_clerk_confirms(world, pdf_bytes):
    first = register(world, pdf_bytes)
    with pytest.raises(services.DuplicateWarning) as exc:
        # same issuer (by code), same number/symbol typed with spaces, same date
        register(
            world, pdf_bytes, number_symbol="1234 / UBND-KGVX", issuer_name="UBND TỈNH PHÚ THỌ"
        )
    assert exc.value.code == "duplicate"
    assert exc.value.existing == first
    assert "đã có trong sổ (số đến 1/2026)" in exc.value.messages[0]
    assert IncomingDocument.objects.count() == 1
    second = register(world, pdf_bytes, confirm_duplicate=True)
    assert second.arrival_number == 2
    # another date is another document
    third = register(world, pdf_bytes, issued_date=dt.date(2026, 3, 1))
    assert third.arrival_number == 3


def test_urgent_documents_are_flagged_to_the_leaders_at_once(world, pdf_bytes):
    register(world, pdf_bytes, urgency=Urgency.NORMAL)
    doc = register(
        world, pdf_bytes, urgency=Urgency.FLASH, number_symbol="99/CĐ-UBND", doc_type="cong_dien"
    )
    alerts = list(DocumentAlert.objects.filter(kind="urgent"))
    assert [(a.user, a.incoming) for a in alerts] == [(world.leader, doc)]
    assert alerts[0].message.startswith("Văn bản HỎA TỐC: 99/CĐ-UBND của UBND tỉnh Phú Thọ")
    assert selectors.unread_alerts(world.leader) == alerts
    services.mark_alert_read(alerts[0], by=world.leader)
    assert selectors.unread_alerts(world.leader) == []


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"issuer_name": "  "}, "issuer_name", "Nhập tên cơ quan ban hành."),
        ({"subject": ""}, "subject", "Nhập trích yếu nội dung."),
        ({"number_symbol": "abc"}, "number_symbol", "không đúng dạng số/ký hiệu"),
        ({"issued_date": dt.date(2026, 3, 4)}, "issued_date", "không thể sau ngày hôm nay"),
        ({"doc_type": "cv"}, "doc_type", "không có trong danh mục"),
        ({"urgency": 7}, "urgency", "Độ khẩn không hợp lệ."),
        ({"secrecy": 9}, "secrecy", "Độ mật không hợp lệ."),
    ],
)
def test_invalid_metadata_changes_nothing(world, pdf_bytes, changes, field, message):
    with pytest.raises(ValidationError) as exc:
        register(world, pdf_bytes, **changes)
    assert message in " ".join(exc.value.message_dict[field])
    assert IncomingDocument.objects.count() == 0
    assert DocumentFile.objects.count() == 0


def test_unsupported_file_changes_nothing(world):
    with services.simulated_clock(vn(2026, 3, 3, 9)), pytest.raises(ValidationError) as exc:
        services.register_incoming(
            world.district,
            incoming_data(),
            source="upload",
            main_file=ContentFile(b"PK\x03\x04 not really a zip", name="x.pdf"),
            by=world.clerk,
        )
    assert exc.value.code in ("file_type_not_allowed", "file_malformed")
    assert IncomingDocument.objects.count() == 0


def test_only_the_clerk_registers(world, pdf_bytes):
    with services.simulated_clock(vn(2026, 3, 3, 9)), pytest.raises(ValidationError) as exc:
        services.register_incoming(
            world.district,
            incoming_data(),
            source="upload",
            main_file=pdf_file(pdf_bytes),
            by=world.vx_spec,
        )
    assert exc.value.code == "forbidden"
    assert IncomingDocument.objects.count() == 0


def _direct(world, doc, at=None):
    with services.simulated_clock(at or vn(2026, 3, 3, 10, 0)):
        return services.direct(
            doc,
            lead=services.UnitOrder(world.vx, days=5),
            coordinating=[services.UnitOrder(world.tp, days=3)],
            opinion="Phòng VX chủ trì, Phòng TP phối hợp tham mưu",
            by=world.leader,
        )


def test_direction_assignment_progress_completion_and_timeline(world, pdf_bytes):
    doc = register(world, pdf_bytes)
    assert [d.pk for d in selectors.inbox_to_direct(world.leader).items] == [doc.pk]
    doc = _direct(world, doc)
    assert doc.state == InState.IN_PROCESS
    lead, co = doc.assignments.order_by("id")
    # Tuesday 3 March 2026 + 5 working days = Tuesday 10 March, same time
    assert lead.due_at == vn(2026, 3, 10, 10, 0)
    assert co.due_at == vn(2026, 3, 6, 10, 0)
    assert doc.due_at == lead.due_at
    assert doc.to_places == "Phòng Văn hóa - Xã hội; Phòng Tư pháp"
    assert [a.pk for a in selectors.inbox_to_assign(world.vx_head).items] == [lead.pk]
    assert selectors.inbox_to_direct(world.leader).items == []

    with services.simulated_clock(vn(2026, 3, 3, 14)):
        services.assign_specialist(
            lead, world.vx_spec, by=world.vx_head, opinion="Đồng chí Chuyên xử lý"
        )
    page = selectors.inbox_to_process(world.vx_spec, now=vn(2026, 3, 4, 9))
    assert [a.pk for a in page.items] == [lead.pk]
    assert page.items[0].is_overdue is False
    with services.simulated_clock(vn(2026, 3, 5, 9)):
        services.record_progress(lead, "Đã dự thảo công văn trả lời", by=world.vx_spec)
    with services.simulated_clock(vn(2026, 3, 6, 9)):
        services.complete_assignment(lead, "Đã trả lời bằng công văn", by=world.vx_spec)
    doc.refresh_from_db()
    assert doc.state == InState.DONE
    assert doc.completed_at == vn(2026, 3, 6, 9)
    steps = [(e.action, e.actor_label) for e in selectors.timeline(doc)]
    assert steps == [
        ("incoming.registered", "Lê Thị Văn Thư"),
        ("incoming.directed", "Nguyễn Thị Hằng"),
        ("incoming.assigned", "Trần Văn Trưởng"),
        ("incoming.progress", "Hoàng Văn Chuyên"),
        ("incoming.completed_part", "Hoàng Văn Chuyên"),
    ]
    assert (
        selectors.timeline(doc)[1].data["deadlines"]["Phòng Tư pháp"] == "2026-03-06T10:00:00+07:00"
    )
    assert selectors.inbox_to_process(world.vx_spec).items == []


def test_overdue_is_exposed_for_highlighting(world, pdf_bytes):
    doc = _direct(world, register(world, pdf_bytes))
    lead = doc.assignments.get(role="lead")
    with services.simulated_clock(vn(2026, 3, 3, 14)):
        services.assign_specialist(lead, world.vx_spec, by=world.vx_head)
    later = vn(2026, 3, 11, 9)
    page = selectors.deadline_page(
        Assignment.objects.filter(assignee=world.vx_spec, state="in_process"), now=later
    )
    assert page.items[0].is_overdue is True
    assert selectors.overdue_assignments(world.vx_spec, now=later) == [lead]
    assert selectors.is_overdue(IncomingDocument.objects.get(pk=doc.pk), later)
    tp_part = doc.assignments.get(role="coordinate")
    assert selectors.overdue_assignments(world.tp_head, now=later) == [tp_part]


def test_inbox_is_sorted_by_deadline_and_walks_by_cursor(world, pdf_bytes):
    docs = [
        register(world, pdf_bytes, number_symbol=f"{i}/TB-UBND", doc_type="thong_bao", due_days=d)
        for i, d in enumerate([5, 2, 9, 1], start=1)
    ]
    docs.append(register(world, pdf_bytes, number_symbol="9/TB-UBND", doc_type="thong_bao"))
    first = selectors.inbox_to_direct(world.leader, size=2)
    second = selectors.inbox_to_direct(world.leader, size=2, cursor=first.next_cursor)
    third = selectors.inbox_to_direct(world.leader, size=2, cursor=second.next_cursor)
    order = [d.pk for d in first.items + second.items + third.items]
    assert order == [docs[3].pk, docs[1].pk, docs[0].pk, docs[2].pk, docs[4].pk]
    assert third.next_cursor is None


def test_illegal_transitions_change_nothing(world, pdf_bytes):
    doc = register(world, pdf_bytes)
    before = IncomingDocument.objects.get(pk=doc.pk)
    lead_order = services.UnitOrder(world.vx, days=5)
    with pytest.raises(ValidationError) as exc:
        services.direct(doc, lead=lead_order, by=world.clerk)
    assert exc.value.code == "forbidden"
    with pytest.raises(services.TransitionError) as exc:
        services.register_pending(doc, by=world.clerk)
    assert exc.value.messages == ["Không thể vào sổ: văn bản đang ở trạng thái “Chờ chỉ đạo”."]
    with pytest.raises(ValidationError) as exc:  # unit of another government
        services.direct(
            doc,
            lead=services.UnitOrder(
                world.commune.__class__.objects.create(
                    kind="department",
                    name="Phòng ở nơi khác",
                    abbreviation="K",
                    code="009.00.00.H01",
                ),
                days=2,
            ),
            by=world.leader,
        )
    assert exc.value.error_dict["units"][0].code == "unit_outside"
    with pytest.raises(ValidationError) as exc:
        services.direct(
            doc, lead=lead_order, coordinating=[services.UnitOrder(world.vx)], by=world.leader
        )
    assert exc.value.error_dict["units"][0].code == "unit_repeated"
    with pytest.raises(services.ConflictError):
        services.direct(doc, lead=lead_order, by=world.leader, expected_version=before.version + 1)
    after = IncomingDocument.objects.get(pk=doc.pk)
    assert (after.state, after.version) == (before.state, before.version)
    assert not Assignment.objects.exists()
    doc = _direct(world, doc)
    lead = doc.assignments.get(role="lead")
    with pytest.raises(ValidationError) as exc:  # not in the unit
        services.assign_specialist(lead, world.tp_spec, by=world.vx_head)
    assert exc.value.error_dict["specialist"][0].code == "not_in_unit"
    with pytest.raises(ValidationError) as exc:  # head of another unit
        services.assign_specialist(lead, world.vx_spec, by=world.tp_head)
    assert exc.value.code == "forbidden"
    with pytest.raises(services.TransitionError):  # nobody assigned yet
        services.complete_assignment(lead, "xong", by=world.vx_spec)
    with pytest.raises(services.TransitionError):
        services.close_incoming(doc, by=world.leader)
    assert Assignment.objects.filter(state="waiting").count() == 2


def test_a_document_to_know_is_closed_by_the_leader(world, pdf_bytes):
    doc = register(world, pdf_bytes)
    services.close_incoming(doc, "Để biết", by=world.leader)
    doc.refresh_from_db()
    assert doc.state == InState.DONE and doc.completed_at is not None


def test_signed_pdf_report_is_kept(world, pdf_bytes, signed_pdf):
    doc = register(world, signed_pdf)
    f = doc.files.get()
    assert f.signature_report is not None
    assert f.signature_report.signature_count == 1
    assert doc.signature_status == f.signature_report.status
    unsigned = register(world, pdf_bytes, number_symbol="7/TB-UBND", doc_type="thong_bao")
    assert unsigned.files.get().signature_report is None
    assert unsigned.signature_status == ""
