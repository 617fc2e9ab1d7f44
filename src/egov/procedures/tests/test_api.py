"""``/api/procedures/``: the public, read-only procedure catalog, through the real URL routing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from rest_framework.test import APIClient

from egov.accounts.tests.factories import CitizenFactory
from egov.procedures import services

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=True):
        yield


def _steps(total: int = 3):
    return [
        {"name": "Tiếp nhận", "unit": "onestop", "role": "onestop", "duration": Decimal("0.5")},
        {
            "name": "Thẩm định",
            "unit": "department",
            "role": "specialist",
            "duration": Decimal(total - 1),
        },  # fmt: skip
        {"name": "Trả kết quả", "unit": "onestop", "role": "onestop", "duration": Decimal("0.5")},
    ]


def make_procedure(code, name, *, level="commune", field=("HT", "Hộ tịch"), online="2", **kw):
    field_obj = services.get_or_create_field(*field)
    return services.save_version(
        code,
        field=field_obj,
        effective_from=kw.pop("effective_from", dt.date(2020, 1, 1)),
        name=name,
        level=level,
        online_level=online,
        processing_time=Decimal(kw.pop("time", 3)),
        time_unit="days",
        papers=kw.pop(
            "papers",
            [
                {"name": "Tờ khai theo mẫu", "kind": "original", "template_name": "Tờ khai"},
                {"name": "Giấy tờ khác (nếu có)", "kind": "copy", "required": False},
            ],
        ),
        fees=kw.pop("fees", [{"name": "Lệ phí", "kind": "charge", "amount": 8000}]),
        steps=kw.pop("steps", _steps()),
        **kw,
    )


@pytest.fixture
def catalog():
    birth = make_procedure("1.001193", "Thủ tục đăng ký khai sinh", online="partial")
    # A new version from 2026-07-01: not in force yet on TODAY.
    make_procedure(
        "1.001193",
        "Thủ tục đăng ký khai sinh (sửa đổi)",
        online="full",
        effective_from=dt.date(2026, 7, 1),
        time=2,
        steps=_steps(2),
    )
    marriage = make_procedure("1.000894", "Thủ tục đăng ký kết hôn")
    land = make_procedure(
        "1.004227",
        "Đăng ký đất đai lần đầu",
        level="district",
        field=("DD", "Đất đai"),
        online="partial",
        time=10,
        steps=_steps(10),
    )
    stopped = make_procedure("1.000001", "Thủ tục cũ đã bãi bỏ")
    services.set_active(stopped.procedure, False)
    return {"birth": birth.procedure, "marriage": marriage.procedure, "land": land.procedure, "stopped": stopped.procedure}  # fmt: skip


def codes(resp) -> list[str]:
    assert resp.status_code == 200, resp.content
    return [p["national_code"] for p in resp.json()["results"]]


def test_anonymous_reads_the_active_catalog_in_code_order(client, catalog):
    resp = client.get("/api/procedures/")
    assert codes(resp) == ["1.000894", "1.001193", "1.004227"]
    body = resp.json()
    assert "next" in body and "previous" in body and "count" not in body
    first = body["results"][0]
    assert first["name"] == "Thủ tục đăng ký kết hôn"
    assert first["field"]["name"] == "Hộ tịch"
    assert first["level"] == "commune" and first["level_label"] == "Cấp xã"


def test_list_shows_the_summary_of_the_version_in_force_today(client, catalog):
    row = next(
        r
        for r in client.get("/api/procedures/").json()["results"]
        if r["national_code"] == "1.001193"
    )
    assert row["name"] == "Thủ tục đăng ký khai sinh"
    assert row["online_level"] == "partial"


def test_search_ignores_diacritics(client, catalog):
    assert codes(client.get("/api/procedures/?q=khai sinh")) == ["1.001193"]
    assert codes(client.get("/api/procedures/?q=dang ky ket hon")) == ["1.000894"]
    assert codes(client.get("/api/procedures/?q=ĐẤT ĐAI")) == ["1.004227"]
    assert codes(client.get("/api/procedures/?q=1.0042")) == ["1.004227"]
    assert codes(client.get("/api/procedures/?q=khong co")) == []


def test_filters_by_level_field_and_online_level(client, catalog):
    assert codes(client.get("/api/procedures/?level=district")) == ["1.004227"]
    field = catalog["land"].field_id
    assert codes(client.get(f"/api/procedures/?field={field}")) == ["1.004227"]
    assert codes(client.get("/api/procedures/?online_level=partial")) == ["1.001193", "1.004227"]
    assert codes(client.get("/api/procedures/?level=commune&online_level=2")) == ["1.000894"]


@pytest.mark.parametrize(
    "query, field",
    [("level=huyen", "level"), ("online_level=4", "online_level"), ("field=abc", "field")],
)
def test_bad_filters_are_structured_errors(client, catalog, query, field):
    resp = client.get(f"/api/procedures/?{query}")
    assert resp.status_code == 400
    error = resp.json()["error"]
    assert error["code"] == "invalid" and field in error["fields"]


def test_cursor_pagination_walks_the_catalog_without_count(client, catalog):
    for i in range(7):
        make_procedure(f"2.00000{i}", f"Thủ tục thử {i}")
    page = client.get("/api/procedures/?page_size=3").json()
    assert "count" not in page and page["previous"] is None
    seen = [p["national_code"] for p in page["results"]]
    while page["next"]:
        page = client.get(page["next"]).json()
        seen += [p["national_code"] for p in page["results"]]
    assert len(seen) == 10 and seen == sorted(seen)


def test_detail_has_the_version_in_force_with_papers_fees_steps_and_versions(client, catalog):
    resp = client.get(f"/api/procedures/{catalog['birth'].pk}/")
    assert resp.status_code == 200, resp.content
    body = resp.json()
    current = body["current_version"]
    assert current["name"] == "Thủ tục đăng ký khai sinh"
    assert current["effective_from"] == "2020-01-01"
    assert current["effective_to"] == "2026-06-30"
    assert current["processing_label"] == "3 ngày làm việc"
    assert [p["name"] for p in current["papers"]] == ["Tờ khai theo mẫu", "Giấy tờ khác (nếu có)"]
    assert current["papers"][0]["required"] is True and current["papers"][1]["required"] is False
    assert current["papers"][0]["kind_label"] == "Bản chính"
    assert current["fees"] == [
        {"kind": "charge", "kind_label": "Lệ phí", "name": "Lệ phí", "amount": 8000, "note": ""}
    ]
    assert [(s["order"], s["unit"], s["role"]) for s in current["steps"]] == [
        (1, "onestop", "onestop"),
        (2, "department", "specialist"),
        (3, "onestop", "onestop"),
    ]
    assert [(v["effective_from"], v["effective_to"]) for v in body["versions"]] == [
        ("2026-07-01", None),
        ("2020-01-01", "2026-06-30"),
    ]


def test_detail_on_another_day_shows_the_version_then_in_force(client, catalog):
    body = client.get(f"/api/procedures/{catalog['birth'].pk}/?on=2026-07-01").json()
    assert body["current_version"]["name"] == "Thủ tục đăng ký khai sinh (sửa đổi)"
    assert body["current_version"]["online_level"] == "full"
    before = client.get(f"/api/procedures/{catalog['birth'].pk}/?on=2019-01-01").json()
    assert before["current_version"] is None
    bad = client.get(f"/api/procedures/{catalog['birth'].pk}/?on=01/07/2026")
    assert bad.status_code == 400 and "on" in bad.json()["error"]["fields"]


def test_lookup_by_national_code(client, catalog):
    resp = client.get("/api/procedures/by-code/1.004227/")
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["id"] == catalog["land"].pk
    assert body["current_version"]["level"] == "district"
    missing = client.get("/api/procedures/by-code/9.999999/")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_inactive_procedure_is_not_listed_but_still_readable(client, catalog):
    assert "1.000001" not in codes(client.get("/api/procedures/"))
    body = client.get("/api/procedures/by-code/1.000001/").json()
    assert body["is_active"] is False


def test_unknown_or_malformed_id_is_404_not_500(client, catalog):
    assert client.get("/api/procedures/999999/").status_code == 404
    assert client.get("/api/procedures/abc/").status_code == 404


def test_catalog_is_read_only(client, catalog):
    api = APIClient()
    api.force_authenticate(CitizenFactory())
    assert api.get("/api/procedures/").status_code == 200
    resp = api.post("/api/procedures/", {"national_code": "1.000002"}, format="json")
    assert resp.status_code == 405
    assert api.delete(f"/api/procedures/{catalog['birth'].pk}/").status_code == 405
