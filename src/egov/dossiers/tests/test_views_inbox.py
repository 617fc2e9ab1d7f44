"""The officer's inbox: what waits for whom, sorted by due moment, coloured by time left, in
keyset pages; the unit's list with its filters. Never a COUNT over the dossier table."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from egov.dossiers import selectors, services

from .conftest import make_version, vn
from .test_services import walk_to_ready

pytestmark = pytest.mark.django_db

NOW = vn(2026, 3, 4, 10, 0)  # a Wednesday


def rows(html: str) -> list[tuple[str, str]]:
    """(code, urgency) of the inbox rows, in order."""
    found = re.findall(r'data-urgency="([a-z]*)" data-code="([^"]*)"', html)
    return [(code, urgency) for urgency, code in found]


@pytest.fixture
def long_version(world):
    steps = [
        {"name": "Tiếp nhận, thẩm tra", "unit": "onestop", "role": "onestop", "duration": 5},
        {"name": "Trả kết quả", "unit": "onestop", "role": "onestop", "duration": Decimal("0.5")},
    ]
    return make_version("1.000003", "commune", steps, time=6)


@time_machine.travel(NOW, tick=False)
def test_inbox_sorted_by_due_and_coloured_by_time_left(client, world, receive, long_version):
    normal = receive(at=vn(2026, 3, 4, 9, 0), version=long_version)  # step due 11/03
    soon = receive(at=vn(2026, 2, 26, 9, 0), version=long_version)  # step due 05/03 09:00
    overdue = receive(at=vn(2026, 3, 2, 9, 0))  # step due 02/03 14:45
    today = receive(at=vn(2026, 3, 4, 8, 0))  # step due today 13:45
    client.force_login(world.desk)
    html = client.get("/dossiers/").content.decode()
    assert rows(html) == [
        (overdue.code, "overdue"),
        (today.code, "today"),
        (soon.code, "soon"),
        (normal.code, "normal"),
    ]
    assert "02/03/2026 14:45" in html and "04/03/2026 13:45" in html  # dd/mm/yyyy HH:MM
    assert "Quá hạn 1 ngày 4 giờ 45 phút" in html  # 2h15 + 7h30 + 2h30 of office time
    for legend in ("Quá hạn", "Đến hạn hôm nay", "Sắp đến hạn (còn dưới 16 giờ làm việc)"):
        assert legend in html
    assert 'class="egov-due-overdue"' in html and "Nguyễn Thị Ánh Tuyết" in html
    assert "Tiếp nhận hồ sơ" in html  # the current step


@time_machine.travel(NOW, tick=False)
def test_each_officer_sees_the_steps_waiting_for_them(client, world, receive):
    d = receive(at=vn(2026, 3, 2, 9, 0))
    services.hand_over(d, by=world.desk)  # step 2 (specialist at the commune), unassigned
    other = receive(at=vn(2026, 3, 3, 9, 0))  # still at step 1 with the desk

    def codes(user, tab="todo"):
        return [row.dossier.code for row in selectors.inbox(user, tab).items]

    assert codes(world.specialist) == [d.code]
    assert codes(world.leader) == [d.code]  # a leader may take any step of the agency
    assert codes(world.desk) == [other.code]
    assert codes(world.outsider) == codes(world.district_deskman) == []
    # assigned to the specialist: the leader no longer sees it as waiting
    services.assign(d, 2, world.specialist, by=world.leader)
    assert codes(world.specialist) == [d.code] and codes(world.leader) == []


@time_machine.travel(NOW, tick=False)
def test_one_stop_tabs_supplement_and_return(client, world, receive):
    waiting = receive(at=vn(2026, 3, 2, 9, 0))
    services.request_supplement(waiting, "Thiếu bản sao giấy khai sinh", by=world.desk)
    ready = walk_to_ready(world, receive(at=vn(2026, 3, 2, 10, 0)), vn(2026, 3, 3, 8, 0))
    client.force_login(world.desk)
    todo = client.get("/dossiers/").content.decode()
    assert ready.code in todo and waiting.code not in todo  # to return: yes; waiting: no
    html = client.get("/dossiers/?tab=supplement").content.decode()
    assert rows(html) == [(waiting.code, "paused")]
    assert "Tạm dừng (còn" in html
    html = client.get("/dossiers/?tab=return").content.decode()
    assert [c for c, _u in rows(html)] == [ready.code]
    assert "Trả kết quả" in html  # its active step
    # other officers have no one-stop tabs
    client.force_login(world.specialist)
    html = client.get("/dossiers/?tab=return").content.decode()
    assert "Chờ trả kết quả" not in html and ready.code not in html


@time_machine.travel(NOW, tick=False)
def test_keyset_pages_walk_every_row_once_in_order(world, receive):
    made = [receive(at=vn(2026, 3, 2, 8, 0 + i)) for i in range(5)]
    made += [
        walk_to_ready(world, receive(at=vn(2026, 3, 2, 9, i)), vn(2026, 3, 2, 10, i))
        for i in range(2)
    ]
    expected = sorted(
        made,
        key=lambda d: (
            d.due_at if d.state == "result_ready" else d.steps.get(state="active").due_at,
            d.pk,
        ),
    )
    seen, cursor = [], None
    while True:
        page = selectors.inbox(world.desk, cursor=cursor, size=2)
        seen += [row.dossier.pk for row in page.items]
        if not page.has_next:
            break
        cursor = page.next_cursor
    assert seen == [d.pk for d in expected]
    assert selectors.decode_cursor("garbage") is None
    assert selectors.inbox(world.desk, cursor="garbage", size=2).items  # bad cursor: page 1


@time_machine.travel(NOW, tick=False)
def test_inbox_pages_never_count_the_dossier_table(client, world, receive):
    receive(at=vn(2026, 3, 2, 9, 0))
    client.force_login(world.desk)
    for tab in ("todo", "supplement", "return", "all"):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/dossiers/?tab={tab}").status_code == 200
        assert not [q for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()], tab


def test_inbox_queries_use_the_due_indexes(world, receive):
    if connection.vendor != "sqlite":
        pytest.skip("plans checked on SQLite")
    receive(at=vn(2026, 3, 2, 9, 0))
    assigned, *by_agency = selectors._step_queries(world.desk, selectors.WORKING_STATES)
    assert "step_assignee_state_due" in assigned.order_by("due_at").explain()
    plans = [q.order_by("due_at").explain() for q in by_agency]
    assert all("step_agency_state_due" in p or "step_unassigned_due" in p for p in plans)
    (unit,) = selectors._unit_queries(world.desk, "result_ready")
    assert "dossier_intake_state_due" in unit.order_by("due_at").explain()


@time_machine.travel(NOW, tick=False)
def test_all_dossiers_of_the_unit_with_filters(client, world, receive):
    a = receive(at=vn(2026, 3, 2, 9, 0), name="Nguyễn Thị Ánh Tuyết")
    b = receive(at=vn(2026, 3, 3, 9, 0), name="Trần Văn Bình", id_number="025090000999")
    services.withdraw(b, "Người nộp rút hồ sơ", by=world.desk)
    elsewhere = receive(
        at=vn(2026, 3, 3, 9, 0),
        agency=world.district_desk,
        desk=world.district_deskman,
        version=world.district_version,
    )
    client.force_login(world.desk)

    def listed(query=""):
        html = client.get(f"/dossiers/?tab=all{query}").content.decode()
        return [c for c, _u in rows(html)]

    assert listed() == [b.code, a.code]  # newest first; the district's dossier is not here
    assert elsewhere.code not in client.get("/dossiers/?tab=all").content.decode()
    assert listed("&state=withdrawn") == [b.code]
    assert listed("&applicant=anh+tuyet") == [a.code]  # diacritics-insensitive
    assert listed("&applicant=025090000999") == [b.code]
    assert listed(f"&code={a.code}") == [a.code]
    assert listed("&code=002.00.25.H99-2603") == [b.code, a.code]  # a prefix
    assert listed("&received_from=2026-03-03") == [b.code]
    assert listed("&received_to=2026-03-02") == [a.code]
    assert listed("&received_from=bad") == [b.code, a.code]  # a bad date is ignored, not a 500
