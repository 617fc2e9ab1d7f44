"""Fixtures of the notification tests: a real SMTP server (aiosmtpd) and the reference SMS
gateway, both on 127.0.0.1, and the one-stop world of the dossier tests."""

from __future__ import annotations

import email
import socket
from email import policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command

from egov.dossiers.tests.conftest import receive, world  # noqa: F401  (fixtures)
from reference_servers.sms_gateway import ReferenceSmsGateway

SMS_TOKEN = "test-sms-token"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Mailbox:
    """aiosmtpd handler keeping every accepted message; ``refuse`` maps an address to the
    SMTP reply its RCPT gets (e.g. "550 5.1.1 No such user")."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes = []
        self.refuse: dict[str, str] = {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings):
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.EGOV_NOTIFY_EMAIL_FROM = "motcua@thu.example.vn"
    yield mailbox
    controller.stop()


@pytest.fixture
def sms_gateway(settings):
    gateway = ReferenceSmsGateway(token=SMS_TOKEN).start()
    settings.EGOV_NOTIFY_SMS_PROVIDER = "http"
    settings.EGOV_NOTIFY_SMS_URL = gateway.url
    settings.EGOV_NOTIFY_SMS_TOKEN = SMS_TOKEN
    settings.EGOV_NOTIFY_SMS_SENDER = "UBND-THU"
    yield gateway
    gateway.stop()


@pytest.fixture(autouse=True)
def _fast_retries(settings):
    settings.EGOV_TASK_BACKOFF_SECONDS = 0
    settings.EGOV_NOTIFY_MAX_ATTEMPTS = 4
    settings.SITE_URL = "https://dichvucong.thu.example.vn"


def run_worker() -> None:
    """Run every ready task with the real database worker (as core's task tests do)."""
    call_command("db_worker", "--batch", "--interval", "0", "--no-startup-delay", verbosity=0)
