"""Background work of the documents app (run through ``egov.core.tasks.enqueue``)."""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import storages
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from egov.core import audit

from .models import DocumentFile, Recipient


def send_email(recipient_id: int) -> None:
    """Send an issued document to an e-mail recipient with Django's e-mail backend, the issued
    PDF and the attachments attached. Raises on failure, so the job is retried with back-off."""
    r = Recipient.objects.select_related("outgoing", "outgoing__agency").get(pk=recipient_id)
    if r.state == Recipient.State.SENT:
        return
    doc = r.outgoing
    message = EmailMessage(
        subject=f"{doc.type_name} số {doc.number_symbol}: {doc.subject}"[:250],
        body=(
            f"{doc.agency.name} gửi {doc.type_name.lower()} số {doc.number_symbol} "
            f"ngày {doc.issued_date:%d/%m/%Y} về việc: {doc.subject}.\n\n"
            "Văn bản điện tử đã ký số đính kèm thư này."
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[r.email],
    )
    storage = storages["default"]
    for f in doc.files.filter(role__in=[DocumentFile.Role.ISSUED, DocumentFile.Role.ATTACHMENT]):
        with storage.open(f.storage_name, "rb") as fh:
            message.attach(f.original_name, fh.read())
    message.send(fail_silently=False)
    with transaction.atomic():
        Recipient.objects.filter(pk=r.pk).update(state=Recipient.State.SENT, sent_at=timezone.now())
        audit.record(
            "document.outgoing.emailed",
            agency=doc.agency_id,
            obj=doc,
            data={"to": r.email, "number_symbol": doc.number_symbol},
        )
