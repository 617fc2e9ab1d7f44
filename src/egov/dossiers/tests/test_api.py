"""``/api/dossiers/``: counter intake, lookups, filters and every transition through the real
URL routing, with the structured errors (400 / 403 / 404 / 409) the API promises."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter
from rest_framework.test import APIClient

from egov.accounts.tests.factories import PASSWORD, CitizenFactory, MembershipFactory, UserFactory
from egov.core import calendar
from egov.dossiers import services
from egov.dossiers.models import Dossier
from egov.organizations.models import Agency
from egov.organizations.tests.factories import AgencyFactory
from egov.procedures import services as procedure_services

pytestmark = pytest.mark.django_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=VN)  # a Monday
CITIZEN_ID = "025090000123"


@pytest.fixture(autouse=True)
def _monday_morning():
    with time_machine.travel(NOW, tick=True):
        yield


def _version(code, level, steps, *, time=3):
    field = procedure_services.get_or_create_field("HT", "Hộ tịch")
    return procedure_services.save_version(
        code,
        field=field,
        effective_from=dt.date(2020, 1, 1),
        name=f"Thủ tục thử {code}",
        level=level,
        online_level="partial",
        processing_time=Decimal(time),
        time_unit="days",
        papers=[
            {"name": "Tờ khai theo mẫu", "kind": "original"},
            {"name": "Giấy tờ tùy thân", "kind": "copy"},
            {"name": "Giấy tờ khác (nếu có)", "kind": "copy", "required": False},
        ],
        fees=[{"name": "Lệ phí", "kind": "charge", "amount": 8000}],
        steps=steps,
    )


def _step(name, unit, role, duration, abbreviation=""):
    return {
        "name": name,
        "unit": unit,
        "role": role,
        "duration": Decimal(duration),
        "department_abbreviation": abbreviation,
    }


@pytest.fixture
def one_stop():
    """A district with its one-stop centre and a commune with its one-stop unit; a commune
    procedure (4 steps: intake, processing, approval, return) and a district procedure."""
    district = AgencyFactory(kind=Agency.Kind.DISTRICT, name="UBND huyện Thử", code="000.00.25.H99")
    district_desk = AgencyFactory(
        kind=Agency.Kind.ONESTOP,
        name="Bộ phận một cửa huyện",
        code="000.13.25.H99",
        parent=district,
    )
    commune = AgencyFactory(
        kind=Agency.Kind.COMMUNE, name="UBND xã Đỗ Thử", code="002.00.25.H99", parent=district
    )
    commune_desk = AgencyFactory(
        kind=Agency.Kind.ONESTOP, name="Một cửa xã Đỗ Thử", code="002.01.25.H99", parent=commune
    )
    other = AgencyFactory(
        kind=Agency.Kind.COMMUNE, name="UBND xã Khác", code="003.00.25.H99", parent=district
    )
    other_desk = AgencyFactory(
        kind=Agency.Kind.ONESTOP, name="Một cửa xã Khác", code="003.01.25.H99", parent=other
    )

    def officer(agency, role, username):
        user = UserFactory(username=username)
        MembershipFactory(user=user, agency=agency, role=role)
        return user

    return SimpleNamespace(
        district=district,
        district_desk=district_desk,
        commune=commune,
        commune_desk=commune_desk,
        other_desk=other_desk,
        desk=officer(commune_desk, "onestop", "motcua.xa"),
        specialist=officer(commune, "specialist", "chuyenvien.xa"),
        leader=officer(commune, "leader", "lanhdao.xa"),
        district_deskman=officer(district_desk, "onestop", "motcua.huyen"),
        outsider=officer(other_desk, "onestop", "motcua.khac"),
        commune_version=_version(
            "1.000001",
            "commune",
            [
                _step("Tiếp nhận hồ sơ", "onestop", "onestop", "0.5"),
                _step("Thẩm định, xử lý", "department", "specialist", "1.5"),
                _step("Phê duyệt", "government", "leader", "0.5"),
                _step("Trả kết quả", "onestop", "onestop", "0.5"),
            ],
        ),
        district_version=_version(
            "1.000002",
            "district",
            [
                _step("Tiếp nhận hồ sơ", "onestop", "onestop", "0.5"),
                _step("Ký duyệt", "government", "leader", "4"),
                _step("Trả kết quả", "onestop", "onestop", "0.5"),
            ],
            time=5,
        ),
    )


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def intake_body(w, **overrides) -> dict:
    applicant = {
        "kind": "person",
        "name": "Nguyễn Thị Ánh Tuyết",
        "id_number": CITIZEN_ID,
        "phone": "0912 345 678",
        "email": "tuyet@example.vn",
        "address": "Thôn Đồng, xã Đỗ Thử",
        **overrides.pop("applicant", {}),
    }
    return {
        "intake_agency": w.commune_desk.pk,
        "procedure": "1.000001",
        "applicant": applicant,
        "papers_received": [1, 2],
        "return_method": "counter",
        "channel": "counter",
        "subject": "Đăng ký khai sinh cho con",
        **overrides,
    }


def create(w, **overrides) -> dict:
    resp = api(w.desk).post("/api/dossiers/", intake_body(w, **overrides), format="json")
    assert resp.status_code == 201, resp.content
    return resp.json()


def post(user, dossier: dict | int, transition: str, body: dict, **kw):
    pk = dossier if isinstance(dossier, int) else dossier["id"]
    return api(user).post(f"/api/dossiers/{pk}/{transition}/", body, format=kw.get("fmt", "json"))


def ok(resp) -> dict:
    assert resp.status_code == 200, resp.content
    return resp.json()


def error(resp, status: int) -> dict:
    assert resp.status_code == status, resp.content
    body = resp.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


def make_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_upload(name="ket-qua.pdf", content=None):
    return SimpleUploadedFile(name, content or make_pdf(), content_type="application/pdf")


def state_of(pk: int) -> tuple[str, int]:
    d = Dossier.objects.get(pk=pk)
    return d.state, d.version


# --- intake ----------------------------------------------------------------------------------


def test_counter_intake_creates_a_dossier_with_code_pin_and_due_date(one_stop):
    body = create(one_stop)
    assert re.fullmatch(r"002\.00\.25\.H99-260302-\d{4}", body["code"])
    assert body["code"] == "002.00.25.H99-260302-0001"
    assert re.fullmatch(r"\d{6}", body["pin"])
    assert body["state"] == "received" and body["state_label"] == "Mới tiếp nhận"
    assert body["version"] == 1
    assert body["procedure_code"] == "1.000001"
    assert body["agency"] == one_stop.commune.pk
    assert body["intake_agency"] == one_stop.commune_desk.pk
    assert body["applicant"]["id_number"] == CITIZEN_ID
    assert body["applicant"]["phone"] == "0912345678"
    due = dt.datetime.fromisoformat(body["due_at"])
    assert due.astimezone(VN).replace(microsecond=0) == dt.datetime(2026, 3, 5, 9, 0, tzinfo=VN)
    assert [(s["order"], s["state"]) for s in body["steps"]] == [
        (1, "active"),
        (2, "pending"),
        (3, "pending"),
        (4, "pending"),
    ]
    assert body["steps"][0]["assignee"] == one_stop.desk.pk
    assert set(body["steps"][0]) >= {
        "order", "name", "agency", "role", "state", "assignee", "started_at", "due_at",
        "completed_at", "timing",
    }  # fmt: skip
    assert [(p["order"], p["received"]) for p in body["papers"]] == [
        (1, True),
        (2, True),
        (3, False),
    ]
    assert "timeline" not in body
    second = create(one_stop, procedure=str(one_stop.commune_version.procedure_id))
    assert second["code"] == "002.00.25.H99-260302-0002"


def test_the_pin_is_only_in_the_intake_answer(one_stop):
    body = create(one_stop)
    detail = ok(api(one_stop.desk).get(f"/api/dossiers/{body['id']}/"))
    assert "pin" not in detail


def test_invalid_id_number_is_a_vietnamese_field_error(one_stop):
    resp = api(one_stop.desk).post(
        "/api/dossiers/", intake_body(one_stop, applicant={"id_number": "12345"}), format="json"
    )
    err = error(resp, 400)
    assert err["code"] == "invalid"
    assert err["fields"]["applicant"]["id_number"] == [
        "Số định danh cá nhân (CCCD) phải gồm đúng 12 chữ số."
    ]
    assert not Dossier.objects.exists()


def test_organisation_needs_a_valid_tax_code(one_stop):
    resp = api(one_stop.desk).post(
        "/api/dossiers/",
        intake_body(
            one_stop,
            applicant={"kind": "organisation", "name": "Công ty TNHH Thử", "tax_code": "12ab"},
        ),
        format="json",
    )
    assert "tax_code" in error(resp, 400)["fields"]["applicant"]


def test_missing_required_paper_is_refused(one_stop):
    resp = api(one_stop.desk).post(
        "/api/dossiers/", intake_body(one_stop, papers_received=[1, 3]), format="json"
    )
    fields = error(resp, 400)["fields"]
    assert "Giấy tờ tùy thân" in fields["papers_received"][0]
    assert not Dossier.objects.exists()


def test_procedure_of_another_level_is_refused(one_stop):
    resp = api(one_stop.desk).post(
        "/api/dossiers/", intake_body(one_stop, procedure="1.000002"), format="json"
    )
    fields = error(resp, 400)["fields"]
    assert "cấp huyện" in fields["procedure"][0]
    assert not Dossier.objects.exists()


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"procedure": "9.999999"}, "procedure"),
        ({"procedure": "khai sinh"}, "procedure"),
        ({"intake_agency": 999999}, "intake_agency"),
        ({"intake_agency": "abc"}, "intake_agency"),
        ({"return_method": "drone"}, "return_method"),
        ({"papers_received": "1,2"}, "papers_received"),
        ({"applicant": {"name": ""}}, "applicant"),
    ],
)
def test_malformed_intake_is_400_never_500(one_stop, overrides, field):
    resp = api(one_stop.desk).post(
        "/api/dossiers/", intake_body(one_stop, **overrides), format="json"
    )
    assert field in error(resp, 400)["fields"]


def test_non_json_garbage_is_a_structured_400(one_stop):
    resp = api(one_stop.desk).post("/api/dossiers/", "{not json", content_type="application/json")
    assert error(resp, 400)["code"] == "parse_error"


def test_only_a_one_stop_officer_of_that_unit_receives(one_stop):
    resp = api(one_stop.specialist).post("/api/dossiers/", intake_body(one_stop), format="json")
    assert error(resp, 403)["code"] == "forbidden"
    resp = api(one_stop.outsider).post("/api/dossiers/", intake_body(one_stop), format="json")
    assert error(resp, 403)["code"] == "forbidden"
    assert not Dossier.objects.exists()


def test_refuse_at_intake_records_the_dossier_without_code(one_stop):
    body = intake_body(one_stop, papers_received=[1], reason="Thiếu giấy tờ tùy thân")
    resp = api(one_stop.desk).post("/api/dossiers/refuse/", body, format="json")
    assert resp.status_code == 201, resp.content
    data = resp.json()
    assert data["state"] == "refused" and data["code"] is None
    assert data["closing_reason"] == "Thiếu giấy tờ tùy thân"
    body.pop("reason")
    resp = api(one_stop.desk).post("/api/dossiers/refuse/", body, format="json")
    assert "reason" in error(resp, 400)["fields"]


# --- who sees what -----------------------------------------------------------------------------


def test_citizen_and_anonymous_are_refused(one_stop):
    dossier = create(one_stop)
    citizen = api(CitizenFactory())
    assert error(citizen.get("/api/dossiers/"), 403)["code"] == "permission_denied"
    error(citizen.get(f"/api/dossiers/{dossier['id']}/"), 403)
    error(citizen.post("/api/dossiers/", intake_body(one_stop), format="json"), 403)
    assert APIClient().get("/api/dossiers/").status_code in (401, 403)


def test_dossier_of_another_commune_is_not_found(one_stop):
    dossier = create(one_stop)
    outsider = api(one_stop.outsider)
    assert error(outsider.get(f"/api/dossiers/{dossier['id']}/"), 404)["code"] == "not_found"
    error(outsider.get(f"/api/dossiers/by-code/{dossier['code']}/"), 404)
    error(outsider.get(f"/api/dossiers/{dossier['id']}/timeline/"), 404)
    error(post(one_stop.outsider, dossier, "withdraw", {"version": 1, "reason": "x"}), 404)
    assert outsider.get("/api/dossiers/").json()["results"] == []
    assert state_of(dossier["id"]) == ("received", 1)


def test_unknown_ids_are_404(one_stop):
    client = api(one_stop.desk)
    error(client.get("/api/dossiers/999999/"), 404)
    assert client.get("/api/dossiers/abc/").status_code == 404
    error(client.get("/api/dossiers/by-code/KHONG-CO/"), 404)


def test_lookup_by_code(one_stop):
    dossier = create(one_stop)
    for user in (one_stop.desk, one_stop.specialist, one_stop.leader):
        body = ok(api(user).get(f"/api/dossiers/by-code/{dossier['code']}/"))
        assert body["id"] == dossier["id"] and body["code"] == dossier["code"]
        assert len(body["steps"]) == 4


def test_token_authentication_works_end_to_end(one_stop):
    client = APIClient()
    resp = client.post(
        "/api/token/", {"username": "motcua.xa", "password": PASSWORD}, format="json"
    )
    assert resp.status_code == 200, resp.content
    client.credentials(HTTP_AUTHORIZATION=f"Token {resp.json()['token']}")
    created = client.post("/api/dossiers/", intake_body(one_stop), format="json")
    assert created.status_code == 201, created.content
    assert client.get(f"/api/dossiers/{created.json()['id']}/").status_code == 200


# --- transitions: errors -----------------------------------------------------------------------


def test_transition_not_allowed_is_409_and_changes_nothing(one_stop):
    dossier = create(one_stop)
    resp = post(one_stop.desk, dossier, "return", {"version": 1, "received_by": "Nguyễn Văn A"})
    err = error(resp, 409)
    assert err["code"] == "transition_not_allowed"
    assert "Mới tiếp nhận" in err["message"]
    resp = post(one_stop.desk, dossier, "receive-supplement", {"version": 1})
    assert error(resp, 409)["code"] == "transition_not_allowed"
    assert state_of(dossier["id"]) == ("received", 1)


def test_stale_version_is_a_conflict_and_changes_nothing(one_stop):
    dossier = create(one_stop)
    # Two officers load version 1; the desk hands over first.
    ok(post(one_stop.desk, dossier, "hand-over", {"version": 1, "to_user": one_stop.specialist.pk}))
    resp = post(
        one_stop.leader,
        dossier,
        "assign",
        {"version": 1, "step": 2, "assignee": one_stop.leader.pk},
    )
    err = error(resp, 409)
    assert err["code"] == "conflict" and dossier["code"] in err["message"]
    d = Dossier.objects.get(pk=dossier["id"])
    assert d.version == 2
    assert d.steps.get(order=2).assignee_id == one_stop.specialist.pk


def test_version_is_required_on_every_transition(one_stop):
    dossier = create(one_stop)
    for transition in (
        "hand-over", "assign", "request-supplement", "receive-supplement", "extend",
        "transfer", "stop", "withdraw", "return",
    ):  # fmt: skip
        fields = error(post(one_stop.desk, dossier, transition, {}), 400)["fields"]
        assert "version" in fields, transition
    resp = post(one_stop.desk, dossier, "result", {"file": pdf_upload()}, fmt="multipart")
    assert "version" in error(resp, 400)["fields"]
    assert state_of(dossier["id"]) == ("received", 1)


def test_officer_who_does_not_hold_the_step_is_forbidden(one_stop):
    dossier = create(one_stop)
    resp = post(one_stop.specialist, dossier, "hand-over", {"version": 1})
    assert error(resp, 403)["code"] == "forbidden"
    resp = post(one_stop.specialist, dossier, "stop", {"version": 1, "reason": "Thử"})
    assert error(resp, 403)["code"] == "forbidden"
    assert state_of(dossier["id"]) == ("received", 1)


def test_bad_transition_input_is_a_field_error(one_stop):
    dossier = create(one_stop)
    resp = post(
        one_stop.desk, dossier, "hand-over", {"version": 1, "to_user": one_stop.outsider.pk}
    )
    assert "to_user" in error(resp, 400)["fields"]
    resp = post(one_stop.leader, dossier, "assign", {"version": 1, "step": 9, "assignee": one_stop.desk.pk})  # fmt: skip
    assert "step" in error(resp, 400)["fields"]
    resp = post(one_stop.leader, dossier, "extend", {"version": 1, "new_due_at": "2026-03-03T09:00:00+07:00", "reason": "Chậm"})  # fmt: skip
    assert "new_due_at" in error(resp, 400)["fields"]  # before the current due date
    resp = post(one_stop.leader, dossier, "extend", {"version": 1, "new_due_at": "mai", "reason": "x"})  # fmt: skip
    assert "new_due_at" in error(resp, 400)["fields"]
    resp = post(one_stop.desk, dossier, "transfer", {"version": 1, "to_agency": one_stop.district.pk, "duration_days": "0"})  # fmt: skip
    assert "duration_days" in error(resp, 400)["fields"]
    resp = post(one_stop.desk, dossier, "withdraw", {"version": 1, "reason": "  "})
    assert "reason" in error(resp, 400)["fields"]
    assert state_of(dossier["id"]) == ("received", 1)


def test_result_must_be_a_real_pdf_and_nothing_is_kept_otherwise(one_stop, settings):
    dossier = create(one_stop)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
    resp = post(
        one_stop.desk,
        dossier,
        "result",
        {"version": 1, "file": SimpleUploadedFile("ket-qua.pdf", png)},
        fmt="multipart",
    )
    assert error(resp, 400)["fields"]["file"]
    # A good PDF with a stale version: refused, and the stored copy is removed again.
    resp = post(one_stop.desk, dossier, "result", {"version": 7, "file": pdf_upload()}, fmt="multipart")  # fmt: skip
    assert error(resp, 409)["code"] == "conflict"
    storage = storages["default"]
    assert not storage.exists("dossiers/results") or not any(
        files for _dirs, files in _walk(storage, "dossiers/results")
    )
    assert state_of(dossier["id"]) == ("received", 1)


def _walk(storage, top):
    dirs, files = storage.listdir(top)
    yield dirs, files
    for d in dirs:
        yield from _walk(storage, f"{top}/{d}")


# --- transitions: the whole life --------------------------------------------------------------


def test_full_walk_through_every_step_via_the_api(one_stop):
    w = one_stop
    d = create(w)
    v = d["version"]

    d = ok(post(w.desk, d, "hand-over", {"version": v, "to_user": w.specialist.pk, "note": "Đủ"}))
    assert d["state"] == "in_process" and d["version"] == v + 1
    assert [s["state"] for s in d["steps"]] == ["done", "active", "pending", "pending"]
    assert d["steps"][0]["timing"] == "on_time" and d["steps"][1]["assignee"] == w.specialist.pk

    d = ok(post(w.leader, d, "assign", {"version": d["version"], "step": 2, "assignee": w.specialist.pk}))  # fmt: skip
    assert d["steps"][1]["assignee_name"]

    d = ok(post(w.specialist, d, "request-supplement", {"version": d["version"], "reason": "Thiếu bản sao sổ hộ khẩu", "papers": ["Sổ hộ khẩu"]}))  # fmt: skip
    assert d["state"] == "supplement" and d["paused_at"]

    d = ok(post(w.desk, d, "receive-supplement", {"version": d["version"], "note": "Đã nhận"}))
    assert d["state"] == "in_process" and d["paused_at"] is None

    due = dt.datetime.fromisoformat(d["due_at"]).astimezone(VN)
    new_due = due + dt.timedelta(days=7)
    while not calendar.is_working_day(new_due):
        new_due += dt.timedelta(days=1)
    d = ok(post(w.leader, d, "extend", {"version": d["version"], "new_due_at": new_due.isoformat(), "reason": "Cần xác minh thêm"}))  # fmt: skip
    assert dt.datetime.fromisoformat(d["due_at"]) == new_due
    assert d["original_due_at"] != d["due_at"]

    d = ok(post(w.specialist, d, "result", {"version": d["version"], "file": pdf_upload(), "note": "Giấy khai sinh"}, fmt="multipart"))  # fmt: skip
    assert d["has_result"] is True and d["result_note"] == "Giấy khai sinh"
    assert [(f["purpose"], f["kind"]) for f in d["files"]] == [("result", "pdf")]

    d = ok(post(w.specialist, d, "hand-over", {"version": d["version"], "to_user": w.leader.pk}))
    assert [s["state"] for s in d["steps"]] == ["done", "done", "active", "pending"]

    d = ok(post(w.leader, d, "hand-over", {"version": d["version"]}))
    assert d["state"] == "result_ready" and d["timing"] == "early"
    assert [s["state"] for s in d["steps"]] == ["done", "done", "done", "active"]

    d = ok(post(w.desk, d, "return", {"version": d["version"], "received_by": "Nguyễn Thị Ánh Tuyết"}))  # fmt: skip
    assert d["state"] == "returned" and d["returned_to"] == "Nguyễn Thị Ánh Tuyết"
    assert d["returned_at"] and d["version"] == 10
    assert all(s["state"] == "done" and s["completed_at"] for s in d["steps"])

    # Nothing more can happen to a returned dossier.
    resp = post(w.desk, d, "withdraw", {"version": d["version"], "reason": "Rút"})
    assert error(resp, 409)["code"] == "transition_not_allowed"

    timeline = ok(api(w.specialist).get(f"/api/dossiers/{d['id']}/timeline/"))
    assert [e["action"] for e in timeline] == [
        "dossier.received",
        "dossier.handed_over",
        "dossier.assigned",
        "dossier.supplement_requested",
        "dossier.supplement_received",
        "dossier.extended",
        "dossier.result_attached",
        "dossier.handed_over",
        "dossier.result_not_signed",  # the test leader has no signing key
        "dossier.handed_over",
        "dossier.returned",
    ]
    assert timeline[0]["actor_label"] and timeline[0]["occurred_at"]
    assert timeline[-1]["data"]["received_by"] == "Nguyễn Thị Ánh Tuyết"


def test_transfer_to_the_district_and_back(one_stop):
    w = one_stop
    d = create(w)
    d = ok(post(w.desk, d, "hand-over", {"version": 1, "to_user": w.specialist.pk}))
    assert error(api(w.district_deskman).get(f"/api/dossiers/{d['id']}/"), 404)
    d = ok(post(w.specialist, d, "transfer", {"version": d["version"], "to_agency": w.district.pk, "duration_days": "2", "note": "Liên thông"}))  # fmt: skip
    transfer_step = d["steps"][2]
    assert transfer_step["is_transfer"] and transfer_step["state"] == "active"
    assert transfer_step["agency"] == w.district_desk.pk
    assert len(d["steps"]) == 5
    # The district's one-stop centre now sees the dossier and hands it back.
    seen = ok(api(w.district_deskman).get(f"/api/dossiers/{d['id']}/"))
    d = ok(post(w.district_deskman, seen, "hand-over", {"version": seen["version"]}))
    assert [s["state"] for s in d["steps"]] == ["done", "done", "done", "active", "pending"]
    assert d["steps"][3]["name"] == "Phê duyệt"


def test_stop_by_the_leader(one_stop):
    d = create(one_stop)
    d = ok(post(one_stop.leader, d, "stop", {"version": 1, "reason": "Không bổ sung đúng hạn"}))
    assert d["state"] == "stopped" and d["closing_reason"] == "Không bổ sung đúng hạn"
    assert {s["state"] for s in d["steps"]} == {"skipped"}


def test_withdraw_recorded_by_the_desk(one_stop):
    d = create(one_stop)
    d = ok(post(one_stop.desk, d, "withdraw", {"version": 1, "reason": "Người nộp xin rút"}))
    assert d["state"] == "withdrawn"
    resp = post(one_stop.leader, d, "stop", {"version": d["version"], "reason": "x"})
    assert error(resp, 409)["code"] == "transition_not_allowed"


# --- list ------------------------------------------------------------------------------------


@pytest.fixture
def several(one_stop):
    """Dossiers received on three days, at two units, for two procedures."""
    w = one_stop

    def receive(at, version=None, desk=None, agency=None, name="Nguyễn Văn An", id_number=CITIZEN_ID):  # fmt: skip
        applicant = services.Applicant(name=name, id_number=id_number)
        intake = services.Intake(
            procedure_version=version or w.commune_version,
            applicant=applicant,
            papers_received=(1, 2),
        )
        with services.simulated_clock(at):
            return services.receive(intake, agency or w.commune_desk, by=desk or w.desk)

    return SimpleNamespace(
        feb=receive(dt.datetime(2026, 2, 24, 10, 0, tzinfo=VN), name="Trần Thị Bình"),
        mar=receive(
            dt.datetime(2026, 3, 2, 8, 0, tzinfo=VN), name="Lê Văn Đức", id_number="025090000999"
        ),  # fmt: skip
        mar2=receive(dt.datetime(2026, 3, 2, 8, 30, tzinfo=VN), name="Phạm Thị Hồng"),
        district=receive(
            dt.datetime(2026, 2, 27, 9, 0, tzinfo=VN),
            version=w.district_version,
            desk=w.district_deskman,
            agency=w.district_desk,
            name="Hoàng Văn Em",
        ),
        other=receive(
            dt.datetime(2026, 2, 27, 9, 0, tzinfo=VN), desk=w.outsider, agency=w.other_desk
        ),
    )


def codes(resp) -> list[str]:
    assert resp.status_code == 200, resp.content
    return [d["code"] for d in resp.json()["results"]]


def test_list_is_scoped_newest_first_without_count(one_stop, several):
    resp = api(one_stop.desk).get("/api/dossiers/")
    assert codes(resp) == [several.mar2.code, several.mar.code, several.feb.code]
    body = resp.json()
    assert "next" in body and "previous" in body and "count" not in body
    assert body["results"][0]["steps"] and "papers" not in body["results"][0]
    district_leader = MembershipFactory(agency=one_stop.district, role="leader").user
    assert len(codes(api(district_leader).get("/api/dossiers/"))) == 5


def test_list_filters(one_stop, several):
    boss = api(MembershipFactory(agency=one_stop.district, role="leader").user)
    s = several
    assert set(codes(boss.get("/api/dossiers/?procedure=1.000002"))) == {s.district.code}
    assert set(codes(boss.get(f"/api/dossiers/?agency={one_stop.commune.pk}"))) == {
        s.feb.code, s.mar.code, s.mar2.code,
    }  # fmt: skip
    assert set(codes(boss.get(f"/api/dossiers/?intake_agency={one_stop.other_desk.pk}"))) == {
        s.other.code
    }
    assert set(codes(boss.get("/api/dossiers/?received_from=2026-03-02"))) == {
        s.mar.code, s.mar2.code,
    }  # fmt: skip
    assert set(codes(boss.get("/api/dossiers/?received_from=2026-02-25&received_to=2026-02-27"))) == {  # fmt: skip
        s.district.code, s.other.code,
    }  # fmt: skip
    assert set(codes(boss.get("/api/dossiers/?received_to=2026-02-24"))) == {s.feb.code}
    assert set(codes(boss.get("/api/dossiers/?applicant_id_number=025090000999"))) == {s.mar.code}
    assert set(codes(boss.get("/api/dossiers/?q=pham thi hong"))) == {s.mar2.code}
    assert set(codes(boss.get("/api/dossiers/?q=DUC"))) == {s.mar.code}
    assert set(codes(boss.get(f"/api/dossiers/?q={s.feb.code}"))) == {s.feb.code}
    services.withdraw(s.mar, "Rút", by=one_stop.desk)
    assert set(codes(boss.get("/api/dossiers/?state=withdrawn"))) == {s.mar.code}
    assert len(codes(boss.get("/api/dossiers/?state=received,withdrawn"))) == 5


@pytest.mark.parametrize(
    "query, field",
    [
        ("state=done", "state"),
        ("agency=x", "agency"),
        ("intake_agency=1.5", "intake_agency"),
        ("received_from=02/03/2026", "received_from"),
        ("received_from=2026-03-02&received_to=2026-03-01", "received_to"),
    ],
)
def test_bad_list_filters_are_structured_400(one_stop, query, field):
    resp = api(one_stop.desk).get(f"/api/dossiers/?{query}")
    assert field in error(resp, 400)["fields"]


def test_cursor_pagination_walks_every_dossier_once(one_stop, several):
    boss = api(MembershipFactory(agency=one_stop.district, role="leader").user)
    page = boss.get("/api/dossiers/?page_size=2").json()
    assert len(page["results"]) == 2 and page["previous"] is None and "count" not in page
    seen = [d["id"] for d in page["results"]]
    while page["next"]:
        page = boss.get(page["next"]).json()
        seen += [d["id"] for d in page["results"]]
    assert len(seen) == 5 and seen == sorted(seen, reverse=True)
