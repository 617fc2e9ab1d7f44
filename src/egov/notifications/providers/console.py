"""Console SMS provider (development default): the text goes to the log, nothing is sent."""

from __future__ import annotations

import logging
import uuid

from egov.notifications.providers import Message

log = logging.getLogger("egov.notifications.sms")


class ConsoleSmsProvider:
    name = "console"

    def __init__(self, sender: str = "") -> None:
        self.sender = sender

    def send(self, message: Message) -> str:
        message_id = f"console-{uuid.uuid4().hex[:12]}"
        log.info(
            "SMS (console, not sent) from %s to %s [%s]: %s",
            self.sender,
            message.to,
            message_id,
            message.body,
        )
        return message_id
