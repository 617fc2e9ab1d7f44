"""Outgoing documents: drafting with versions, review and return, approval, issue with the
decree's number/symbol and series, dispatch (internal, e-mail, paper), recall, correction,
replacement propagated to internal recipients, illegal transitions."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from egov.core.models import Job
from egov.documents import selectors, services, tasks
from egov.documents.models import (
    DocumentAlert,
    DocumentFile,
    IncomingDocument,
    InState,
    NumberSeries,
    OutgoingDocument,
    OutState,
    Recipient,
)

from .conftest import approved, draft_data, pdf_file, vn

pytestmark = pytest.mark.django_db


def issue(w, doc, at=None, **kw):
    with services.simulated_clock(at or vn(2026, 3, 4, 8, 30)):
        return services.issue(doc, by=w.clerk, **kw)


def test_review_return_and_versions_kept(world, pdf_bytes):
    doc = services.create_draft(
        world.vx, draft_data(), by=world.vx_spec, files=[pdf_file(pdf_bytes, "du-thao.pdf")]
    )
    assert doc.agency == world.district and doc.state == OutState.DRAFT
    services.send_for_review(doc, by=world.vx_spec)
    assert [d.pk for d in selectors.inbox_to_review(world.vx_head).items] == [doc.pk]
    assert selectors.inbox_to_review(world.tp_head).items == []
    services.return_draft(doc, "Sửa lại căn cứ pháp lý", by=world.vx_head)
    doc.refresh_from_db()
    assert doc.state == OutState.RETURNED
    alert = DocumentAlert.objects.get(user=world.vx_spec, kind="returned")
    assert alert.message == "Dự thảo bị trả lại: Sửa lại căn cứ pháp lý"
    services.update_draft(doc, by=world.vx_spec, new_version=pdf_file(pdf_bytes, "du-thao-2.pdf"))
    versions = list(
        doc.files.filter(role=DocumentFile.Role.DRAFT).values_list("file_version", "original_name")
    )
    assert versions == [(1, "du-thao.pdf"), (2, "du-thao-2.pdf")]
    services.send_for_review(doc, by=world.vx_spec)
    services.approve_review(doc, by=world.vx_head)
    assert [d.pk for d in selectors.inbox_to_sign(world.leader).items] == [doc.pk]
    services.return_draft(doc, "Bổ sung nơi nhận", by=world.leader)
    services.send_for_review(doc, by=world.vx_spec)
    services.approve_review(doc, by=world.vx_head, leader=world.leader)
    services.approve_and_sign(doc, by=world.leader)
    doc.refresh_from_db()
    assert doc.state == OutState.APPROVED
    assert (doc.signer, doc.signer_name, doc.signer_position) == (
        world.leader,
        "Nguyễn Thị Hằng",
        "Chủ tịch",
    )
    assert [d.pk for d in selectors.inbox_to_issue(world.clerk).items] == [doc.pk]
    actions = [e.action for e in selectors.timeline(doc)]
    assert actions == [
        "outgoing.drafted",
        "outgoing.sent_for_review",
        "outgoing.returned",
        "outgoing.edited",
        "outgoing.sent_for_review",
        "outgoing.unit_approved",
        "outgoing.returned",
        "outgoing.sent_for_review",
        "outgoing.unit_approved",
        "outgoing.signed",
    ]
    assert selectors.timeline(doc)[6].note == "Bổ sung nơi nhận"


def test_issue_formats_number_and_symbol_by_the_decree(world):
    qd = issue(world, approved(world))
    assert qd.number_symbol == "01/QĐ-UBND"
    assert (qd.code_number, qd.code_notation, qd.number, qd.year) == ("01", "QĐ-UBND", 1, 2026)
    cv = issue(world, approved(world, data=draft_data(doc_type="cong_van", subject="V/v họp")))
    assert cv.number_symbol == "02/UBND-VX"  # one series per agency per year by default
    tb = issue(world, approved(world, unit=world.tp, data=draft_data(doc_type="thong_bao")))
    assert tb.number_symbol == "03/TB-UBND"
    for _ in range(7):
        last = issue(world, approved(world, data=draft_data(doc_type="ke_hoach")))
    assert last.number_symbol == "10/KH-UBND"
    assert qd.state == OutState.ISSUED and qd.issued_date.isoformat() == "2026-03-04"


def test_secret_and_configured_series_are_separate(world):
    issue(world, approved(world))
    secret = issue(world, approved(world, data=draft_data(secrecy=1)))
    assert secret.number_symbol == "01/QĐ-UBND"
    assert secret.series_scope.endswith(":secret")
    qppl = issue(world, approved(world, data=draft_data(doc_type="qppl_quyet_dinh")))
    assert qppl.number_symbol == "01/QĐ-UBND"
    NumberSeries.objects.create(
        agency=world.district, key="kh", name="Sổ kế hoạch", doc_types=["ke_hoach"]
    )
    kh = issue(world, approved(world, data=draft_data(doc_type="ke_hoach")))
    assert kh.number_symbol == "01/KH-UBND"
    normal = issue(world, approved(world, data=draft_data(doc_type="to_trinh")))
    assert normal.number_symbol == "02/TTr-UBND"
    rows = selectors.outgoing_register(
        world.district.pk, vn(2026, 1, 1).date(), vn(2026, 12, 31).date()
    )
    assert len(rows) == 5


def test_outgoing_numbers_restart_on_1_january(world):
    issue(world, approved(world, at=vn(2025, 12, 31, 9)), at=vn(2025, 12, 31, 16))
    b = issue(world, approved(world, at=vn(2025, 12, 31, 9)), at=vn(2025, 12, 31, 16, 30))
    c = issue(world, approved(world, at=vn(2025, 12, 31, 9)), at=vn(2026, 1, 2, 8))
    assert (b.year, b.number_symbol) == (2025, "02/QĐ-UBND")
    assert (c.year, c.number_symbol) == (2026, "01/QĐ-UBND")


def _with_recipients(world):
    return draft_data(
        recipients=[
            services.RecipientSpec("internal", agency=world.commune),
            services.RecipientSpec("email", email="sokhcn@phutho.gov.vn", name="Sở KH&CN"),
            services.RecipientSpec("paper", name="Công an huyện"),
        ]
    )


def test_dispatch_internal_email_and_paper(world, settings, pdf_bytes):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.EGOV_DOCUMENTS_SIGNING = "when_configured"  # render the issued PDF, no keys
    doc = issue(world, approved(world, data=_with_recipients(world)))
    internal, email, paper = doc.recipients.order_by("id")
    assert (internal.state, paper.state, email.state) == ("sent", "paper", "pending")
    copy = internal.incoming
    assert copy.agency == world.commune and copy.state == InState.PENDING
    assert (copy.issuer_code, copy.number_symbol) == (world.district.code, "01/QĐ-UBND")
    assert copy.files.get().role == "main"
    assert [d.pk for d in selectors.inbox_to_register(world.commune_clerk).items] == [copy.pk]
    assert DocumentAlert.objects.filter(user=world.commune_clerk, incoming=copy).exists()
    registered = services.register_pending(copy, by=world.commune_clerk)
    assert (registered.arrival_number, registered.state) == (1, InState.REGISTERED)
    job = Job.objects.get(pk=email.job_id)
    assert job.task_path == "egov.documents.tasks.send_email"
    tasks.send_email(email.pk)
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["sokhcn@phutho.gov.vn"]
    assert sent.subject.startswith("Quyết định số 01/QĐ-UBND")
    assert sent.attachments[0][0] == "01-QĐ-UBND.pdf"
    assert Recipient.objects.get(pk=email.pk).state == "sent"
    services.mark_paper_sent(paper, by=world.clerk)
    rows = selectors.outgoing_register(
        world.district.pk, vn(2026, 3, 1).date(), vn(2026, 3, 31).date()
    )
    assert rows[0].number_symbol == "01/QĐ-UBND"
    assert rows[0].recipients == "UBND xã Đông Thành; Sở KH&CN; Công an huyện"
    assert rows[0].file_keeper == "VT, VX"
    assert rows[0].signer == "Nguyễn Thị Hằng"
    assert rows[0].transferred_on is not None


def test_secret_documents_cannot_go_by_email(world):
    with pytest.raises(ValidationError) as exc:
        services.create_draft(
            world.vx,
            draft_data(secrecy=1, recipients=[services.RecipientSpec("email", email="a@b.vn")]),
            by=world.vx_spec,
        )
    assert "không được gửi qua thư điện tử" in exc.value.message_dict["recipients"][0]


def test_recall_is_propagated_to_internal_copies(world, pdf_bytes):
    doc = issue(world, approved(world, data=_with_recipients(world)))
    copy = doc.recipients.get(channel="internal").incoming
    services.register_pending(copy, by=world.commune_clerk)
    with services.simulated_clock(vn(2026, 3, 5, 9)):
        services.direct(
            copy, lead=services.UnitOrder(world.commune, days=3), by=world.commune_leader
        )
    services.recall(doc, "Ban hành sai thẩm quyền", by=world.leader)
    doc.refresh_from_db()
    copy.refresh_from_db()
    assert doc.state == OutState.RECALLED
    assert (copy.state, copy.amendment) == (InState.CANCELLED, "recall")
    assert not copy.assignments.exclude(state="cancelled").exists()
    assert [e.action for e in selectors.timeline(copy)][-1] == "incoming.recall"
    alert = DocumentAlert.objects.filter(user=world.commune_clerk, kind="amended").get()
    assert alert.message == "Thu hồi văn bản 01/QĐ-UBND: Ban hành sai thẩm quyền"
    with pytest.raises(services.TransitionError):
        services.recall(doc, "lần nữa", by=world.leader)


def test_correction_and_replacement(world, pdf_bytes):
    old = issue(world, approved(world, data=_with_recipients(world)))
    copy = old.recipients.get(channel="internal").incoming
    with services.simulated_clock(vn(2026, 3, 4, 8, 45)):
        services.correct(old, "Đính chính ngày hiệu lực", by=world.clerk, file=pdf_file(pdf_bytes))
    copy.refresh_from_db()
    assert (copy.state, copy.amendment) == (InState.PENDING, "correction")
    assert copy.files.filter(role="attachment").count() == 1
    new = issue(
        world,
        approved(
            world, data=draft_data(replaces=old, recipients=_with_recipients(world).recipients)
        ),
        at=vn(2026, 3, 4, 9, 0),
    )
    old.refresh_from_db()
    copy.refresh_from_db()
    assert new.number_symbol == "02/QĐ-UBND"
    assert old.state == OutState.REPLACED
    assert old.amendments.get(kind="replacement").replacement == new
    assert (copy.state, copy.amendment) == (InState.CANCELLED, "replacement")
    new_copy = new.recipients.get(channel="internal").incoming
    assert new_copy.state == InState.PENDING
    note = selectors.outgoing_register(
        world.district.pk, vn(2026, 3, 1).date(), vn(2026, 3, 31).date()
    )[0].note
    assert (
        note == "Đính chính: Đính chính ngày hiệu lực; Thay thế: Thay thế bởi văn bản số 02/QĐ-UBND"
    )


def test_replace_service_for_documents_issued_separately(world):
    old = issue(world, approved(world))
    new = issue(world, approved(world))
    services.replace(old, new, by=world.clerk)
    old.refresh_from_db()
    assert old.state == OutState.REPLACED
    with pytest.raises(services.TransitionError):
        services.replace(old, new, by=world.clerk)


def test_illegal_transitions_change_nothing(world, pdf_bytes):
    doc = services.create_draft(world.vx, draft_data(), by=world.vx_spec)
    before = OutgoingDocument.objects.get(pk=doc.pk)
    with pytest.raises(services.TransitionError) as exc:
        services.issue(doc, by=world.clerk)
    assert exc.value.messages == ["Không thể ban hành: văn bản đang ở trạng thái “Dự thảo”."]
    with pytest.raises(services.TransitionError):
        services.approve_and_sign(doc, by=world.leader)
    with pytest.raises(ValidationError) as exc:
        services.send_for_review(doc, by=world.tp_spec)
    assert exc.value.code == "forbidden"
    services.send_for_review(doc, by=world.vx_spec)
    with pytest.raises(ValidationError) as exc:
        services.approve_review(doc, by=world.tp_head)
    assert exc.value.code == "forbidden"
    with pytest.raises(ValidationError) as exc:
        services.return_draft(doc, "", by=world.vx_head)
    assert exc.value.error_dict["comments"][0].code == "required"
    with pytest.raises(services.ConflictError):
        services.approve_review(doc, by=world.vx_head, expected_version=1)
    services.approve_review(doc, by=world.vx_head)
    with pytest.raises(ValidationError) as exc:
        services.approve_and_sign(doc, by=world.vx_head)
    assert exc.value.code == "forbidden"
    services.approve_and_sign(doc, by=world.leader)
    with pytest.raises(ValidationError) as exc:
        services.issue(doc, by=world.vx_spec)
    assert exc.value.code == "forbidden"
    doc.refresh_from_db()
    assert (doc.state, doc.number, doc.version) == (OutState.APPROVED, None, before.version + 3)
    assert IncomingDocument.objects.count() == 0


def test_bad_draft_input(world):
    with pytest.raises(ValidationError) as exc:
        services.create_draft(
            world.vx,
            draft_data(doc_type="cv", subject="", authority="THAY MẶT"),
            by=world.vx_spec,
        )
    assert set(exc.value.message_dict) == {"doc_type", "subject", "authority"}
    with pytest.raises(ValidationError) as exc:
        services.create_draft(
            world.vx,
            draft_data(),
            by=world.vx_spec,
            files=[ContentFile(b"\x00\x01 nonsense", name="a.pdf")],
        )
    assert exc.value.code == "file_type_not_allowed"
    assert OutgoingDocument.objects.count() == 0
