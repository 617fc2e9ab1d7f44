"""Confirmation codes (account registration): one message sent right away by email or SMS,
through the same providers as the dossier notifications.

Unlike :func:`egov.notifications.services.notify`, nothing is written to the notification
log and nothing is queued: the log would keep the code in clear text, and the person is
waiting on the page for it (a failure is shown to them at once and they ask again).
"""

from __future__ import annotations

from pathlib import Path

from django.template import Context, Engine
from django.utils import translation

from egov.notifications.providers import DeliveryError, Message, provider_for

__all__ = ["DeliveryError", "render_code", "send_code"]

TEMPLATE_KEY = "account_code"

_ENGINE = Engine(
    dirs=[str(Path(__file__).resolve().parent / "templates")],
    libraries={"i18n": "django.templatetags.i18n"},
)


def render_code(code: str, *, minutes: int, full_name: str = "") -> dict[str, str]:
    """The ``subject``, ``body`` (email) and ``sms`` texts of a confirmation code, in Vietnamese."""
    context = Context(
        {
            "code": code,
            "minutes": minutes,
            "full_name": full_name,
            "site_name": "Cổng dịch vụ công",
        },
        autoescape=False,
    )
    with translation.override("vi"):

        def text(part: str) -> str:
            return _ENGINE.get_template(f"notifications/{TEMPLATE_KEY}/{part}.txt").render(context)

        return {
            "subject": " ".join(text("subject").split()),
            "body": text("body").strip() + "\n",
            "sms": " ".join(text("sms").split()),
        }


def send_code(
    channel: str, address: str, code: str, *, minutes: int = 10, full_name: str = ""
) -> str:
    """Send ``code`` to ``address`` over ``channel`` ("email" or "sms"); answer the provider's
    message id. Raises :class:`DeliveryError` when the provider refuses or cannot be reached."""
    if channel not in ("email", "sms"):
        raise ValueError(f"unknown channel {channel!r}")
    texts = render_code(code, minutes=minutes, full_name=full_name)
    if channel == "email":
        message = Message(to=address, subject=texts["subject"], body=texts["body"])
    else:
        message = Message(to=address, body=texts["sms"])
    return provider_for(channel).send(message)
