"""Client of an HTTP SMS gateway (the protocol of most Vietnamese brandname SMS services, and
of ``reference_servers.sms_gateway``).

``POST <EGOV_NOTIFY_SMS_URL>`` with ``Authorization: Bearer <EGOV_NOTIFY_SMS_TOKEN>`` and the
JSON body ``{"to": "0912345678", "text": "…", "sender": "<EGOV_NOTIFY_SMS_SENDER>"}``.
A 2xx answer means accepted (its JSON ``id`` is the gateway's message id); 4xx means the
request will never succeed (bad number, bad token) — except 408 and 429, which ask us to come
back later; 5xx, timeouts and refused connections are temporary. The token is never logged.
"""

from __future__ import annotations

import requests

from egov.notifications.providers import DeliveryError, Message

RETRYABLE_4XX = {408, 429}


class HttpSmsGateway:
    name = "http"

    def __init__(self, url: str, token: str, sender: str = "", timeout: float = 10) -> None:
        if not url:
            raise DeliveryError("EGOV_NOTIFY_SMS_URL is not set", temporary=False)
        self.url = url
        self._token = token
        self.sender = sender
        self.timeout = timeout

    def __repr__(self) -> str:  # never show the token
        return f"HttpSmsGateway(url={self.url!r}, sender={self.sender!r})"

    def send(self, message: Message) -> str:
        headers = {"Accept": "application/json"}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        if message.reference:
            headers["X-Request-ID"] = message.reference
        try:
            response = requests.post(
                self.url,
                json={"to": message.to, "text": message.body, "sender": self.sender},
                headers=headers,
                timeout=self.timeout,
            )
        except requests.Timeout as exc:
            raise DeliveryError(f"SMS gateway timed out: {exc}", temporary=True) from exc
        except requests.RequestException as exc:
            raise DeliveryError(f"SMS gateway unreachable: {exc}", temporary=True) from exc
        status = response.status_code
        if 200 <= status < 300:
            try:
                data = response.json()
            except ValueError:
                data = {}
            return str(data.get("id", "")) if isinstance(data, dict) else ""
        detail = response.text[:300]
        temporary = status >= 500 or status in RETRYABLE_4XX
        raise DeliveryError(f"SMS gateway answered HTTP {status}: {detail}", temporary=temporary)
