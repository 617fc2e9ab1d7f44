"""Printed registers (Phụ lục IV) as PDF and Excel, the yearly numbering in them, the 500-row
PDF limit, who may print, and the resolution report (page with chart, Excel)."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from egov.documents import registers, services

from .conftest import approved, draft_data, register, vn

pytestmark = [pytest.mark.django_db, pytest.mark.urls("egov.documents.tests.urls_for_registers")]


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())


def sheet_of(content: bytes):
    return load_workbook(io.BytesIO(content)).active


def get(client, user, name, **params):
    client.force_login(user)
    return client.get(reverse(f"documents:{name}"), params)


def period(kind, agency, start, end, **extra):
    return {"kind": kind, "agency": agency.pk, "from": start, "to": end, **extra}


def issue(world, at, **kw):
    doc = approved(world, data=draft_data(**kw), at=at)
    with services.simulated_clock(at):
        return services.issue(doc, by=world.clerk)


@pytest.fixture
def march(world, pdf_bytes):
    return [
        register(world, pdf_bytes, subject="Về việc phòng chống dịch Sởi", at=vn(2026, 3, 2, 9)),
        register(
            world,
            pdf_bytes,
            number_symbol="88/QĐ-STP",
            doc_type="quyet_dinh",
            issuer_name="Sở Tư pháp tỉnh Phú Thọ",
            subject="Quyết định khen thưởng cán bộ tư pháp",
            at=vn(2026, 3, 31, 16),
        ),
        register(
            world,
            pdf_bytes,
            number_symbol="17/TB-UBND",
            doc_type="thong_bao",
            subject="Thông báo lịch tiếp công dân tháng tư",
            at=vn(2026, 4, 1, 8),
        ),
    ]


def test_incoming_register_pdf_has_the_columns_and_only_the_period(client, world, march):
    with services.simulated_clock(vn(2026, 3, 3, 10)):
        services.direct(march[0], lead=services.UnitOrder(world.vx, days=5), by=world.leader)
    r = get(
        client,
        world.clerk,
        "register_pdf",
        **period("incoming", world.district, "01/03/2026", "31/03/2026"),
    )
    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"
    assert r["Content-Disposition"].startswith("inline;")
    text = pdf_text(r.content)
    for header, _w in registers.INCOMING_COLUMNS:
        assert header in text, header
    # title page: agency, register, year, period, number range
    assert "UBND HUYỆN THANH BA" in text
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN" in text
    assert "Năm: 2026" in text
    assert "Từ ngày 01/03/2026 đến ngày 31/03/2026" in text
    assert "Từ số: 01 đến số: 02" in text
    # the rows of March only
    assert "phòng chống dịch Sởi" in text
    assert "khen thưởng cán bộ tư pháp" in text
    assert "lịch tiếp công dân" not in text
    assert "1234/UBND-KGVX" in text and "88/QĐ-STP" in text
    assert "02/03/2026" in text and "31/03/2026" in text
    assert "Phòng Văn hóa - Xã hội" in text  # đơn vị nhận, from the direction
    assert "Tổng số: 2 văn bản" in text


def test_outgoing_register_pdf(client, world):
    issue(world, vn(2026, 3, 3, 9), subject="Phê duyệt kế hoạch phòng chống thiên tai")
    issue(world, vn(2026, 4, 3, 9), subject="Kế hoạch tháng tư")
    r = get(
        client,
        world.leader,
        "register_pdf",
        **period("outgoing", world.district, "01/03/2026", "31/03/2026"),
    )
    assert r.status_code == 200
    text = pdf_text(r.content)
    for header, _w in registers.OUTGOING_COLUMNS:
        assert header in text, header
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐI" in text
    assert "01/QĐ-UBND" in text
    assert "phòng chống thiên tai" in text
    assert "tháng tư" not in text


def test_incoming_register_xlsx_cells(client, world, march):
    r = get(
        client,
        world.clerk,
        "register_xlsx",
        **period("incoming", world.district, "01/03/2026", "31/03/2026"),
    )
    assert r.status_code == 200
    assert r["Content-Disposition"].startswith("attachment;")
    ws = sheet_of(r.content)
    assert ws["A2"].value == "UBND HUYỆN THANH BA"
    assert ws["A3"].value == "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN NĂM 2026"
    assert ws["A4"].value == "Từ ngày 01/03/2026 đến ngày 31/03/2026"
    assert [c.value for c in ws[5]] == [name for name, _w in registers.INCOMING_COLUMNS]
    assert all(c.font.bold for c in ws[5])
    assert ws.column_dimensions["F"].width == 48
    assert ws.freeze_panes == "A6"
    first = [c.value for c in ws[6]]
    assert first[0] == dt.datetime(2026, 3, 2)
    assert ws["A6"].number_format == "dd/mm/yyyy"
    assert first[1:4] == ["01", "UBND tỉnh Phú Thọ", "1234/UBND-KGVX"]
    assert first[4] == dt.datetime(2026, 3, 2)
    assert first[5] == "Công văn: Về việc phòng chống dịch Sởi"
    assert ws["B7"].value == "02"
    assert ws.max_row == 7


def test_yearly_numbering_puts_documents_in_their_year(client, world, pdf_bytes):
    register(
        world,
        pdf_bytes,
        number_symbol="1/CV-A",
        issued_date=dt.date(2025, 12, 1),
        at=vn(2025, 12, 30, 9),
    )
    register(
        world,
        pdf_bytes,
        number_symbol="2/CV-A",
        issued_date=dt.date(2025, 12, 29),
        at=vn(2026, 1, 2, 9),
    )
    register(
        world,
        pdf_bytes,
        number_symbol="3/CV-A",
        issued_date=dt.date(2025, 12, 29),
        at=vn(2026, 1, 5, 9),
    )
    issue(world, vn(2025, 12, 30, 10), subject="Tổng kết năm 2025")
    issue(world, vn(2026, 1, 2, 10), subject="Kế hoạch năm 2026")
    issue(world, vn(2026, 1, 6, 10), subject="Lịch trực Tết")

    def rows(kind, start, end):
        r = get(client, world.clerk, "register_xlsx", **period(kind, world.district, start, end))
        assert r.status_code == 200
        return [[c.value for c in row] for row in sheet_of(r.content).iter_rows(min_row=6)]

    y2025 = rows("incoming", "01/01/2025", "31/12/2025")
    assert [(r[1], r[3]) for r in y2025] == [("01", "1/CV-A")]
    y2026 = rows("incoming", "01/01/2026", "31/12/2026")
    assert [(r[1], r[3]) for r in y2026] == [("01", "2/CV-A"), ("02", "3/CV-A")]
    out2025 = rows("outgoing", "01/01/2025", "31/12/2025")
    assert [(r[0], r[1]) for r in out2025] == [("01/QĐ-UBND", dt.datetime(2025, 12, 30))]
    out2026 = rows("outgoing", "01/01/2026", "31/12/2026")
    assert [r[0] for r in out2026] == ["01/QĐ-UBND", "02/QĐ-UBND"]
    assert out2026[1][2] == "Quyết định: Lịch trực Tết"
    assert out2026[1][3] == "Nguyễn Thị Hằng"

    # a register is kept per year: a period across 1 January is refused
    r = get(
        client,
        world.clerk,
        "register_pdf",
        **period("incoming", world.district, "15/12/2025", "15/01/2026"),
    )
    assert r.status_code == 400
    assert "trong cùng một năm" in r.content.decode()


def test_secret_documents_are_in_their_own_register(client, world, pdf_bytes):
    register(
        world, pdf_bytes, number_symbol="5/CV-CA", subject="Văn bản thường", at=vn(2026, 3, 2, 9)
    )
    register(
        world,
        pdf_bytes,
        number_symbol="6/CV-CA",
        subject="Văn bản mật",
        secrecy=1,
        at=vn(2026, 3, 2, 10),
    )
    args = period("incoming", world.district, "01/03/2026", "31/03/2026")
    normal = sheet_of(get(client, world.clerk, "register_xlsx", **args).content)
    assert [r[3].value for r in normal.iter_rows(min_row=6)] == ["5/CV-CA"]
    secret = get(client, world.clerk, "register_xlsx", **args, secret="on")
    ws = sheet_of(secret.content)
    assert ws["A3"].value == "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN MẬT NĂM 2026"
    assert [r[3].value for r in ws.iter_rows(min_row=6)] == ["6/CV-CA"]


def test_pdf_over_the_limit_is_refused_with_a_hint(client, world, march, monkeypatch):
    monkeypatch.setattr(registers, "REGISTER_PDF_MAX_ROWS", 1)
    args = period("incoming", world.district, "01/03/2026", "31/03/2026")
    r = get(client, world.clerk, "register_pdf", **args)
    assert r.status_code == 400
    page = r.content.decode()
    assert "có 2 văn bản" in page and "tối đa 1" in page and "Excel" in page
    assert get(client, world.clerk, "register_xlsx", **args).status_code == 200


def test_who_may_print(client, world):
    page = get(client, world.clerk, "register_page")
    assert page.status_code == 200
    html = page.content.decode()
    assert "UBND huyện Thanh Ba" in html and "01/01/" in html
    assert "Phòng Tư pháp" not in html  # a clerk prints the registers of their agency only
    leader_page = get(client, world.leader, "register_page").content.decode()
    assert "Phòng Tư pháp" in leader_page  # a leader also for the units below
    assert get(client, world.vx_spec, "register_page").status_code == 403
    assert get(client, world.vx_spec, "resolution_report").status_code == 403
    # another agency's clerk cannot pick the district
    r = get(
        client,
        world.commune_clerk,
        "register_pdf",
        **period("incoming", world.district, "01/03/2026", "31/03/2026"),
    )
    assert r.status_code == 400
    # bad dates
    r = get(
        client,
        world.clerk,
        "register_xlsx",
        **period("incoming", world.district, "2026-03-01", "31/03/2026"),
    )
    assert r.status_code == 400
    assert "dd/mm/yyyy" in r.content.decode()
    client.logout()
    assert client.get(reverse("documents:register_page")).status_code == 302


@pytest.fixture
def resolution(world, pdf_bytes):
    """VX: one part done on time, one done late; TP: one open and overdue (coordinating)."""
    a = register(world, pdf_bytes, number_symbol="1/CV-A", at=vn(2026, 3, 2, 9))
    b = register(world, pdf_bytes, number_symbol="2/CV-A", at=vn(2026, 3, 2, 9))
    with services.simulated_clock(vn(2026, 3, 2, 10)):
        services.direct(a, lead=services.UnitOrder(world.vx, days=2), by=world.leader)
        services.direct(
            b,
            lead=services.UnitOrder(world.vx, days=1),
            coordinating=[services.UnitOrder(world.tp, days=1)],
            by=world.leader,
        )
    parts = {(p.incoming_id, p.unit_id): p for p in a.assignments.all() | b.assignments.all()}
    with services.simulated_clock(vn(2026, 3, 3, 9)):
        services.assign_specialist(parts[(a.pk, world.vx.pk)], world.vx_spec, by=world.vx_head)
        services.complete_assignment(parts[(a.pk, world.vx.pk)], "Xong", by=world.vx_spec)
    with services.simulated_clock(vn(2026, 3, 10, 9)):
        services.assign_specialist(parts[(b.pk, world.vx.pk)], world.vx_spec, by=world.vx_head)
        services.complete_assignment(parts[(b.pk, world.vx.pk)], "Muộn", by=world.vx_spec)
    return a, b


def test_resolution_report_page_and_excel(client, world, resolution):
    params = {"agency": world.district.pk, "from": "01/03/2026", "to": "31/03/2026"}
    r = get(client, world.leader, "resolution_report", **params)
    assert r.status_code == 200
    html = r.content.decode()
    assert 'id="stats-chart"' in html and "chart.umd.min.js" in html
    start = html.index('id="stats-chart-data"')
    chart = json.loads(html[html.index(">", start) + 1 : html.index("</script>", start)])
    assert chart["labels"] == ["Phòng Tư pháp", "Phòng Văn hóa - Xã hội"]
    data = {d["label"]: d["data"] for d in chart["datasets"]}
    assert data["Đã giải quyết đúng hạn"] == [0, 1]
    assert data["Đã giải quyết quá hạn"] == [0, 1]
    assert data["Đang giải quyết quá hạn"] == [1, 0]
    assert "50.0%" in html or "50,0%" in html

    x = get(client, world.leader, "resolution_xlsx", **params)
    assert x.status_code == 200
    ws = sheet_of(x.content)
    assert [c.value for c in ws[4]] == [name for name, _w in registers.RESOLUTION_COLUMNS]
    assert all(c.font.bold for c in ws[4])
    assert [c.value for c in ws[5]] == ["Phòng Tư pháp", 1, 0, 0, 0, 1, None]
    assert [c.value for c in ws[6]] == ["Phòng Văn hóa - Xã hội", 2, 1, 1, 0, 0, 50.0]
    assert [c.value for c in ws[7]] == ["Tổng cộng", 3, 1, 1, 0, 1, 50.0]

    # the default page (no parameters) shows this year; a bad period says why
    assert get(client, world.leader, "resolution_report").status_code == 200
    bad = get(
        client,
        world.leader,
        "resolution_report",
        agency=world.district.pk,
        **{"from": "31/03/2026", "to": "01/03/2026"},
    )
    assert bad.status_code == 400
