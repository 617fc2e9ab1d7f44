"""Search without diacritics over metadata and text, filters, keyset pages; register rows."""

from __future__ import annotations

import datetime as dt

import pytest

from egov.documents import selectors, services

from .conftest import register, vn

pytestmark = pytest.mark.django_db


@pytest.fixture
def docs(world, pdf_bytes):
    a = register(world, pdf_bytes, subject="Về việc phòng chống dịch Sởi", at=vn(2026, 3, 2, 9))
    b = register(
        world,
        pdf_bytes,
        number_symbol="88/QĐ-STP",
        doc_type="quyet_dinh",
        issuer_name="Sở Tư pháp tỉnh Phú Thọ",
        issuer_code="000.00.12.H42",
        subject="Quyết định khen thưởng cán bộ tư pháp",
        at=vn(2026, 3, 10, 9),
    )
    c = register(
        world,
        pdf_bytes,
        number_symbol="17/TB-UBND",
        doc_type="thong_bao",
        subject="Thông báo lịch tiếp công dân",
        at=vn(2026, 4, 1, 9),
    )
    return a, b, c


def ids(page):
    return [d.pk for d in page.items]


def test_search_ignores_diacritics_and_case(world, docs):
    a, b, c = docs
    assert ids(selectors.search_incoming(world.leader, "phong chong dich soi")) == [a.pk]
    assert ids(selectors.search_incoming(world.leader, "PHÒNG CHỐNG DỊCH")) == [a.pk]
    assert ids(selectors.search_incoming(world.leader, "khen thuong")) == [b.pk]
    assert ids(selectors.search_incoming(world.leader, "88/qđ-stp")) == [b.pk]
    # the text layer of the PDF (every document carries the same sample text)
    assert ids(selectors.search_incoming(world.leader, "lut bao")) == [c.pk, b.pk, a.pk]
    assert ids(selectors.search_incoming(world.leader, "khong co tu nay")) == []


def test_search_filters_and_keyset(world, docs):
    a, b, c = docs
    march = selectors.search_incoming(
        world.leader, date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31)
    )
    assert ids(march) == [b.pk, a.pk]
    assert ids(selectors.search_incoming(world.leader, issuer="000.00.12.H42")) == [b.pk]
    assert ids(selectors.search_incoming(world.leader, issuer="so tu phap")) == [b.pk]
    assert ids(selectors.search_incoming(world.leader, doc_type="thong_bao")) == [c.pk]
    with services.simulated_clock(vn(2026, 4, 1, 10)):
        services.direct(a, lead=services.UnitOrder(world.tp, days=2), by=world.leader)
    assert ids(selectors.search_incoming(world.leader, unit_id=world.tp.pk)) == [a.pk]
    assert ids(selectors.search_incoming(world.leader, state="in_process")) == [a.pk]
    first = selectors.search_incoming(world.leader, size=2)
    second = selectors.search_incoming(world.leader, size=2, cursor=first.next_cursor)
    assert ids(first) + ids(second) == [c.pk, b.pk, a.pk]
    assert second.next_cursor is None


def test_outgoing_search(world):
    from .conftest import approved

    doc = approved(world)
    assert ids(selectors.search_outgoing(world.leader, "lut bao")) == [doc.pk]
    assert ids(selectors.search_outgoing(world.leader, unit_id=world.tp.pk)) == []


def test_incoming_register_rows_have_the_columns_of_appendix_iv(world, docs):
    a, b, c = docs
    with services.simulated_clock(vn(2026, 3, 10, 10)):
        services.direct(
            b,
            lead=services.UnitOrder(world.tp, days=2),
            coordinating=[services.UnitOrder(world.vx, days=2)],
            by=world.leader,
        )
    services.assign_specialist(b.assignments.get(unit=world.tp), world.tp_spec, by=world.tp_head)
    rows = selectors.incoming_register(world.district.pk, dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert [(r.arrival_number, r.number_symbol) for r in rows] == [
        (1, "1234/UBND-KGVX"),
        (2, "88/QĐ-STP"),
    ]
    r = rows[1]
    assert r.arrival_date == dt.date(2026, 3, 10)
    assert r.author == "Sở Tư pháp tỉnh Phú Thọ"
    assert r.issued_date == dt.date(2026, 3, 2)
    assert r.type_and_subject == "Quyết định: Quyết định khen thưởng cán bộ tư pháp"
    assert r.receiver == "Phòng Tư pháp (Bùi Thị Luật); Phòng Văn hóa - Xã hội"
    assert r.transferred_on == dt.date(2026, 3, 10)
    tracking = selectors.resolution_tracking(
        world.district.pk, dt.date(2026, 3, 1), dt.date(2026, 3, 31), now=vn(2026, 3, 20)
    )
    assert [(t.arrival_number, t.overdue) for t in tracking] == [(2, True)]
    report = selectors.resolution_by_unit(
        world.district.pk, dt.date(2026, 3, 1), dt.date(2026, 3, 31), now=vn(2026, 3, 20)
    )
    assert [(u.unit, u.total, u.open_overdue) for u in report] == [
        ("Phòng Tư pháp", 1, 1),
        ("Phòng Văn hóa - Xã hội", 1, 1),
    ]
    with services.simulated_clock(vn(2026, 3, 11, 9)):
        services.complete_assignment(b.assignments.get(unit=world.tp), "Xong", by=world.tp_spec)
    report = selectors.resolution_by_unit(
        world.district.pk, dt.date(2026, 3, 1), dt.date(2026, 3, 31), now=vn(2026, 3, 20)
    )
    assert (report[0].done_on_time, report[0].open_overdue) == (1, 0)
