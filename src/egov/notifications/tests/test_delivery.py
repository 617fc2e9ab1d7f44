"""Delivery over real sockets: email to an SMTP server started in the test, SMS through the
reference gateway; retries of temporary errors, giving up on permanent ones, re-sending."""

from __future__ import annotations

import pytest
from django.utils import timezone

from egov.core.models import AuditEvent
from egov.notifications import services
from egov.notifications.models import Channel, DeliveryState, Notification
from egov.notifications.services import date_dmy

from .conftest import run_worker

pytestmark = pytest.mark.django_db(transaction=True)


def by_channel(dossier) -> dict[str, Notification]:
    rows = Notification.objects.filter(object_id=str(dossier.pk))
    return {row.channel: row for row in rows}


def test_received_dossier_is_emailed_and_texted(receive, smtp_server, sms_gateway):
    dossier = receive(at=timezone.now())
    rows = by_channel(dossier)
    # the rows exist, queued, before anything was sent
    assert set(rows) == {Channel.EMAIL, Channel.SMS}
    assert all(r.state == DeliveryState.QUEUED and r.attempts == 0 for r in rows.values())
    assert smtp_server.messages == [] and sms_gateway.messages == []

    run_worker()

    due = date_dmy(dossier.due_at)
    assert len(smtp_server.messages) == 1
    mail = smtp_server.messages[0]
    assert mail["To"] == "tuyet@example.vn"
    assert mail["From"] == "motcua@thu.example.vn"
    # (Django folds a long encoded subject onto the next line; readers drop the fold)
    assert mail["Subject"].strip() == f"Đã tiếp nhận hồ sơ {dossier.code}"
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert "Kính gửi Ông/Bà Nguyễn Thị Ánh Tuyết" in text
    assert dossier.code in text and dossier.pin in text
    assert f"Ngày hẹn trả kết quả: {due}" in text
    assert "Thủ tục thử 1.000001" in text
    assert f"https://dichvucong.thu.example.vn/tra-cuu/?ma={dossier.code}" in text
    assert smtp_server.envelopes[0].rcpt_tos == ["tuyet@example.vn"]

    assert len(sms_gateway.messages) == 1
    sms = sms_gateway.messages[0]
    assert sms.to == "0912345678" and sms.sender == "UBND-THU"
    assert dossier.code in sms.text and dossier.pin in sms.text and due in sms.text
    assert len(sms.text) <= 160

    rows = by_channel(dossier)
    email_row, sms_row = rows[Channel.EMAIL], rows[Channel.SMS]
    assert email_row.state == DeliveryState.SENT and email_row.attempts == 1
    assert email_row.provider == "smtp" and email_row.provider_message_id.startswith("<")
    assert email_row.sent_at is not None and email_row.dossier_code == dossier.code
    assert sms_row.state == DeliveryState.SENT and sms_row.provider == "http"
    assert sms_row.provider_message_id == sms.id


def test_gateway_500_is_retried_until_it_succeeds(receive, smtp_server, sms_gateway):
    sms_gateway.fail_next(500)
    dossier = receive(at=timezone.now())
    run_worker()
    sms_row = by_channel(dossier)[Channel.SMS]
    assert sms_row.state == DeliveryState.SENT and sms_row.attempts == 2
    assert sms_row.last_error == ""
    assert len(sms_gateway.requests) == 2 and len(sms_gateway.messages) == 1


def test_gateway_400_gives_up_at_once_and_an_officer_can_resend(
    world, receive, smtp_server, sms_gateway
):
    sms_gateway.fail_next(400)
    dossier = receive(at=timezone.now())
    run_worker()
    sms_row = by_channel(dossier)[Channel.SMS]
    assert sms_row.state == DeliveryState.GAVE_UP and sms_row.attempts == 1
    assert "HTTP 400" in sms_row.last_error
    assert sms_gateway.messages == []

    services.resend(sms_row, by=world.desk)
    assert AuditEvent.objects.filter(action="notification.resent").count() == 1
    run_worker()
    sms_row.refresh_from_db()
    assert sms_row.state == DeliveryState.SENT and sms_row.attempts == 1
    assert len(sms_gateway.messages) == 1


def test_temporary_errors_give_up_after_max_attempts(settings, receive, smtp_server, sms_gateway):
    settings.EGOV_NOTIFY_MAX_ATTEMPTS = 3
    sms_gateway.fail_next(503, times=10)
    dossier = receive(at=timezone.now())
    run_worker()
    sms_row = by_channel(dossier)[Channel.SMS]
    assert sms_row.state == DeliveryState.GAVE_UP and sms_row.attempts == 3
    assert "HTTP 503" in sms_row.last_error
    assert len(sms_gateway.requests) == 3
    # email was not held up by the SMS gateway
    assert by_channel(dossier)[Channel.EMAIL].state == DeliveryState.SENT


def test_wrong_token_is_permanent(settings, receive, smtp_server, sms_gateway):
    settings.EGOV_NOTIFY_SMS_TOKEN = "not-the-token"
    dossier = receive(at=timezone.now())
    run_worker()
    sms_row = by_channel(dossier)[Channel.SMS]
    assert sms_row.state == DeliveryState.GAVE_UP and "HTTP 401" in sms_row.last_error
    assert "not-the-token" not in sms_row.last_error


def test_smtp_server_down_is_retried_then_given_up(settings, receive, sms_gateway):
    from .conftest import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    settings.EGOV_NOTIFY_MAX_ATTEMPTS = 2
    dossier = receive(at=timezone.now())
    run_worker()
    email_row = by_channel(dossier)[Channel.EMAIL]
    assert email_row.state == DeliveryState.GAVE_UP and email_row.attempts == 2
    assert "unreachable" in email_row.last_error


def test_smtp_550_for_the_recipient_is_permanent(receive, smtp_server, sms_gateway):
    smtp_server.refuse["tuyet@example.vn"] = "550 5.1.1 No such user"
    dossier = receive(at=timezone.now())
    run_worker()
    email_row = by_channel(dossier)[Channel.EMAIL]
    assert email_row.state == DeliveryState.GAVE_UP and email_row.attempts == 1
    assert "550" in email_row.last_error and smtp_server.messages == []


def test_smtp_451_for_the_recipient_is_retried(receive, smtp_server, sms_gateway):
    smtp_server.refuse["tuyet@example.vn"] = "451 4.3.0 Try again later"
    dossier = receive(at=timezone.now())
    # the mailbox is back before the second attempt
    from egov.notifications import tasks

    row = by_channel(dossier)[Channel.EMAIL]
    assert tasks.deliver(row.pk) == "retrying"
    row.refresh_from_db()
    assert row.state == DeliveryState.FAILED and row.next_attempt_at is not None
    del smtp_server.refuse["tuyet@example.vn"]
    run_worker()
    row.refresh_from_db()
    assert row.state == DeliveryState.SENT and row.attempts >= 2
    assert len(smtp_server.messages) == 1


def test_a_sent_notification_is_never_sent_twice(receive, smtp_server, sms_gateway):
    from egov.notifications import tasks

    dossier = receive(at=timezone.now())
    run_worker()
    for row in by_channel(dossier).values():
        assert tasks.deliver(row.pk) == "skipped"
    assert len(smtp_server.messages) == 1 and len(sms_gateway.messages) == 1
