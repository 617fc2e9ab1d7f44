"""Delivery providers: how a message leaves egov (ARCHITECTURE.md rule 5).

An :class:`EmailProvider` or :class:`SmsProvider` sends one :class:`Message` and answers the
provider's message id, or raises :class:`DeliveryError` saying whether trying again later can
help (``temporary``: the other side is down or busy) or not (``permanent``: the address is
refused, the request is wrong). ``notifications.tasks.deliver`` retries only temporary errors.

Providers are chosen by settings: email goes through Django's email backend
(``EGOV_EMAIL_BACKEND``, ``EGOV_EMAIL_HOST``/``PORT``); SMS through ``EGOV_NOTIFY_SMS_PROVIDER``
= ``console`` (development: the text is logged) or ``http`` (an HTTP SMS gateway).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from django.conf import settings


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str = "application/pdf"


@dataclass(frozen=True)
class Message:
    to: str
    body: str
    subject: str = ""
    attachments: tuple[Attachment, ...] = ()
    #: our reference (the notification id), for the provider's logs
    reference: str = ""
    headers: dict[str, str] = field(default_factory=dict)


class DeliveryError(Exception):
    """Sending failed. ``temporary`` errors are worth retrying; permanent ones are not."""

    def __init__(self, message: str, *, temporary: bool):
        super().__init__(message)
        self.temporary = temporary

    @property
    def permanent(self) -> bool:
        return not self.temporary


@runtime_checkable
class EmailProvider(Protocol):
    name: str

    def send(self, message: Message) -> str: ...


@runtime_checkable
class SmsProvider(Protocol):
    name: str

    def send(self, message: Message) -> str: ...


def email_provider() -> EmailProvider:
    from egov.notifications.providers.smtp import SmtpEmailProvider

    return SmtpEmailProvider(from_email=settings.EGOV_NOTIFY_EMAIL_FROM or None)


def sms_provider() -> SmsProvider:
    kind = settings.EGOV_NOTIFY_SMS_PROVIDER
    if kind == "http":
        from egov.notifications.providers.http_sms import HttpSmsGateway

        return HttpSmsGateway(
            url=settings.EGOV_NOTIFY_SMS_URL,
            token=settings.EGOV_NOTIFY_SMS_TOKEN,
            sender=settings.EGOV_NOTIFY_SMS_SENDER,
        )
    from egov.notifications.providers.console import ConsoleSmsProvider

    return ConsoleSmsProvider(sender=settings.EGOV_NOTIFY_SMS_SENDER)


def provider_for(channel: str) -> EmailProvider | SmsProvider:
    return email_provider() if channel == "email" else sms_provider()
