"""Demo documents for the thanh-ba-2021 preset: a few dozen incoming and outgoing documents in
every state, replayed through the real services over the last weeks (``simulated_clock``), so
that ``make run`` has inboxes, timelines, registers and search results to look at.

Idempotent: nothing is created when the district already has documents. Fast: PDFs are
rendered once per document without signatures, except two outgoing documents signed with the
demo keys when ``make_demo_pki`` made them. Adds one demo officer the flow needs, the head of
Phòng Tư pháp (``truongphong.tuphap``), who reviews the drafts of its specialist.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from egov.accounts.models import Membership, User
from egov.organizations.models import Agency

from . import services
from .models import IncomingDocument, OutgoingDocument

DISTRICT_CODE = "000.00.25.H42"
JUSTICE_CODE = "000.04.25.H42"  # Phòng Tư pháp huyện Thanh Ba
UNIT_HEAD = {
    "username": "truongphong.tuphap",
    "full_name": "Đặng Văn Minh",
    "position": "Trưởng phòng Tư pháp huyện Thanh Ba",
}

#: (issuer, issuer code, symbol, type, subject, signer)
INCOMING = [
    (
        "UBND tỉnh Phú Thọ",
        "000.00.00.H42",
        "UBND-KGVX",
        "cong_van",
        "V/v tăng cường công tác phòng, chống dịch bệnh mùa đông xuân",
        "Hồ Đại Dũng",
    ),
    (
        "Sở Nội vụ tỉnh Phú Thọ",
        "000.00.05.H42",
        "SNV-VP",
        "cong_van",
        "V/v báo cáo công tác văn thư, lưu trữ năm 2026",
        "Nguyễn Văn Bình",
    ),
    (
        "Sở Tư pháp tỉnh Phú Thọ",
        "000.00.09.H42",
        "KH-STP",
        "ke_hoach",
        "Kế hoạch phổ biến, giáo dục pháp luật năm 2026",
        "Đinh Công Sứ",
    ),
    (
        "Sở Tài nguyên và Môi trường tỉnh Phú Thọ",
        "000.00.12.H42",
        "STNMT-ĐĐ",
        "cong_van",
        "V/v rà soát, cập nhật bảng giá đất giai đoạn 2026-2030",
        "Lê Minh Tuấn",
    ),
    (
        "Huyện ủy Thanh Ba",
        "",
        "HU",
        "thong_bao",
        "Thông báo kết luận của Ban Thường vụ Huyện ủy về công tác chuyển đổi số",
        "Vũ Văn Hải",
    ),
    (
        "UBND tỉnh Phú Thọ",
        "000.00.00.H42",
        "QĐ-UBND",
        "quyet_dinh",
        "Quyết định ban hành quy chế quản lý văn bản điện tử trên địa bàn tỉnh",
        "Bùi Văn Quang",
    ),
    (
        "Sở Lao động - Thương binh và Xã hội tỉnh Phú Thọ",
        "000.00.11.H42",
        "SLĐTBXH-BTXH",
        "cong_van",
        "V/v chi trả trợ cấp xã hội tháng 12 năm 2026",
        "Trần Thị Hoa",
    ),
    (
        "Công an tỉnh Phú Thọ",
        "",
        "CAT-PV01",
        "cong_van",
        "V/v phối hợp làm sạch dữ liệu dân cư phục vụ Đề án 06",
        "Nguyễn Minh Tuấn",
    ),
    (
        "Sở Giáo dục và Đào tạo tỉnh Phú Thọ",
        "000.00.10.H42",
        "SGDĐT-KHTC",
        "cong_van",
        "V/v rà soát cơ sở vật chất trường học trước mùa mưa bão",
        "Lê Thị Thu",
    ),
    (
        "Bảo hiểm xã hội tỉnh Phú Thọ",
        "",
        "BHXH-QLT",
        "cong_van",
        "V/v đôn đốc thu bảo hiểm xã hội, bảo hiểm y tế cuối năm",
        "Phạm Văn Tùng",
    ),
    (
        "Sở Kế hoạch và Đầu tư tỉnh Phú Thọ",
        "000.00.06.H42",
        "SKHĐT-TH",
        "cong_van",
        "V/v xây dựng kế hoạch đầu tư công trung hạn",
        "Đỗ Thị Lan",
    ),
    (
        "UBND tỉnh Phú Thọ",
        "000.00.00.H42",
        "CT-UBND",
        "chi_thi",
        "Chỉ thị về tăng cường kỷ luật, kỷ cương hành chính",
        "Bùi Văn Quang",
    ),
]

#: (subject, type, state to reach)
OUTGOING = [
    ("V/v báo cáo kết quả phổ biến, giáo dục pháp luật năm 2026", "cong_van", "issued_signed"),
    ("Kế hoạch kiểm tra công tác hộ tịch năm 2027", "ke_hoach", "issued"),
    ("V/v hướng dẫn chứng thực bản sao điện tử từ bản chính", "cong_van", "issued_doson"),
    (
        "Quyết định thành lập Hội đồng phối hợp phổ biến, giáo dục pháp luật",
        "quyet_dinh",
        "approved",
    ),
    ("Báo cáo công tác tư pháp năm 2026", "bao_cao", "leader_review"),
    ("V/v rà soát văn bản quy phạm pháp luật của HĐND, UBND cấp xã", "cong_van", "unit_review"),
    ("Tờ trình đề nghị khen thưởng tập thể, cá nhân xuất sắc", "to_trinh", "returned"),
    ("V/v tổ chức Ngày Pháp luật Việt Nam 09/11", "cong_van", "draft"),
    ("Kế hoạch tuyên truyền cải cách hành chính năm 2027", "ke_hoach", "draft"),
    ("Thông báo lịch tiếp công dân tháng 12", "thong_bao", "issued"),
]


@dataclass
class Cast:
    district: Agency
    justice: Agency
    doson: Agency
    clerk: User
    leader: User
    specialist: User
    head: User
    doson_clerk: User
    doson_leader: User


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _unit_head(justice: Agency) -> User:
    from egov.accounts import services as accounts
    from egov.demo.presets import DEMO_PASSWORD

    user = User.objects.filter(username=UNIT_HEAD["username"]).first()
    if user is None:
        user = accounts.create_officer(
            UNIT_HEAD["username"],
            DEMO_PASSWORD,
            full_name=UNIT_HEAD["full_name"],
            email=f"{UNIT_HEAD['username']}@thanhba.example.vn",
            position=UNIT_HEAD["position"],
        )
    if not Membership.objects.filter(user=user, agency=justice, role="leader").exists():
        accounts.grant_role(user, justice, "leader")
    return user


def _cast() -> Cast | None:
    from egov.demo.presets.thanh_ba_2021 import DOSON_CODE

    agencies = {
        a.code: a for a in Agency.objects.filter(code__in=[DISTRICT_CODE, JUSTICE_CODE, DOSON_CODE])
    }
    if len(agencies) < 3:
        return None
    names = ["vanthu", "lanhdao", "chuyenvien", "vanthu.doson", "lanhdao.doson"]
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    if len(users) < len(names):
        return None
    return Cast(
        district=agencies[DISTRICT_CODE],
        justice=agencies[JUSTICE_CODE],
        doson=agencies[DOSON_CODE],
        clerk=users["vanthu"],
        leader=users["lanhdao"],
        specialist=users["chuyenvien"],
        head=_unit_head(agencies[JUSTICE_CODE]),
        doson_clerk=users["vanthu.doson"],
        doson_leader=users["lanhdao.doson"],
    )


def _pdf(
    issuer: str, number_symbol: str, issued: dt.date, type_name: str, subject: str, signer: str
) -> bytes:
    from weasyprint import HTML

    from egov.core.pdf import make_url_fetcher

    html = f"""<html><body style="font-family: 'DejaVu Serif'; font-size: 12pt">
<table style="width:100%"><tr><td style="width:45%;text-align:center"><b>{issuer.upper()}</b>
<br>Số: {number_symbol}</td><td style="text-align:center"><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT
NAM</b><br><b>Độc lập - Tự do - Hạnh phúc</b><br><i>Phú Thọ, ngày {issued:%d} tháng
{issued.month:02d} năm {issued.year}</i></td></tr></table>
<h3 style="text-align:center">{type_name.upper()}</h3><p style="text-align:center">{subject}</p>
<p>Văn bản mẫu dùng cho dữ liệu trình diễn của egov.</p>
<p style="text-align:right"><b>{signer}</b></p></body></html>"""
    return HTML(string=html, url_fetcher=make_url_fetcher()).write_pdf()


def _moment(days_ago: float, hour: int = 9) -> dt.datetime:
    day = timezone.localtime() - dt.timedelta(days=days_ago)
    return day.replace(hour=hour, minute=15, second=0, microsecond=0)


def _incoming(c: Cast, i: int, row, *, agency=None, clerk=None) -> IncomingDocument:
    from . import doctypes

    issuer, code, symbol, doc_type, subject, signer = row
    days_ago = 40 - i * 3
    at = _moment(days_ago)
    issued = (at - dt.timedelta(days=2)).date()
    number_symbol = f"{100 + i * 7}/{symbol}"
    data = services.IncomingData(
        issuer_name=issuer,
        issuer_code=code,
        number_symbol=number_symbol,
        issued_date=issued,
        doc_type=doc_type,
        subject=subject,
        signer_name=signer,
        urgency=2 if i % 5 == 1 else (1 if i % 4 == 2 else 0),
        due_days=10 if i % 3 else None,
    )
    pdf = _pdf(issuer, number_symbol, issued, doctypes.get(doc_type).name, subject, signer)
    with services.simulated_clock(at):
        return services.register_incoming(
            agency or c.district,
            data,
            source="scan" if i % 2 else "upload",
            main_file=ContentFile(pdf, name=f"van-ban-den-{i + 1}.pdf"),
            by=clerk or c.clerk,
        )


def _handle_incoming(c: Cast, i: int, doc: IncomingDocument) -> None:
    """Take the i-th document to a state: waiting for direction, in process, done, filed."""
    stage = i % 4
    base = timezone.localtime(doc.registered_at)
    if stage == 0 and i < 8:
        return  # waiting for the leader's direction
    with services.simulated_clock(base + dt.timedelta(hours=3)):
        if stage == 3:
            services.close_incoming(doc, "Để biết, lưu hồ sơ.", by=c.leader)
            return
        services.direct(
            doc,
            lead=services.UnitOrder(c.justice, days=5 if i % 2 else 10),
            opinion="Giao Phòng Tư pháp chủ trì, tham mưu trả lời.",
            by=c.leader,
        )
    part = doc.assignments.get()
    with services.simulated_clock(base + dt.timedelta(days=1)):
        services.assign_specialist(part, c.specialist, by=c.head, opinion="Đề nghị xử lý đúng hạn.")
    if stage == 1:
        return
    with services.simulated_clock(base + dt.timedelta(days=2)):
        services.record_progress(
            part, "Đã tổng hợp số liệu, đang dự thảo báo cáo.", by=c.specialist
        )
    if stage == 2:
        with services.simulated_clock(base + dt.timedelta(days=4)):
            services.complete_assignment(part, "Đã tham mưu, báo cáo lãnh đạo.", by=c.specialist)


def _outgoing(c: Cast, i: int, row, reply_to=None) -> OutgoingDocument:
    subject, doc_type, target = row
    start = _moment(20 - i * 2, hour=8)
    recipients = [services.RecipientSpec("paper", name="Lưu: VT, TP")]
    if target == "issued_doson":
        recipients.insert(0, services.RecipientSpec("internal", agency=c.doson))
    elif i % 3 == 0:
        recipients.insert(0, services.RecipientSpec("email", email="sotuphap@phutho.example.vn"))
    data = services.DraftData(
        doc_type=doc_type,
        subject=subject,
        body=f"{subject}.\n\nPhòng Tư pháp tham mưu Ủy ban nhân dân huyện ban hành văn bản này.",
        recipients=recipients,
        authority="TM. ỦY BAN NHÂN DÂN" if doc_type != "cong_van" else "KT. CHỦ TỊCH",
        signer_position="Chủ tịch" if doc_type != "cong_van" else "Phó Chủ tịch",
        reply_to=reply_to,
        issued_amount=2,
    )
    with services.simulated_clock(start):
        doc = services.create_draft(c.justice, data, by=c.specialist)
    if target == "draft":
        return doc
    with services.simulated_clock(start + dt.timedelta(hours=2)):
        services.send_for_review(doc, by=c.specialist)
    if target == "unit_review":
        return doc
    with services.simulated_clock(start + dt.timedelta(hours=4)):
        if target == "returned":
            services.return_draft(doc, "Bổ sung số liệu năm 2026 và căn cứ pháp lý.", by=c.head)
            return doc
        services.approve_review(doc, by=c.head, note="Đồng ý, trình lãnh đạo ký.")
    if target == "leader_review":
        return doc
    signed = target == "issued_signed" or target == "issued_doson"
    mode = "when_configured" if signed else "off"
    with override_settings(EGOV_DOCUMENTS_SIGNING=mode):
        with services.simulated_clock(start + dt.timedelta(days=1)):
            services.approve_and_sign(doc, by=c.leader)
        if target == "approved":
            return doc
        with services.simulated_clock(start + dt.timedelta(days=1, hours=2)):
            services.issue(doc, by=c.clerk)
    return doc


def already_loaded() -> bool:
    return IncomingDocument.objects.filter(agency__code=DISTRICT_CODE).exists() or (
        OutgoingDocument.objects.filter(agency__code=DISTRICT_CODE).exists()
    )


def load_demo_documents() -> dict[str, int]:
    """Create the demo documents (once). Returns how many of each were created."""
    if already_loaded():
        return {"incoming": 0, "outgoing": 0}
    c = _cast()
    if c is None:
        return {"incoming": 0, "outgoing": 0}
    created = {"incoming": 0, "outgoing": 0}
    with override_settings(EGOV_DOCUMENTS_SIGNING="off"), transaction.atomic():
        incoming = []
        for i, row in enumerate(INCOMING):
            doc = _incoming(c, i, row)
            _handle_incoming(c, i, doc)
            incoming.append(doc)
            created["incoming"] += 1
        # a few at xã Đỗ Sơn, registered by its clerk
        for i, row in enumerate(INCOMING[:4]):
            _incoming(c, i + 20, row, agency=c.doson, clerk=c.doson_clerk)
            created["incoming"] += 1
        for i, row in enumerate(OUTGOING):
            reply_to = incoming[2] if i == 0 else None
            _outgoing(c, i, row, reply_to=reply_to)
            created["outgoing"] += 1
    return created
