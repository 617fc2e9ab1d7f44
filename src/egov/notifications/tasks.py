"""Background delivery of notifications (run by ``manage.py worker`` through ``core.tasks``)."""

from __future__ import annotations

import logging
import traceback

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from egov.core import tasks
from egov.notifications.models import Channel, DeliveryState, Notification
from egov.notifications.providers import Attachment, DeliveryError, Message, provider_for

log = logging.getLogger("egov.notifications")


def _attachments(notification: Notification) -> tuple[Attachment, ...]:
    kind, _, number = notification.attachment.partition(":")
    if kind != "dossier-form" or notification.object_type != "dossiers.dossier":
        return ()
    from egov.dossiers.forms_pdf import render_form
    from egov.dossiers.models import Dossier

    dossier = Dossier.objects.get(pk=notification.object_id)
    pdf = render_form(dossier, number)
    return (Attachment(f"mau-{number}-{dossier.code or dossier.pk}.pdf", pdf),)


def _claim(notification_id: int) -> Notification | None:
    """Take the row for one attempt; ``None`` when it is already sent, given up, or another
    worker took this attempt (the conditional update is the lock, so nothing is held while the
    other side answers)."""
    row = Notification.objects.filter(pk=notification_id).first()
    if row is None or row.state not in (DeliveryState.QUEUED, DeliveryState.FAILED):
        return None
    taken = Notification.objects.filter(pk=row.pk, state=row.state, attempts=row.attempts).update(
        attempts=F("attempts") + 1, next_attempt_at=None
    )
    if not taken:
        return None
    row.attempts += 1
    return row


def deliver(notification_id: int) -> str:
    """Send one notification. A temporary failure is tried again after the back-off of
    ``core.tasks`` (EGOV_TASK_BACKOFF_SECONDS × 2^(attempt-1)) until EGOV_NOTIFY_MAX_ATTEMPTS
    attempts, then the row is given up; a permanent failure is given up at once. Officers see
    every state and can re-send (``services.resend``)."""
    row = _claim(notification_id)
    if row is None:
        return "skipped"
    provider_name = ""
    try:
        provider = provider_for(row.channel)
        provider_name = provider.name
        message = Message(
            to=row.recipient,
            subject=row.subject,
            body=row.body,
            attachments=_attachments(row) if row.channel == Channel.EMAIL else (),
            reference=f"egov-notification-{row.pk}",
        )
        message_id = provider.send(message)
    except DeliveryError as exc:
        error, temporary = str(exc), exc.temporary
    except Exception as exc:  # a bug or an unexpected answer: keep trying, show the trace
        log.exception("notification %s: unexpected error", row.pk)
        error = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        temporary = True
    else:
        Notification.objects.filter(pk=row.pk).update(
            state=DeliveryState.SENT,
            sent_at=timezone.now(),
            provider=provider_name,
            provider_message_id=str(message_id or "")[:200],
            last_error="",
        )
        log.info("notification %s sent by %s (%s)", row.pk, provider_name, row.channel)
        return "sent"

    if temporary and row.attempts < settings.EGOV_NOTIFY_MAX_ATTEMPTS:
        next_at = timezone.now() + tasks.backoff(row.attempts)
        Notification.objects.filter(pk=row.pk).update(
            state=DeliveryState.FAILED,
            last_error=error,
            provider=provider_name,
            next_attempt_at=next_at,
        )
        tasks.enqueue("egov.notifications.tasks.deliver", row.pk, run_after=next_at)
        log.warning("notification %s attempt %s failed, retrying: %s", row.pk, row.attempts, error)
        return "retrying"
    Notification.objects.filter(pk=row.pk).update(
        state=DeliveryState.GAVE_UP, last_error=error, provider=provider_name
    )
    log.warning("notification %s given up after %s attempt(s): %s", row.pk, row.attempts, error)
    return "gave_up"
