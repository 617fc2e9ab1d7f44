"""From the one-stop shop's transitions to notification rows: the audit hook, the Vietnamese
templates of every event, idempotency, and what creates nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from egov.core import calendar
from egov.core.models import Job
from egov.dossiers import services as dossier_services
from egov.dossiers.models import Dossier, State
from egov.dossiers.tests.conftest import intake, result_pdf, vn
from egov.notifications import services, tasks
from egov.notifications.models import Channel, DeliveryState, Notification
from egov.notifications.services import date_dmy

pytestmark = pytest.mark.django_db


def templates_sent(dossier, channel=Channel.EMAIL) -> list[str]:
    rows = Notification.objects.for_object("dossiers.dossier", dossier.pk).filter(channel=channel)
    return list(rows.order_by("id").values_list("template", flat=True))


def latest(dossier, channel) -> Notification:
    return Notification.objects.filter(object_id=str(dossier.pk), channel=channel).latest("id")


def test_every_event_of_a_dossier_reaches_the_applicant(world, receive):
    d = receive(at=timezone.now())
    assert templates_sent(d) == ["dossier_received"]
    assert Job.objects.filter(task_path="egov.notifications.tasks.deliver").count() == 2

    dossier_services.request_supplement(
        d,
        "Bản sao giấy khai sinh chưa chứng thực",
        ["Giấy khai sinh (bản sao chứng thực)"],
        by=world.desk,
    )
    mail = latest(d, Channel.EMAIL)
    assert mail.template == "supplement_requested"
    assert "Nội dung cần bổ sung: Bản sao giấy khai sinh chưa chứng thực" in mail.body
    assert "  - Giấy khai sinh (bản sao chứng thực)" in mail.body

    d = dossier_services.receive_supplement(d, by=world.desk)
    mail = latest(d, Channel.EMAIL)
    assert mail.template == "supplement_received"
    assert f"Ngày hẹn trả kết quả mới: {date_dmy(d.due_at)}" in mail.body

    dossier_services.hand_over(d, by=world.desk)  # an internal step: nothing to tell
    assert latest(d, Channel.EMAIL).template == "supplement_received"

    old_due = Dossier.objects.get(pk=d.pk).due_at
    new_due = calendar.add_duration(old_due, Decimal(3), "days")
    dossier_services.apologize_and_extend(d, new_due, "Cần xác minh thêm tại thôn", by=world.leader)
    mail = latest(d, Channel.EMAIL)
    assert mail.template == "late_apology" and mail.attachment == "dossier-form:04"
    assert "thành thật xin lỗi" in mail.body and "Mẫu 04" in mail.body
    assert f"theo ngày hẹn {date_dmy(old_due)}" in mail.body
    assert f"Ngày hẹn trả kết quả mới: {date_dmy(new_due)}" in mail.body
    assert "Lý do: Cần xác minh thêm tại thôn" in mail.body

    dossier_services.attach_result(d, result_pdf(), by=world.specialist)
    dossier_services.hand_over(d, by=world.specialist)
    assert latest(d, Channel.EMAIL).template == "late_apology"
    dossier_services.hand_over(d, by=world.leader)
    assert Dossier.objects.get(pk=d.pk).state == State.RESULT_READY
    mail = latest(d, Channel.EMAIL)
    assert mail.template == "result_ready" and mail.subject == f"Hồ sơ {d.code} đã có kết quả"
    assert "Mời Ông/Bà đến nhận kết quả tại Bộ phận một cửa xã Đỗ Thử" in mail.body
    assert f"/tra-cuu/?ma={d.code}" in mail.body

    dossier_services.return_result(d, by=world.desk, received_by="Nguyễn Thị Ánh Tuyết")
    mail = latest(d, Channel.EMAIL)
    assert mail.template == "returned" and "https://dichvucong.thu.example.vn/tra-cuu/" in mail.body

    expected = [
        "dossier_received",
        "supplement_requested",
        "supplement_received",
        "late_apology",
        "result_ready",
        "returned",
    ]
    assert templates_sent(d) == expected
    assert templates_sent(d, Channel.SMS) == expected
    for sms in Notification.objects.filter(object_id=str(d.pk), channel=Channel.SMS):
        assert d.code in sms.body and len(sms.body) <= 160, sms.body
        assert sms.recipient == "0912345678" and sms.subject == ""
        assert sms.agency_id == world.commune_desk.pk


def test_late_apology_email_carries_form_04(world, receive, smtp_server):
    d = receive(at=timezone.now())
    new_due = calendar.add_duration(d.due_at, Decimal(2), "days")
    dossier_services.apologize_and_extend(d, new_due, "Chờ ý kiến cơ quan khác", by=world.leader)
    row = latest(d, Channel.EMAIL)
    assert tasks.deliver(row.pk) == "sent"
    mail = smtp_server.messages[-1]
    attachments = list(mail.iter_attachments())
    assert [a.get_filename() for a in attachments] == [f"mau-04-{d.code}.pdf"]
    assert attachments[0].get_content().startswith(b"%PDF")


def test_online_return_points_to_the_download(world, receive):
    d = receive(at=timezone.now(), return_method="online")
    dossier_services.hand_over(d, by=world.desk)
    dossier_services.attach_result(d, result_pdf(), by=world.specialist)
    dossier_services.hand_over(d, by=world.specialist)
    dossier_services.hand_over(d, by=world.leader)
    mail = latest(d, Channel.EMAIL)
    assert mail.template == "result_ready" and "nhận kết quả trực tuyến" in mail.body
    assert "Tải kết quả tại" in latest(d, Channel.SMS).body


def test_refused_intake_tells_the_reason(world):
    d = dossier_services.refuse_intake(
        intake(world.commune_version, papers=(1,)),
        world.commune_desk,
        "Thiếu tờ khai theo mẫu & giấy tờ tùy thân",
        by=world.desk,
    )
    mail = latest(d, Channel.EMAIL)
    assert mail.template == "refused" and mail.dossier_code == ""
    # plain text: no HTML escaping
    assert "Lý do: Thiếu tờ khai theo mẫu & giấy tờ tùy thân" in mail.body
    assert "Thủ tục thử 1.000001" in mail.subject
    assert len(latest(d, Channel.SMS).body) <= 160


def test_applicant_without_email_or_phone_gets_nothing(world):
    applicant = dossier_services.Applicant(
        name="Lò Văn Páo", id_number="025090000999", address="Bản Mường"
    )
    d = dossier_services.receive(
        dossier_services.Intake(world.commune_version, applicant, papers_received=(1, 2)),
        world.commune_desk,
        by=world.desk,
    )
    assert d.code and not Notification.objects.exists()
    assert not Job.objects.filter(task_path="egov.notifications.tasks.deliver").exists()


def test_email_only_applicant_gets_only_email(world):
    applicant = dossier_services.Applicant(
        name="Hà Thị Mai", id_number="025090000998", email="mai@example.vn"
    )
    dossier_services.receive(
        dossier_services.Intake(world.commune_version, applicant, papers_received=(1, 2)),
        world.commune_desk,
        by=world.desk,
    )
    assert list(Notification.objects.values_list("channel", flat=True)) == [Channel.EMAIL]


def test_replayed_history_is_not_news(receive):
    receive(at=vn(2025, 3, 3, 9, 0))  # demo data and benchmarks replay the past
    assert not Notification.objects.exists()


def test_same_event_twice_sends_once(receive):
    d = receive(at=timezone.now())
    before = Notification.objects.count()
    first = services.notify("result_ready", d, dedupe_key="postal:123")
    again = services.notify("result_ready", d, dedupe_key="postal:123")
    assert len(first) == 2 and again == []
    assert Notification.objects.count() == before + 2
    assert set(
        Notification.objects.filter(dedupe_key__startswith="postal:123").values_list(
            "dedupe_key", flat=True
        )
    ) == {"postal:123:email", "postal:123:sms"}


def test_rolled_back_change_announces_nothing(world):
    with pytest.raises(RuntimeError), transaction.atomic():
        dossier_services.receive(intake(world.commune_version), world.commune_desk, by=world.desk)
        assert Notification.objects.count() == 2  # written with the change…
        raise RuntimeError
    assert not Notification.objects.exists()  # …and gone with it
    assert not Job.objects.exists()


def test_a_broken_template_does_not_undo_the_officers_action(world, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("template bug")

    monkeypatch.setattr(services, "render", broken)
    d = dossier_services.receive(intake(world.commune_version), world.commune_desk, by=world.desk)
    assert Dossier.objects.filter(pk=d.pk, state=State.RECEIVED).exists()
    assert not Notification.objects.exists()


def test_unknown_event_is_refused(receive):
    d = receive(at=timezone.now())
    with pytest.raises(ValueError):
        services.notify("dossier_exploded", d)


def test_resend_only_failed_rows(world, receive):
    d = receive(at=timezone.now())
    row = latest(d, Channel.SMS)
    services.resend(row, by=world.desk)  # queued: nothing to do
    row.refresh_from_db()
    assert row.state == DeliveryState.QUEUED
    Notification.objects.filter(pk=row.pk).update(state=DeliveryState.GAVE_UP, attempts=6)
    services.resend(row, by=world.desk)
    row.refresh_from_db()
    assert row.state == DeliveryState.QUEUED and row.attempts == 0
