"""Notifications to citizens: what to say (Vietnamese templates), to whom, and the delivery log.

``notify("dossier_received", dossier)`` renders the event's templates and writes one
:class:`~egov.notifications.models.Notification` per channel the applicant gave (email,
phone), in the caller's transaction, before anything is sent; delivery is enqueued for after
commit (``core.tasks``), so a rolled-back change announces nothing and a committed one is never
lost. NĐ 61/2018 Điều 18 (now NĐ 118/2025) asks the one-stop unit to tell the applicant when a
dossier must be supplemented, is late (with the apology letter, form 04) and when the result is
ready; the receipt and the other messages follow the same path.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template import Context, Engine
from django.urls import reverse
from django.utils import timezone, translation

from egov.accounts.services import normalise_phone
from egov.core import audit, tasks
from egov.notifications.models import Channel, DeliveryState, Notification

log = logging.getLogger("egov.notifications")

#: Event keys = template folders under templates/notifications/.
EVENTS = (
    "dossier_received",
    "supplement_requested",
    "supplement_received",
    "result_ready",
    "late_apology",
    "refused",
    "returned",
)
#: Legal forms attached to an event's email (rendered at delivery by dossiers.forms_pdf).
ATTACHMENTS = {"late_apology": "dossier-form:04"}

# Plain-text messages: no HTML escaping (an "&" in a reason stays "&"), see render().
_ENGINE = Engine(
    dirs=[str(Path(__file__).resolve().parent / "templates")],
    libraries={"i18n": "django.templatetags.i18n"},
)


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    return timezone.localtime(moment) if moment is not None else None


def date_dmy(moment: dt.datetime | None) -> str:
    """``05/03/2026`` in Vietnam time."""
    local = _local(moment)
    return f"{local:%d/%m/%Y}" if local else ""


def time_hm(moment: dt.datetime | None) -> str:
    local = _local(moment)
    return f"{local:%H:%M}" if local else ""


def site_url(path: str = "/") -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def dossier_context(dossier, extra: dict | None = None) -> dict:
    from egov.dossiers.forms_pdf import tracking_url

    version = dossier.procedure_version
    context = {
        "dossier": dossier,
        "code": dossier.code or "",
        "pin": dossier.pin,
        "applicant_name": dossier.applicant_name,
        "procedure": version.name,
        "agency": dossier.agency.name,
        "desk": dossier.intake_agency.name,
        "received_date": date_dmy(dossier.received_at),
        "due_date": date_dmy(dossier.due_at),
        "due_time": time_hm(dossier.due_at),
        "old_due_date": date_dmy(dossier.original_due_at),
        "returned_date": date_dmy(dossier.returned_at),
        "tracking_url": tracking_url(dossier) if dossier.code else site_url("/tra-cuu/"),
        "lookup_url": site_url("/tra-cuu/"),
        # the rating form is on the citizen's own dossier page (login); without an account the
        # tracking page is where they follow the dossier
        "rating_url": site_url(reverse("portal:my_dossier", args=[dossier.pk]))
        if dossier.citizen_id
        else site_url("/tra-cuu/"),
        "return_method": dossier.return_method,
        "return_method_label": dossier.get_return_method_display(),
        "reason": dossier.closing_reason,
        "papers": [],
    }
    context.update(extra or {})
    return context


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _tidy_body(text: str) -> str:
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


def render(event: str, context: dict) -> dict[str, str]:
    """The event's ``subject``, ``body`` (email) and ``sms`` texts, in Vietnamese."""
    if event not in EVENTS:
        raise ValueError(f"unknown notification event {event!r}")
    with translation.override("vi"):
        ctx = Context(context, autoescape=False)
        return {
            "subject": _one_line(
                _ENGINE.get_template(f"notifications/{event}/subject.txt").render(ctx)
            ),
            "body": _tidy_body(_ENGINE.get_template(f"notifications/{event}/body.txt").render(ctx)),
            "sms": _one_line(_ENGINE.get_template(f"notifications/{event}/sms.txt").render(ctx)),
        }


def recipients_of(dossier) -> list[tuple[str, str]]:
    """(channel, address) pairs the applicant gave: the email, and the phone if it is a
    Vietnamese mobile number (SMS cannot reach a landline)."""
    out = []
    email = (dossier.applicant_email or "").strip()
    if email:
        out.append((Channel.EMAIL, email))
    phone = normalise_phone(dossier.applicant_phone or "")
    if phone:
        out.append((Channel.SMS, phone))
    return out


def _create(dedupe_key: str | None, **fields) -> Notification | None:
    if dedupe_key is not None and Notification.objects.filter(dedupe_key=dedupe_key).exists():
        return None
    try:
        with transaction.atomic():
            return Notification.objects.create(dedupe_key=dedupe_key, **fields)
    except IntegrityError:
        if dedupe_key is not None:  # a concurrent twin won the race
            return None
        raise


def notify(
    event: str, dossier, *, extra: dict | None = None, dedupe_key: str | None = None
) -> list[Notification]:
    """Tell the dossier's applicant about ``event`` (one of :data:`EVENTS`) by email and SMS.

    Rows are created in the caller's transaction; delivery starts after commit. With
    ``dedupe_key`` (e.g. the audit event that caused it), calling again for the same key sends
    nothing more. A dossier without email and phone creates nothing."""
    recipients = recipients_of(dossier)
    if not recipients:
        return []
    texts = render(event, dossier_context(dossier, extra))
    created = []
    for channel, address in recipients:
        is_email = channel == Channel.EMAIL
        row = _create(
            f"{dedupe_key}:{channel}" if dedupe_key else None,
            channel=channel,
            recipient=address,
            template=event,
            subject=texts["subject"] if is_email else "",
            body=texts["body"] if is_email else texts["sms"],
            attachment=ATTACHMENTS.get(event, "") if is_email else "",
            object_type=dossier._meta.label_lower,
            object_id=str(dossier.pk),
            dossier_code=dossier.code or "",
            agency_id=dossier.intake_agency_id,
        )
        if row is not None:
            tasks.enqueue("egov.notifications.tasks.deliver", row.pk)
            created.append(row)
    return created


@transaction.atomic
def resend(notification: Notification, *, by=None) -> Notification:
    """An officer sends a failed (or given-up) message again, once the cause is fixed (the
    gateway is back, the address corrected): the attempt count starts again."""
    updated = Notification.objects.filter(
        pk=notification.pk, state__in=[DeliveryState.FAILED, DeliveryState.GAVE_UP]
    ).update(state=DeliveryState.QUEUED, attempts=0, next_attempt_at=None)
    notification.refresh_from_db()
    if updated:
        audit.record(
            "notification.resent",
            actor=by,
            agency=notification.agency_id,
            obj=notification,
            data={"channel": notification.channel, "dossier": notification.dossier_code},
        )
        tasks.enqueue("egov.notifications.tasks.deliver", notification.pk)
    return notification
