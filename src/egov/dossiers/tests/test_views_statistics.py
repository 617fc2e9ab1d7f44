import io

import pytest
import time_machine

from .conftest import vn
from .test_services import walk_to_ready

pytestmark = pytest.mark.django_db


@time_machine.travel(vn(2026, 3, 20, 10, 0))
def test_statistics_page_shows_the_standard_form_and_chart(client, world, receive):
    d = receive(at=vn(2026, 3, 2, 9, 0))
    walk_to_ready(world, d, vn(2026, 3, 3, 8, 0))
    receive(at=vn(2026, 3, 4, 9, 0), channel="online")  # due 09/03: overdue on 20/03
    client.force_login(world.leader)
    page = client.get("/dossiers/statistics/?from=01/03/2026&to=31/03/2026").content.decode()
    assert "Tình hình, kết quả giải quyết thủ tục hành chính" in page
    assert "UBND xã Đỗ Thử" in page and "UBND xã Khác" not in page
    assert 'id="stats-chart-data"' in page and '"data": [1]' in page  # one early
    row = page.split("UBND xã Đỗ Thử</th>")[1].split("</tr>")[0]
    cells = [c.split(">")[-1] for c in row.split("</td>")[:-1]]
    # total, carried, online, counter, post, resolved, early, on time, late, in progress, not due, overdue
    assert cells[:12] == ["2", "0", "1", "1", "0", "1", "1", "0", "0", "1", "0", "1"]


def test_bad_dates_are_explained_not_a_500(client, world):
    client.force_login(world.leader)
    page = client.get("/dossiers/statistics/?from=32/13/2026&to=x").content.decode()
    assert "dd/mm/yyyy" in page


def test_excel_export(client, world, receive):
    from openpyxl import load_workbook

    receive(at=vn(2026, 3, 2, 9, 0))
    client.force_login(world.leader)
    resp = client.get("/dossiers/statistics/?from=01/03/2026&to=31/03/2026&format=xlsx")
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(resp.content)).active
    assert (
        ws["A2"].value == "Cơ quan" and ws["A3"].value == "UBND xã Đỗ Thử" and ws["B3"].value == 1
    )
    assert ws.cell(ws.max_row, 1).value == "Tổng cộng"
