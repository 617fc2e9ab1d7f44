"""The officers' document pages through the real URL routing: inbox tabs per role, the two-step
registration with pre-fill and duplicate confirmation, direction and handling, the outgoing
flow from draft to issue and dispatch, search. Rendering and signing PDFs is off here (see
conftest); test_views_flow.py runs the flow with signatures."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from egov.documents import services
from egov.documents.models import (
    Assignment,
    DocumentAlert,
    IncomingDocument,
    InState,
    OutgoingDocument,
    OutState,
)

from .conftest import draft_data, register

pytestmark = pytest.mark.django_db

INCOMING_PDF_TEXT = """<html><body style="font-family: DejaVu Serif; font-size: 13pt">
<table style="width:100%"><tr><td style="text-align:center; width:45%">UBND TỈNH PHÚ THỌ<br>
<b>SỞ NỘI VỤ</b><br><br>Số: 215/SNV-VP<br>V/v báo cáo công tác văn thư, lưu trữ năm 2026</td>
<td style="text-align:center"><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b><br><b>Độc lập - Tự do -
Hạnh phúc</b><br><br><i>Phú Thọ, ngày 02 tháng 3 năm 2026</i></td></tr></table>
<p style="text-align:center">Kính gửi: Ủy ban nhân dân huyện Thanh Ba</p>
<p>Sở Nội vụ đề nghị Ủy ban nhân dân huyện báo cáo công tác văn thư, lưu trữ năm 2026.</p>
<table style="width:100%"><tr><td></td><td style="text-align:center; width:50%"><b>KT. GIÁM ĐỐC<br>
PHÓ GIÁM ĐỐC</b><br><br><br><br><b>Nguyễn Văn Bình</b></td></tr></table></body></html>"""


def login(client, user):
    client.force_login(user)
    return client


def html(response) -> str:
    return response.content.decode()


@pytest.fixture
def letter_pdf() -> bytes:
    from weasyprint import HTML

    return HTML(string=INCOMING_PDF_TEXT).write_pdf()


# --- inbox -------------------------------------------------------------------------------------


def test_inbox_tabs_follow_roles(client, world):
    page = html(login(client, world.clerk).get(reverse("documents:inbox")))
    assert 'data-testid="tab-to_register"' in page and 'data-testid="tab-to_issue"' in page
    assert 'data-testid="tab-to_direct"' not in page
    page = html(login(client, world.leader).get(reverse("documents:inbox")))
    for tab in ("to_direct", "to_assign", "to_review", "to_sign"):
        assert f'data-testid="tab-{tab}"' in page
    assert 'data-testid="tab-to_register"' not in page
    page = html(login(client, world.vx_spec).get(reverse("documents:inbox")))
    assert 'data-testid="tab-to_process"' in page and 'data-testid="tab-my_drafts"' in page


def test_leader_inbox_sorted_by_deadline_overdue_highlighted_and_urgent_alert(
    client, world, pdf_bytes
):
    now = timezone.now()
    late = register(
        world, pdf_bytes, number_symbol="1/UBND-VP", due_days=1, at=now - dt.timedelta(days=9)
    )
    later = register(world, pdf_bytes, number_symbol="2/UBND-VP", due_days=30, at=now)
    urgent = register(world, pdf_bytes, number_symbol="3/UBND-VP", urgency=2, at=now)
    page = html(login(client, world.leader).get(reverse("documents:inbox") + "?tab=to_direct"))
    rows = re.findall(r'<tr class="([^"]*)" data-id="(\d+)"', page)
    assert [int(pk) for _c, pk in rows] == [late.pk, later.pk, urgent.pk]
    assert "is-overdue" in rows[0][0] and "is-overdue" not in rows[1][0]
    assert 'data-testid="urgent-alerts"' in page
    assert "THƯỢNG KHẨN: 3/UBND-VP" in page


def test_inbox_keyset_pages(client, world, pdf_bytes):
    for i in range(3):
        register(world, pdf_bytes, number_symbol=f"{i + 1}/UBND-VP", due_days=i + 1)
    client = login(client, world.leader)
    from egov.documents import selectors

    first = selectors.inbox_to_direct(world.leader, size=2)
    assert first.has_next
    response = client.get(
        reverse("documents:inbox"), {"tab": "to_direct", "after": first.next_cursor}
    )
    assert len(re.findall(r'data-id="\d+"', html(response))) == 1


def test_alert_read_opens_the_document(client, world, pdf_bytes):
    doc = register(world, pdf_bytes, urgency=1)
    alert = DocumentAlert.objects.get(user=world.leader, kind="urgent")
    response = login(client, world.leader).post(
        reverse("documents:alert_read", args=[alert.pk]), {"open": "1"}
    )
    assert response.status_code == 302 and response.url == reverse(
        "documents:incoming", args=[doc.pk]
    )
    alert.refresh_from_db()
    assert alert.read_at is not None


# --- registration --------------------------------------------------------------------------


def _upload(client, data, name="cong-van.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("documents:register"),
        {"file": SimpleUploadedFile(name, data, content_type="application/pdf")},
    )


def _form_values(page: str) -> dict:
    values = dict(re.findall(r'name="([a-z_]+)" value="([^"]*)"', page))
    subject = re.search(r'<textarea name="subject"[^>]*>\s*([^<]*)</textarea>', page)
    values["subject"] = subject.group(1).strip() if subject else ""
    doc_type = re.search(r'<select name="doc_type".*?<option value="([^"]+)" selected>', page, re.S)
    values["doc_type"] = doc_type.group(1) if doc_type else ""
    return values


def test_register_two_steps_prefills_from_the_pdf_and_keeps_the_file(client, world, letter_pdf):
    client = login(client, world.clerk)
    step1 = client.get(reverse("documents:register"))
    assert 'data-testid="upload-form"' in html(step1)
    page = html(_upload(client, letter_pdf))
    assert 'data-testid="prefill-note"' in page
    assert "Điền sẵn từ nội dung tệp PDF" in page
    values = _form_values(page)
    assert values["number_symbol"] == "215/SNV-VP"
    assert values["issued_date"] == "02/03/2026"
    assert values["doc_type"] == "cong_van"
    assert "báo cáo công tác văn thư" in values["subject"]
    token = values["token"]
    assert signing.loads(token, salt="egov.documents.register-upload")["u"] == world.clerk.pk
    response = client.post(
        reverse("documents:register"),
        {
            "token": token,
            "source": "upload",
            "issuer_name": values.get("issuer_name") or "Sở Nội vụ tỉnh Phú Thọ",
            "number_symbol": values["number_symbol"],
            "issued_date": values["issued_date"],
            "doc_type": values["doc_type"],
            "subject": values["subject"],
            "signer_name": values.get("signer_name", ""),
            "urgency": "1",
            "secrecy": "0",
            "due_days": "5",
        },
    )
    assert response.status_code == 302, html(response)
    doc = IncomingDocument.objects.get()
    assert response.url == reverse("documents:incoming", args=[doc.pk])
    assert doc.state == InState.REGISTERED and doc.arrival_number == 1
    assert doc.urgency == 1 and doc.due_at is not None
    assert doc.files.get().sha256  # the uploaded file, kept between the steps
    page = html(client.get(response.url))
    assert "215/SNV-VP" in page and 'data-testid="arrival-number">1<' in page
    assert "Vào sổ văn bản đến" in page  # the timeline


def test_register_refuses_a_foreign_or_forged_token(client, world, letter_pdf):
    login(client, world.clerk)
    page = html(_upload(client, letter_pdf))
    token = _form_values(page)["token"]
    client.force_login(world.clerk2)
    response = client.post(
        reverse("documents:register"),
        {"token": token, "issuer_name": "X", "number_symbol": "1/UBND", "subject": "x"},
    )
    assert response.status_code == 302 and response.url == reverse("documents:register")
    assert not IncomingDocument.objects.exists()
    response = client.post(reverse("documents:register"), {"token": "nope"})
    assert response.status_code == 302


def test_register_duplicate_needs_the_confirm_checkbox(client, world, pdf_bytes, letter_pdf):
    register(
        world,
        pdf_bytes,
        number_symbol="215/SNV-VP",
        issuer_name="Sở Nội vụ tỉnh Phú Thọ",
        issuer_code="",
        issued_date=dt.date(2026, 3, 2),
    )
    client = login(client, world.clerk)
    token = _form_values(html(_upload(client, letter_pdf)))["token"]
    data = {
        "token": token,
        "source": "upload",
        "issuer_name": "Sở Nội vụ tỉnh Phú Thọ",
        "number_symbol": "215/SNV-VP",
        "issued_date": "02/03/2026",
        "doc_type": "cong_van",
        "subject": "Báo cáo công tác văn thư",
        "urgency": "0",
        "secrecy": "0",
    }
    response = client.post(reverse("documents:register"), data)
    assert response.status_code == 400
    page = html(response)
    assert 'data-testid="duplicate-warning"' in page and "đã có trong sổ" in page
    assert 'name="confirm_duplicate"' in page
    response = client.post(reverse("documents:register"), {**data, "confirm_duplicate": "on"})
    assert response.status_code == 302
    assert IncomingDocument.objects.count() == 2


def test_register_shows_vietnamese_errors(client, world, letter_pdf):
    client = login(client, world.clerk)
    token = _form_values(html(_upload(client, letter_pdf)))["token"]
    response = client.post(
        reverse("documents:register"),
        {
            "token": token,
            "source": "upload",
            "issuer_name": "Sở Nội vụ",
            "number_symbol": "abc",
            "issued_date": "31/12/2099",
            "doc_type": "cong_van",
            "subject": "x",
            "urgency": "0",
            "secrecy": "0",
        },
    )
    assert response.status_code == 400
    page = html(response)
    assert "Ngày văn bản không thể sau ngày hôm nay." in page


def test_only_clerks_register(client, world):
    response = login(client, world.vx_spec).get(reverse("documents:register"))
    assert response.status_code == 302


# --- direction and handling ------------------------------------------------------------------


def test_direction_assignment_progress_completion_with_reply(client, world, pdf_bytes):
    doc = register(world, pdf_bytes)
    client = login(client, world.leader)
    url = reverse("documents:incoming", args=[doc.pk])
    page = html(client.get(url))
    assert 'data-action="direct"' in page and 'data-action="close"' in page
    response = client.post(
        reverse("documents:incoming_direct", args=[doc.pk]),
        {
            "direct-version": doc.version,
            "direct-lead": world.vx.pk,
            "direct-lead_days": "5",
            "direct-coordinating": [world.tp.pk],
            "direct-coordinating_date": (timezone.localdate() + dt.timedelta(days=20)).strftime(
                "%d/%m/%Y"
            ),
            "direct-opinion": "Phòng VX chủ trì, tham mưu trả lời.",
        },
    )
    assert response.status_code == 302, html(response)
    doc.refresh_from_db()
    assert doc.state == InState.IN_PROCESS
    lead = doc.assignments.get(role="lead")
    # the unit head assigns
    client.force_login(world.vx_head)
    assert 'data-testid="tab-to_assign"' in html(client.get(reverse("documents:inbox")))
    page = html(client.get(url))
    assert 'data-action="assign"' in page
    response = client.post(
        reverse("documents:incoming_assign", args=[doc.pk]),
        {f"a{lead.pk}-assignment": lead.pk, f"a{lead.pk}-specialist": world.vx_spec.pk},
    )
    assert response.status_code == 302, html(response)
    # the specialist: progress, reply draft, completion with the reply
    client.force_login(world.vx_spec)
    page = html(client.get(reverse("documents:inbox") + "?tab=to_process"))
    assert doc.number_symbol in page
    page = html(client.get(url))
    assert 'data-testid="reply-draft"' in page
    client.post(
        reverse("documents:incoming_progress", args=[doc.pk]),
        {f"a{lead.pk}-assignment": lead.pk, f"a{lead.pk}-note": "Đang tổng hợp số liệu"},
    )
    draft_page = html(client.get(reverse("documents:draft_new") + f"?reply_to={doc.pk}"))
    assert "V/v trả lời Văn bản số 1234/UBND-KGVX" in draft_page
    response = client.post(
        reverse("documents:draft_new"),
        {
            "reply_to": doc.pk,
            "drafting_unit": world.vx.pk,
            "doc_type": "cong_van",
            "subject": "V/v trả lời Văn bản số 1234/UBND-KGVX",
            "body": "UBND huyện báo cáo như sau.",
            "paper": "UBND tỉnh Phú Thọ",
            "urgency": "0",
            "secrecy": "0",
            "issued_amount": "2",
        },
    )
    assert response.status_code == 302, html(response)
    reply = OutgoingDocument.objects.get()
    assert reply.reply_to == doc and reply.recipients.get().channel == "paper"
    response = client.post(
        reverse("documents:incoming_complete", args=[doc.pk]),
        {
            f"a{lead.pk}-assignment": lead.pk,
            f"a{lead.pk}-result": "Đã soạn văn bản trả lời",
            f"a{lead.pk}-reply": reply.pk,
        },
    )
    assert response.status_code == 302, html(response)
    doc.refresh_from_db()
    assert doc.state == InState.DONE and doc.reply == reply
    page = html(client.get(url))
    for label in (
        "Lãnh đạo cho ý kiến chỉ đạo",
        "Phân công chuyên viên xử lý",
        "Cập nhật tiến độ, ý kiến",
        "Hoàn thành xử lý",
    ):
        assert label in page
    assert 'data-testid="reply-link"' in page


def test_direct_errors_stay_on_the_form(client, world, pdf_bytes):
    doc = register(world, pdf_bytes)
    response = login(client, world.leader).post(
        reverse("documents:incoming_direct", args=[doc.pk]),
        {
            "direct-version": doc.version,
            "direct-lead": world.vx.pk,
            "direct-lead_days": "3",
            "direct-lead_date": "01/01/2030",
        },
    )
    assert response.status_code == 400
    assert "không chọn cả hai" in html(response)


def test_stale_version_is_reported_not_applied(client, world, pdf_bytes):
    doc = register(world, pdf_bytes)
    response = login(client, world.leader).post(
        reverse("documents:incoming_close", args=[doc.pk]),
        {"close-version": doc.version + 5, "close-note": "để biết"},
        follow=True,
    )
    assert "vừa được người khác cập nhật" in html(response)
    doc.refresh_from_db()
    assert doc.state == InState.REGISTERED


def test_others_cannot_see_a_document_of_another_agency(client, world, pdf_bytes):
    doc = register(world, pdf_bytes)
    response = login(client, world.commune_clerk).get(reverse("documents:incoming", args=[doc.pk]))
    assert response.status_code == 404
    f = doc.files.get()
    assert client.get(reverse("documents:file", args=[f.pk])).status_code == 404
    client.force_login(world.clerk)
    assert client.get(reverse("documents:file", args=[f.pk])).status_code == 200


# --- outgoing ---------------------------------------------------------------------------------


def test_outgoing_flow_review_return_sign_issue_dispatch(client, world):
    client = login(client, world.vx_spec)
    response = client.post(
        reverse("documents:draft_new"),
        {
            "drafting_unit": world.vx.pk,
            "doc_type": "quyet_dinh",
            "subject": "Phê duyệt kế hoạch chuyển đổi số năm 2026",
            "body": "Điều 1. Phê duyệt kế hoạch.",
            "internal": [world.commune.pk],
            "emails": "so.noivu@example.vn",
            "paper": "Lưu: VT",
            "urgency": "0",
            "secrecy": "0",
            "issued_amount": "3",
            "authority": "TM. ỦY BAN NHÂN DÂN",
            "signer_position": "Chủ tịch",
        },
    )
    assert response.status_code == 302, html(response)
    doc = OutgoingDocument.objects.get()
    url = reverse("documents:outgoing", args=[doc.pk])
    assert 'data-action="send_review"' in html(client.get(url))
    client.post(
        reverse("documents:outgoing_send_review", args=[doc.pk]),
        {"send_review-version": doc.version},
    )
    doc.refresh_from_db()
    assert doc.state == OutState.UNIT_REVIEW
    # the unit head returns it with comments (required)
    client.force_login(world.vx_head)
    response = client.post(
        reverse("documents:outgoing_return", args=[doc.pk]),
        {"return-version": doc.version, "return-comments": ""},
    )
    assert (
        response.status_code == 400
        and "Nhập ý kiến" in html(response)
        or "bắt buộc" in html(response)
    )
    client.post(
        reverse("documents:outgoing_return", args=[doc.pk]),
        {"return-version": doc.version, "return-comments": "Sửa căn cứ."},
    )
    doc.refresh_from_db()
    assert doc.state == OutState.RETURNED
    # the drafter edits (a new file version) and sends again
    client.force_login(world.vx_spec)
    from django.core.files.uploadedfile import SimpleUploadedFile
    from weasyprint import HTML

    response = client.post(
        reverse("documents:draft_edit", args=[doc.pk]),
        {
            "version": doc.version,
            "drafting_unit": world.vx.pk,
            "doc_type": "quyet_dinh",
            "subject": "Phê duyệt kế hoạch chuyển đổi số năm 2026",
            "body": "Căn cứ ...\nĐiều 1. Phê duyệt kế hoạch.",
            "internal": [world.commune.pk],
            "emails": "so.noivu@example.vn",
            "paper": "Lưu: VT",
            "urgency": "0",
            "secrecy": "0",
            "issued_amount": "3",
            "file": SimpleUploadedFile("du-thao.pdf", HTML(string="<p>Dự thảo 2</p>").write_pdf()),
        },
    )
    assert response.status_code == 302, html(response)
    page = html(client.get(url))
    assert 'data-testid="versions"' in page and "du-thao.pdf" in page
    doc.refresh_from_db()
    client.post(
        reverse("documents:outgoing_send_review", args=[doc.pk]),
        {"send_review-version": doc.version, "send_review-reviewer": world.vx_head.pk},
    )
    client.force_login(world.vx_head)
    assert doc.subject in html(client.get(reverse("documents:inbox") + "?tab=to_review"))
    doc.refresh_from_db()
    client.post(
        reverse("documents:outgoing_approve_review", args=[doc.pk]),
        {"approve_review-version": doc.version},
    )
    client.force_login(world.leader)
    assert doc.subject in html(client.get(reverse("documents:inbox") + "?tab=to_sign"))
    doc.refresh_from_db()
    response = client.post(
        reverse("documents:outgoing_sign", args=[doc.pk]),
        {
            "sign-version": doc.version,
            "sign-authority": "TM. ỦY BAN NHÂN DÂN",
            "sign-signer_position": "Chủ tịch",
        },
    )
    assert response.status_code == 302
    doc.refresh_from_db()
    assert doc.state == OutState.APPROVED
    client.force_login(world.clerk)
    assert doc.subject in html(client.get(reverse("documents:inbox") + "?tab=to_issue"))
    response = client.post(
        reverse("documents:outgoing_issue", args=[doc.pk]),
        {"issue-version": doc.version},
        follow=True,
    )
    page = html(response)
    doc.refresh_from_db()
    assert doc.state == OutState.ISSUED and doc.number_symbol == "01/QĐ-UBND"
    assert "Đã ban hành văn bản số 01/QĐ-UBND" in page
    assert 'data-testid="number-symbol">01/QĐ-UBND<' in page
    # paper recipient: the clerk records it was sent
    paper = doc.recipients.get(channel="paper")
    client.post(reverse("documents:outgoing_paper_sent", args=[doc.pk]), {"recipient": paper.pk})
    paper.refresh_from_db()
    assert paper.state == "sent"
    # the commune got its incoming copy, waiting to be registered
    copy = IncomingDocument.objects.get(agency=world.commune)
    assert copy.state == InState.PENDING
    client.force_login(world.commune_clerk)
    assert "01/QĐ-UBND" in html(client.get(reverse("documents:inbox") + "?tab=to_register"))
    response = client.post(
        reverse("documents:incoming_register", args=[copy.pk]), {"register-version": copy.version}
    )
    assert response.status_code == 302
    copy.refresh_from_db()
    assert copy.arrival_number == 1
    # recall at the sender cancels the copy
    client.force_login(world.clerk)
    doc.refresh_from_db()
    client.post(
        reverse("documents:outgoing_recall", args=[doc.pk]),
        {"recall-version": doc.version, "recall-reason": "Ban hành sai thẩm quyền"},
    )
    copy.refresh_from_db()
    assert copy.state == InState.CANCELLED
    page = html(client.get(url))
    assert "Thu hồi văn bản" in page and 'data-testid="amendments"' in page


def test_draft_form_refuses_bad_recipients_in_vietnamese(client, world):
    response = login(client, world.vx_spec).post(
        reverse("documents:draft_new"),
        {
            "drafting_unit": world.vx.pk,
            "doc_type": "cong_van",
            "subject": "V/v thử",
            "body": "x",
            "emails": "khong-phai-email",
            "urgency": "0",
            "secrecy": "1",
            "issued_amount": "1",
        },
    )
    assert response.status_code == 400
    page = html(response)
    assert "không hợp lệ" in page or "không được gửi qua thư điện tử" in page
    assert not OutgoingDocument.objects.exists()


def test_correct_and_replace_links(client, world):
    with services.simulated_clock(timezone.now()):
        doc = services.create_draft(world.vx, draft_data(), by=world.vx_spec)
        services.send_for_review(doc, by=world.vx_spec)
        services.approve_review(doc, by=world.vx_head)
        services.approve_and_sign(doc, by=world.leader)
        services.issue(doc, by=world.clerk)
    doc.refresh_from_db()
    client = login(client, world.leader)
    page = html(client.get(reverse("documents:outgoing", args=[doc.pk])))
    assert 'data-action="correct"' in page and 'data-action="recall"' in page
    assert f"?replaces={doc.pk}" in page
    response = client.post(
        reverse("documents:outgoing_correct", args=[doc.pk]),
        {"correct-version": doc.version, "correct-note": "Sửa lỗi chính tả"},
    )
    assert response.status_code == 302
    assert doc.amendments.get().kind == "correction"
    page = html(client.get(reverse("documents:draft_new") + f"?replaces={doc.pk}"))
    assert 'data-testid="replaces"' in page


# --- search ------------------------------------------------------------------------------------


def test_search_is_diacritics_insensitive_with_filters(client, world, pdf_bytes):
    register(world, pdf_bytes, subject="Về việc phòng chống lụt bão", number_symbol="7/UBND-VP")
    register(world, pdf_bytes, subject="Về việc tuyển dụng viên chức", number_symbol="8/UBND-VP")
    client = login(client, world.clerk)
    page = html(client.get(reverse("documents:search"), {"kind": "in", "q": "TUYEN dung"}))
    assert "8/UBND-VP" in page and "7/UBND-VP" not in page
    page = html(
        client.get(
            reverse("documents:search"),
            {"kind": "in", "q": "", "date_from": "01/01/2020", "date_to": "01/01/2021"},
        )
    )
    assert "Không tìm thấy văn bản nào." in page
    page = html(client.get(reverse("documents:search"), {"date_from": "31/02/2026"}))
    assert "Nhập ngày theo dạng ngày/tháng/năm" in page
    page = html(client.get(reverse("documents:search"), {"kind": "in", "state": "in:registered"}))
    assert "7/UBND-VP" in page and "8/UBND-VP" in page


def test_search_outgoing(client, world):
    with services.simulated_clock(timezone.now()):
        services.create_draft(
            world.vx, draft_data(subject="Kế hoạch phòng chống lụt bão"), by=world.vx_spec
        )
    page = html(
        login(client, world.vx_spec).get(
            reverse("documents:search"), {"kind": "out", "q": "LUT BAO"}
        )
    )
    assert "Kế hoạch phòng chống lụt bão" in page


def test_navigation_has_documents(client, world):
    page = html(login(client, world.clerk).get(reverse("documents:inbox")))
    assert 'href="/documents/"' in page


def test_assignment_rows_are_tied_to_the_document(client, world, pdf_bytes):
    doc = register(world, pdf_bytes)
    other = register(world, pdf_bytes, number_symbol="9/UBND-VP")
    with services.simulated_clock(timezone.now()):
        services.direct(other, lead=services.UnitOrder(world.vx), by=world.leader)
    part = Assignment.objects.get(incoming=other)
    response = login(client, world.vx_head).post(
        reverse("documents:incoming_assign", args=[doc.pk]),
        {f"a{part.pk}-assignment": part.pk, f"a{part.pk}-specialist": world.vx_spec.pk},
    )
    assert response.status_code == 404
