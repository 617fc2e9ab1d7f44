"""The dossier page and its action forms, end to end through the views: visibility, the
timeline, every action, conflicts on a stale version, files, the read-only admin."""

from __future__ import annotations

import io
from urllib.parse import quote

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter

from egov.accounts.tests.factories import CitizenFactory, MembershipFactory, UserFactory
from egov.core.files import store_upload
from egov.dossiers import services
from egov.dossiers.models import Dossier, DossierFile, State, StepState
from egov.dossiers.views.detail import allowed_actions

from .conftest import vn
from .test_services import walk_to_ready

pytestmark = pytest.mark.django_db

NOW = vn(2026, 3, 3, 9, 0)  # a Tuesday; the dossier was received at 08:00


def pdf(name="ket-qua.pdf") -> SimpleUploadedFile:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return SimpleUploadedFile(name, out.getvalue(), content_type="application/pdf")


def post(client, dossier, action, version=None, **fields):
    dossier.refresh_from_db()
    data = {f"{action}-version": dossier.version if version is None else version}
    data.update({f"{action}-{key}": value for key, value in fields.items()})
    return client.post(f"/dossiers/{dossier.pk}/{action}/", data)


def message_texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def d(receive):
    return receive(at=vn(2026, 3, 3, 8, 0))


@time_machine.travel(NOW, tick=False)
def test_page_shows_header_papers_timeline_and_forms(client, world, d):
    services.hand_over(d, by=world.desk, note="Đủ hồ sơ", to_user=world.specialist)
    client.force_login(world.desk)
    page = client.get(f"/dossiers/{d.pk}/").content.decode()
    assert d.code in page and "Đang xử lý" in page and "Thủ tục thử 1.000001" in page
    assert "Nguyễn Thị Ánh Tuyết" in page and "025090000123" in page
    assert "Tờ khai theo mẫu" in page and "Bộ phận một cửa xã Đỗ Thử" in page
    steps = page.split('data-testid="steps-timeline"')[1].split("</ol>")[0]
    assert steps.count("<li") == 4 and 'class="is-done"' in steps and "is-active" in steps
    assert "Đúng hạn" in steps  # step 1 handed over on its due day, before its due moment
    assert "Chuyenvien Xa" in steps  # the assignee of step 2
    events = page.split('data-testid="events-timeline"')[1].split("</ol>")[0]
    assert events.index("Tiếp nhận hồ sơ") < events.index("Chuyển bước xử lý")
    assert "Motcua Xa" in events and "Đủ hồ sơ" in events
    assert f"/dossiers/{d.pk}/forms/01.pdf" in page and f"/dossiers/{d.pk}/forms/06.pdf" in page
    assert "forms/02.pdf" not in page and "forms/04.pdf" not in page
    assert d.pin not in page  # the PIN is shown once, right after intake


def test_other_agency_and_citizens_get_nothing(client, world, d):
    file = DossierFile.objects.create(
        dossier=d,
        purpose="scan",
        storage_name="x.pdf",
        original_name="x.pdf",
        size=1,
        sha256="0" * 64,
        kind="pdf",
    )
    client.force_login(world.outsider)
    assert client.get(f"/dossiers/{d.pk}/").status_code == 404
    assert post(client, d, "withdraw", reason="x").status_code == 404
    assert client.get(f"/dossiers/files/{file.pk}/").status_code == 404
    d.refresh_from_db()
    assert d.state == State.RECEIVED
    client.force_login(CitizenFactory())
    assert client.get(f"/dossiers/{d.pk}/").status_code == 403
    client.logout()
    assert client.get(f"/dossiers/{d.pk}/").status_code == 302


@time_machine.travel(NOW, tick=False)
def test_stale_version_is_a_conflict_and_nothing_changes(client, world, d):
    client.force_login(world.desk)
    seen = d.version
    page = client.get(f"/dossiers/{d.pk}/").content.decode()
    assert f'name="hand_over-version" value="{seen}"' in page
    colleague = MembershipFactory(agency=world.commune_desk, role="onestop").user
    head = MembershipFactory(agency=world.commune_desk, role="leader").user
    services.assign(d, 1, colleague, by=head)  # meanwhile the unit's head gives it to a colleague
    d.refresh_from_db()
    before = (d.state, d.version, list(d.steps.values_list("state", "assignee")))
    resp = post(client, d, "hand_over", version=seen, note="Chuyển", to_user=world.leader.pk)
    assert resp.status_code == 302
    assert any("vừa được người khác cập nhật" in m for m in message_texts(resp))
    d.refresh_from_db()
    assert (d.state, d.version, list(d.steps.values_list("state", "assignee"))) == before


@time_machine.travel(NOW, tick=False)
def test_every_step_through_the_forms_to_the_return(client, world, d):
    client.force_login(world.desk)
    assert post(client, d, "hand_over", note="Đủ", to_user=world.specialist.pk).status_code == 302
    assert d.steps.get(order=2).assignee == world.specialist

    client.force_login(world.specialist)
    resp = client.post(
        f"/dossiers/{d.pk}/attach_result/",
        {
            "attach_result-version": Dossier.objects.get(pk=d.pk).version,
            "attach_result-file": pdf(),
        },
    )
    assert resp.status_code == 302
    assert post(client, d, "hand_over", note="Đề nghị ký").status_code == 302

    client.force_login(world.leader)
    page = client.get(f"/dossiers/{d.pk}/").content.decode()
    assert "cần đính kèm văn bản kết quả trước" in page  # the next step is the return
    resp = post(client, d, "hand_over", to_user=world.desk.pk)
    assert resp.status_code == 302, resp.content.decode()
    d.refresh_from_db()
    assert d.state == State.RESULT_READY and d.timing == "early"

    client.force_login(world.desk)
    page = client.get(f"/dossiers/{d.pk}/").content.decode()
    assert 'value="Nguyễn Thị Ánh Tuyết"' in page  # the receiver defaults to the applicant
    assert post(client, d, "return_result", received_by="Nguyễn Văn Nhận").status_code == 302
    d.refresh_from_db()
    assert d.state == State.RETURNED and d.returned_to == "Nguyễn Văn Nhận"
    page = client.get(f"/dossiers/{d.pk}/").content.decode()
    assert "Đã trả kết quả" in page and "Nguyễn Văn Nhận" in page
    assert "Không có thao tác nào dành cho bạn" in page
    assert "egov-timing-early" in page and "egov-timing-on_time" in page


@time_machine.travel(NOW, tick=False)
def test_result_must_be_a_pdf_and_is_needed_before_the_return(client, world, d):
    services.hand_over(d, by=world.desk)
    client.force_login(world.specialist)
    docx = SimpleUploadedFile("ket-qua.docx", b"PK\x03\x04 no", "application/msword")
    resp = client.post(
        f"/dossiers/{d.pk}/attach_result/",
        {"attach_result-version": Dossier.objects.get(pk=d.pk).version, "attach_result-file": docx},
    )
    page = resp.content.decode()
    assert resp.status_code == 400 and "chỉ nhận PDF" in page
    assert 'id="id_attach_result-file-error"' in page
    post(client, d, "hand_over")  # to the leader's step 3
    client.force_login(world.leader)
    resp = post(client, d, "hand_over")
    assert resp.status_code == 400
    assert "Cần đính kèm văn bản kết quả trước khi chuyển trả kết quả." in resp.content.decode()
    d.refresh_from_db()
    assert d.state == State.IN_PROCESS and d.steps.get(order=3).state == StepState.ACTIVE


@time_machine.travel(NOW, tick=False)
def test_assign_by_the_leader(client, world, d):
    services.hand_over(d, by=world.desk)
    client.force_login(world.leader)
    page = client.get(f"/dossiers/{d.pk}/").content.decode()
    assert "Phân công xử lý" in page and "Chuyenvien Xa" in page
    assert post(client, d, "assign", step=2, assignee=world.specialist.pk).status_code == 302
    assert d.steps.get(order=2).assignee == world.specialist
    outsider = UserFactory()
    resp = post(client, d, "assign", step=2, assignee=outsider.pk)
    assert resp.status_code == 400  # not a member: not among the choices


@time_machine.travel(NOW, tick=False)
def test_supplement_requested_then_received_with_papers(client, world, d, settings):
    services.hand_over(d, by=world.desk)
    client.force_login(world.specialist)
    resp = post(client, d, "request_supplement", reason="", papers="")
    assert resp.status_code == 400 and "Nêu rõ nội dung cần bổ sung" in resp.content.decode()
    resp = post(
        client,
        d,
        "request_supplement",
        reason="Bản sao giấy khai sinh không rõ",
        papers="Bản sao giấy khai sinh\n\nSổ hộ khẩu",
    )
    d.refresh_from_db()
    assert d.state == State.SUPPLEMENT
    assert d.supplements.get().papers == ["Bản sao giấy khai sinh", "Sổ hộ khẩu"]
    page = client.get(f"/dossiers/{d.pk}/").content.decode()
    assert f"/dossiers/{d.pk}/forms/02.pdf" in page and "Tạm dừng" in page

    with time_machine.travel(vn(2026, 3, 5, 9, 0), tick=False):
        client.force_login(world.desk)  # two days later: a new session
        resp = client.post(
            f"/dossiers/{d.pk}/receive_supplement/",
            {
                "receive_supplement-version": d.version,
                "receive_supplement-files": [pdf("khai-sinh.pdf"), pdf("ho-khau.pdf")],
                "receive_supplement-note": "Đã nhận bản sao",
            },
        )
    assert resp.status_code == 302
    d.refresh_from_db()
    assert d.state == State.IN_PROCESS and d.paused_at is None
    assert sorted(d.files.filter(purpose="supplement").values_list("original_name", flat=True)) == [
        "ho-khau.pdf",
        "khai-sinh.pdf",
    ]
    assert "Nhận hồ sơ bổ sung" in client.get(f"/dossiers/{d.pk}/").content.decode()


@time_machine.travel(NOW, tick=False)
def test_extend_with_apology(client, world, d):
    client.force_login(world.desk)
    resp = post(client, d, "extend", new_due_at="2026-03-20", reason="Chờ xác minh")
    assert resp.status_code == 400 and "dd/mm/yyyy HH:MM" in resp.content.decode()
    resp = post(client, d, "extend", new_due_at="01/03/2026 10:00", reason="Chờ xác minh")
    assert resp.status_code == 400 and "Hạn mới phải sau hạn hiện tại" in resp.content.decode()
    assert 'id="id_extend-new_due_at-error"' in resp.content.decode()
    resp = post(client, d, "extend", new_due_at="20/03/2026 16:00", reason="Chờ xác minh")
    assert resp.status_code == 302
    d.refresh_from_db()
    assert d.due_at == vn(2026, 3, 20, 16, 0) and d.original_due_at != d.due_at
    page = client.get(f"/dossiers/{d.pk}/").content.decode()
    assert f"/dossiers/{d.pk}/forms/04.pdf" in page and "đã điều chỉnh" in page
    # an officer who sees the dossier but does not answer for it may not extend it
    clerk = MembershipFactory(agency=world.commune, role="clerk").user
    client.force_login(clerk)
    resp = post(client, d, "extend", new_due_at="27/03/2026 16:00", reason="x")
    assert any("không có quyền" in m for m in message_texts(resp))
    d.refresh_from_db()
    assert d.due_at == vn(2026, 3, 20, 16, 0)


@time_machine.travel(NOW, tick=False)
def test_transfer_to_the_district(client, world, d, receive):
    services.hand_over(d, by=world.desk)
    client.force_login(world.specialist)
    page = client.get(f"/dossiers/{d.pk}/").content.decode()
    assert "UBND huyện Thử" in page.split('data-action="transfer"')[1]
    resp = post(client, d, "transfer", to_agency=world.district.pk, days="2", note="Xin ý kiến")
    assert resp.status_code == 302
    step = d.steps.get(state=StepState.ACTIVE)
    assert step.agency == world.district_desk and step.is_transfer
    client.force_login(world.district_deskman)
    assert d.code in client.get("/dossiers/").content.decode()
    assert client.get(f"/dossiers/{d.pk}/").status_code == 200


@time_machine.travel(NOW, tick=False)
def test_stop_by_the_leader_and_withdraw_by_the_desk(client, world, d, receive):
    client.force_login(world.desk)
    page = client.get(f"/dossiers/{d.pk}/").content.decode()
    assert 'data-action="stop"' not in page and 'data-action="withdraw"' in page
    resp = post(client, d, "stop", reason="Không bổ sung")  # not a leader: the service refuses
    assert any("không có quyền" in m.lower() for m in message_texts(resp)) or (
        resp.status_code == 400 and "không có quyền" in resp.content.decode().lower()
    )
    client.force_login(world.leader)
    assert post(client, d, "stop", reason="Quá hạn bổ sung").status_code == 302
    d.refresh_from_db()
    assert d.state == State.STOPPED
    page = client.get(f"/dossiers/{d.pk}/").content.decode()
    assert f"/dossiers/{d.pk}/forms/05.pdf" in page
    # a transition no longer allowed: explained, nothing changes
    resp = post(client, d, "stop", reason="Lần nữa")
    assert any("Không thể dừng giải quyết" in m for m in message_texts(resp))

    other = receive(at=vn(2026, 3, 2, 10, 0))
    client.force_login(world.desk)
    assert post(client, other, "withdraw", reason="Người nộp xin rút").status_code == 302
    other.refresh_from_db()
    assert other.state == State.WITHDRAWN and other.closing_reason == "Người nộp xin rút"


@time_machine.travel(NOW, tick=False)
def test_actions_offered_follow_role_and_state(world, d, receive):
    step = d.steps.get(order=1)  # at the one-stop unit, with the desk officer
    assert allowed_actions(world.desk, d, step) == [
        "attach_result",
        "hand_over",
        "request_supplement",
        "extend",
        "transfer",
        "withdraw",
    ]
    assert allowed_actions(world.leader, d, step) == ["extend", "stop"]
    assert allowed_actions(world.specialist, d, step) == []
    services.hand_over(d, by=world.desk)
    d.refresh_from_db()
    step = d.steps.get(order=2)  # at the commune, for a specialist, unassigned
    assert allowed_actions(world.desk, d, step) == ["extend", "withdraw"]
    assert allowed_actions(world.specialist, d, step) == [
        "attach_result",
        "hand_over",
        "request_supplement",
        "extend",
        "transfer",
    ]
    assert allowed_actions(world.leader, d, step) == [
        "attach_result",
        "hand_over",
        "assign",
        "request_supplement",
        "extend",
        "transfer",
        "stop",
    ]
    assert allowed_actions(world.outsider, d, step) == []
    ready = walk_to_ready(world, receive(at=vn(2026, 3, 2, 9, 0)), vn(2026, 3, 2, 10, 0))
    step = ready.steps.get(state=StepState.ACTIVE)
    assert allowed_actions(world.desk, ready, step) == ["return_result"]


def test_file_download_keeps_the_original_name(client, world, d):
    stored = store_upload(pdf("giấy khai sinh.pdf"), folder="dossiers/scans")
    file = DossierFile.objects.create(
        dossier=d,
        purpose="scan",
        storage_name=stored.name,
        original_name=stored.original_name,
        size=stored.size,
        sha256=stored.sha256,
        kind="pdf",
    )
    client.force_login(world.desk)
    resp = client.get(f"/dossiers/files/{file.pk}/")
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    assert f"filename*=utf-8''{quote('giấy khai sinh.pdf')}" in resp["Content-Disposition"]
    assert resp["Content-Disposition"].startswith("attachment")
    assert b"".join(resp.streaming_content).startswith(b"%PDF-")
    resp = client.get(f"/dossiers/files/{file.pk}/?inline=1")
    assert resp["Content-Disposition"].startswith("inline")
    assert client.get("/dossiers/files/999999/").status_code == 404


def test_admin_is_read_only(client, world, d):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert client.get("/admin/dossiers/dossier/").status_code == 200
    page = client.get(f"/admin/dossiers/dossier/{d.pk}/change/").content.decode()
    assert d.code in page and "Tiếp nhận hồ sơ" in page  # the steps inline
    assert 'name="_save"' not in page
    assert client.get("/admin/dossiers/dossier/add/").status_code == 403
    resp = client.post(f"/admin/dossiers/dossier/{d.pk}/change/", {"state": "returned"})
    assert resp.status_code == 403
    d.refresh_from_db()
    assert d.state == State.RECEIVED
