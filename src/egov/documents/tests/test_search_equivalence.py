"""``search_incoming`` / ``search_outgoing`` read visibility per branch (own agencies, units'
assignments, secret documents) or in id windows for broad scopes, for speed at a million
documents. These tests prove they return exactly the pages of the straightforward query
(``keyset_page`` over ``visible_to(user)`` with the same filters): same ids, same order, same
cursors, for every kind of officer, with and without filters, walking every page.

The branch and window reading is forced on SQLite too (it is database-agnostic; only its speed
needs PostgreSQL), and each test runs in three modes: the default choice by scope size, every
user through the branches, every user through (tiny) id windows."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.db.models import Exists, OuterRef

from egov.accounts.tests.factories import UserFactory
from egov.core.pagination import keyset_page
from egov.core.text import fold
from egov.documents import selectors
from egov.documents.models import (
    Assignment,
    Direction,
    DocumentEvent,
    IncomingDocument,
    OutgoingDocument,
)
from egov.organizations.models import Agency
from egov.organizations.tests.factories import AgencyFactory

from .conftest import officer, vn

SUBJECTS = [
    "Về việc tăng cường phòng chống dịch bệnh",
    "Kế hoạch chuyển đổi số năm 2026",
    "Triển khai đề án 06 về dữ liệu dân cư",
    "Giải phóng mặt bằng dự án đường tỉnh",
    "Thi đua khen thưởng cuối năm",
    "Kế hoạch phòng chống thiên tai",
    "Báo cáo ngân sách quý I",
    "Hướng dẫn an toàn thực phẩm",
]
ISSUERS = [("UBND tỉnh Phú Thọ", "000.00.00.H42"), ("Sở Tài chính", "000.00.12.H42")]
IN_STATES = ["pending", "registered", "in_process", "done"]
OUT_STATES = ["draft", "unit_review", "leader_review", "approved", "issued", "recalled"]
DOC_TYPES = ["cong_van", "quyet_dinh", "ke_hoach"]


@pytest.fixture
def corpus(world):
    """220 incoming and 120 outgoing documents over the district, its units, the commune and
    a second district (invisible to the world's officers), with directions and assignments
    (some to units of another agency), secret documents registered, assigned, drafted,
    reviewed and signed by various officers, and events."""
    rng = random.Random(2026)
    w = world
    other = AgencyFactory(kind=Agency.Kind.DISTRICT, name="UBND huyện Khác", code="000.00.26.H42")
    other_unit = AgencyFactory(
        kind=Agency.Kind.DEPARTMENT, name="Phòng Khác", code="000.01.26.H42", parent=other
    )
    w.other_spec = officer(other_unit, "specialist", "Người Huyện Khác")
    w.superuser = UserFactory(full_name="Quản trị", is_superuser=True, is_staff=True)
    w.nobody = UserFactory(full_name="Không vai trò")
    agencies = [w.district, w.district, w.district, w.commune, other]
    units = {w.district.pk: [w.vx, w.tp], w.commune.pk: [w.vx], other.pk: [other_unit, w.tp]}
    officers = [w.clerk, w.clerk2, w.leader, w.vx_head, w.vx_spec, w.vx_other, w.tp_head]
    officers += [w.tp_spec, w.district_spec, w.commune_clerk, w.commune_leader, w.other_spec]
    specialists = [w.vx_spec, w.vx_other, w.tp_spec, w.district_spec, w.other_spec]
    base = vn(2026, 1, 5, 8, 0)

    incoming = []
    for i in range(220):
        agency = rng.choice(agencies)
        subject = rng.choice(SUBJECTS) + f" số {i}"
        issuer, code = rng.choice(ISSUERS)
        secrecy = rng.choice([0] * 6 + [1, 2, 3])
        arrived = base + dt.timedelta(hours=7 * i)
        incoming.append(
            IncomingDocument(
                agency=agency,
                state=rng.choice(IN_STATES),
                source="upload",
                arrived_at=arrived,
                registered_by=rng.choice([w.clerk, w.clerk2, w.commune_clerk, None]),
                issuer_name=issuer,
                issuer_code=code,
                code_number=str(i + 1),
                code_notation="UBND-VX",
                issued_date=arrived.date(),
                doc_type=rng.choice(DOC_TYPES),
                type_name="Công văn",
                subject=subject,
                secrecy=secrecy,
                search_text=fold(f"{issuer} {i + 1}/UBND-VX {subject}"),
            )
        )
    incoming = IncomingDocument.objects.bulk_create(incoming)
    parts = []
    for doc in incoming:
        if rng.random() < 0.45:
            direction = Direction.objects.create(
                incoming=doc, directed_by=w.leader, directed_at=doc.arrived_at
            )
            chosen = rng.sample(units[doc.agency_id], rng.randint(1, len(units[doc.agency_id])))
            parts.extend(
                Assignment(
                    incoming=doc,
                    direction=direction,
                    unit=unit,
                    role="lead",
                    assignee=rng.choice([*specialists, None]),
                )
                for unit in chosen
            )
    Assignment.objects.bulk_create(parts)

    outgoing = []
    drafting = {
        w.district.pk: [w.vx, w.tp],
        w.commune.pk: [w.commune, w.tp],
        other.pk: [other_unit],
    }
    for i in range(120):
        agency = rng.choice(agencies)
        subject = rng.choice(SUBJECTS) + f" đi {i}"
        state = rng.choice(OUT_STATES)
        issued = (base + dt.timedelta(hours=13 * i)).date() if state != "draft" else None
        outgoing.append(
            OutgoingDocument(
                agency=agency,
                drafting_unit=rng.choice(drafting[agency.pk]),
                state=state,
                doc_type=rng.choice(DOC_TYPES),
                type_name="Quyết định",
                subject=subject,
                secrecy=rng.choice([0] * 5 + [1, 2, 3]),
                created_by=rng.choice(officers),
                reviewer=rng.choice(officers + [None, None]),
                issued_date=issued,
                search_text=fold(subject),
            )
        )
    outgoing = OutgoingDocument.objects.bulk_create(outgoing)
    DocumentEvent.objects.bulk_create(
        [
            DocumentEvent(outgoing=doc, action="review", at=base, actor=rng.choice(officers))
            for doc in outgoing
            if rng.random() < 0.4
        ]
    )
    return w


def _reference_incoming(user, query="", *, cursor=None, size=50, **kw):
    """The straightforward query: the search as it was written before the branches."""
    qs = IncomingDocument.objects.visible_to(user)
    start, end = selectors._local_bounds(kw.get("date_from"), kw.get("date_to"))
    if kw.get("agency_id"):
        qs = qs.filter(agency_id=kw["agency_id"])
    if start:
        qs = qs.filter(arrived_at__gte=start)
    if end:
        qs = qs.filter(arrived_at__lt=end)
    if kw.get("issuer"):
        issuer = kw["issuer"]
        if any(ch.isdigit() for ch in issuer) and "." in issuer:
            qs = qs.filter(issuer_code=issuer.strip())
        else:
            qs = selectors._words(qs, issuer)
    if kw.get("doc_type"):
        qs = qs.filter(doc_type=kw["doc_type"])
    if kw.get("unit_id"):
        units = Assignment.objects.filter(incoming=OuterRef("pk"), unit_id=kw["unit_id"])
        qs = qs.filter(Exists(units))
    if kw.get("state"):
        qs = qs.filter(state=kw["state"])
    return keyset_page(selectors._words(qs, query), key="id", cursor=cursor, size=size)


def _reference_outgoing(user, query="", *, cursor=None, size=50, **kw):
    qs = OutgoingDocument.objects.visible_to(user)
    if kw.get("agency_id"):
        qs = qs.filter(agency_id=kw["agency_id"])
    if kw.get("date_from"):
        qs = qs.filter(issued_date__gte=kw["date_from"])
    if kw.get("date_to"):
        qs = qs.filter(issued_date__lte=kw["date_to"])
    if kw.get("doc_type"):
        qs = qs.filter(doc_type=kw["doc_type"])
    if kw.get("unit_id"):
        qs = qs.filter(drafting_unit_id=kw["unit_id"])
    if kw.get("state"):
        qs = qs.filter(state=kw["state"])
    return keyset_page(selectors._words(qs, query), key="id", cursor=cursor, size=size)


def _pages(fn, user, query, kw, size):
    """Every page of a search as (ids, next_cursor), following the cursors."""
    out, cursor = [], None
    for _ in range(200):
        page = fn(user, query, cursor=cursor, size=size, **kw)
        out.append(([d.pk for d in page.items], page.next_cursor))
        if page.next_cursor is None:
            return out
        cursor = page.next_cursor
    raise AssertionError("the cursors do not end")


QUERIES = ["", "ke hoach", "Kế hoạch phòng", "phong chong", "đề án 06", "an", "khong co tu nay"]

USERS = [
    "clerk",
    "leader",
    "vx_head",
    "vx_spec",
    "tp_spec",
    "district_spec",
    "commune_clerk",
    "commune_leader",
    "other_spec",
    "superuser",
    "nobody",
]


@pytest.fixture(params=["default", "branches", "windows"])
def mode(request, monkeypatch):
    monkeypatch.setattr(selectors, "_PLANNED_VENDORS", {"postgresql", "sqlite"})
    if request.param == "branches":
        monkeypatch.setattr(selectors, "BROAD_SCOPE", 10**6)
    elif request.param == "windows":
        monkeypatch.setattr(selectors, "BROAD_SCOPE", 0)
        monkeypatch.setattr(selectors, "_WINDOW", 9)
    return request.param


def _filters_in(w):
    return [
        {},
        {"doc_type": "ke_hoach"},
        {"state": "done"},
        {"unit_id": w.vx.pk},
        {"agency_id": w.commune.pk},
        {"date_from": dt.date(2026, 1, 20), "date_to": dt.date(2026, 2, 15)},
        {"issuer": "so tai chinh"},
        {"issuer": "000.00.00.H42", "doc_type": "cong_van"},
    ]


def _filters_out(w):
    return [
        {},
        {"doc_type": "quyet_dinh"},
        {"state": "issued"},
        {"unit_id": w.tp.pk},
        {"agency_id": w.district.pk},
        {"date_from": dt.date(2026, 1, 20), "date_to": dt.date(2026, 3, 15)},
    ]


def _compare(fn, ref, w, filters):
    """Every user × every query (pages of 9 and of 50), and every filter with three queries."""
    cases = [(query, {}, size) for query in QUERIES for size in (9, 50)]
    cases += [(query, kw, 9) for kw in filters[1:] for query in ("", "ke hoach", "an")]
    checked = nonempty = 0
    for name in USERS:
        user = getattr(w, name)
        for query, kw, size in cases:
            want = _pages(ref, user, query, kw, size)
            assert _pages(fn, user, query, kw, size) == want, (name, query, kw, size)
            checked += 1
            nonempty += bool(want[0][0])
    return checked, nonempty


def test_search_incoming_same_pages_as_visible_to(corpus, mode):
    checked, nonempty = _compare(
        selectors.search_incoming, _reference_incoming, corpus, _filters_in(corpus)
    )
    assert nonempty > checked // 3  # the comparison is not between empty pages


def test_search_outgoing_same_pages_as_visible_to(corpus, mode):
    checked, nonempty = _compare(
        selectors.search_outgoing, _reference_outgoing, corpus, _filters_out(corpus)
    )
    assert nonempty > checked // 3


def test_branches_union_is_visible_to(corpus):
    """Set-level check of ``search_branches`` itself, for every officer."""
    for name in USERS:
        user = getattr(corpus, name)
        for model in (IncomingDocument, OutgoingDocument):
            branches = model.objects.search_branches(user)
            want = set(model.objects.visible_to(user).values_list("id", flat=True))
            if branches is None:
                assert want == set(model.objects.values_list("id", flat=True))
                continue
            got = set()
            for branch in branches:
                qs = branch.qs if branch.via is None else branch.qs.filter(id__in=branch.via)
                got |= set(qs.values_list("id", flat=True))
            assert got == want, (name, model.__name__)
