"""Email through Django's email backend (SMTP in production: ``EGOV_EMAIL_BACKEND``,
``EGOV_EMAIL_HOST``, ``EGOV_EMAIL_PORT``)."""

from __future__ import annotations

import smtplib
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from egov.notifications.providers import DeliveryError, Message


def _smtp_error(exc: smtplib.SMTPException) -> DeliveryError:
    """5xx replies are final (RFC 5321 §4.2.1); 4xx replies and lost connections are not."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        temporary = bool(codes) and all(400 <= code < 500 for code in codes)
        return DeliveryError(f"SMTP refused the recipient: {exc.recipients}", temporary=temporary)
    code = getattr(exc, "smtp_code", None)
    if isinstance(code, int) and 500 <= code < 600:
        return DeliveryError(f"SMTP {code}: {exc}", temporary=False)
    return DeliveryError(f"SMTP error: {exc}", temporary=True)


class SmtpEmailProvider:
    name = "smtp"

    def __init__(self, from_email: str | None = None, timeout: float = 30) -> None:
        self.from_email = from_email or settings.DEFAULT_FROM_EMAIL
        self.timeout = timeout

    def send(self, message: Message) -> str:
        domain = self.from_email.rpartition("@")[2] or None
        message_id = make_msgid(domain=domain)
        email = EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=self.from_email,
            to=[message.to],
            headers={"Message-ID": message_id, **message.headers},
            connection=get_connection(fail_silently=False, timeout=self.timeout),
        )
        for attachment in message.attachments:
            email.attach(attachment.filename, attachment.content, attachment.mimetype)
        try:
            email.send(fail_silently=False)
        except smtplib.SMTPException as exc:
            raise _smtp_error(exc) from exc
        except OSError as exc:  # refused connection, timeout, DNS
            raise DeliveryError(f"SMTP server unreachable: {exc}", temporary=True) from exc
        return message_id
