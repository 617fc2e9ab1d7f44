"""Providers on their own: time-outs, the console provider, and that the token stays secret."""

from __future__ import annotations

import logging

import pytest

from egov.notifications.providers import DeliveryError, Message, provider_for
from egov.notifications.providers.console import ConsoleSmsProvider
from egov.notifications.providers.http_sms import HttpSmsGateway
from reference_servers.sms_gateway import ReferenceSmsGateway


@pytest.fixture
def gateway():
    g = ReferenceSmsGateway(token="s3cret-token").start()
    yield g
    g.stop()


def test_timeout_is_temporary(gateway):
    gateway.delay = 0.5
    client = HttpSmsGateway(gateway.url, "s3cret-token", "EGOV", timeout=0.1)
    with pytest.raises(DeliveryError) as caught:
        client.send(Message(to="0912345678", body="Thử"))
    assert caught.value.temporary and "timed out" in str(caught.value)


def test_gateway_refuses_a_landline_number(gateway):
    client = HttpSmsGateway(gateway.url, "s3cret-token", "EGOV")
    with pytest.raises(DeliveryError) as caught:
        client.send(Message(to="02103123456", body="Thử"))
    assert caught.value.permanent and "HTTP 400" in str(caught.value)


def test_rate_limit_is_temporary(gateway):
    gateway.fail_next(429)
    client = HttpSmsGateway(gateway.url, "s3cret-token", "EGOV")
    with pytest.raises(DeliveryError) as caught:
        client.send(Message(to="0912345678", body="Thử"))
    assert caught.value.temporary
    assert client.send(Message(to="0912345678", body="Thử lại")) == gateway.messages[-1].id


def test_unreachable_gateway_is_temporary():
    client = HttpSmsGateway("http://127.0.0.1:9/sms", "t", "EGOV", timeout=1)
    with pytest.raises(DeliveryError) as caught:
        client.send(Message(to="0912345678", body="Thử"))
    assert caught.value.temporary


def test_token_is_not_shown(gateway, caplog):
    client = HttpSmsGateway(gateway.url, "s3cret-token", "EGOV")
    assert "s3cret-token" not in repr(client)
    with caplog.at_level(logging.DEBUG):
        client.send(Message(to="0912345678", body="Thử"))
    assert "s3cret-token" not in caplog.text


def test_console_is_the_development_default(settings, caplog):
    settings.EGOV_NOTIFY_SMS_PROVIDER = "console"
    provider = provider_for("sms")
    assert isinstance(provider, ConsoleSmsProvider)
    with caplog.at_level(logging.INFO, logger="egov.notifications.sms"):
        message_id = provider.send(Message(to="0912345678", body="Hồ sơ đã có kết quả"))
    assert message_id.startswith("console-")
    assert "0912345678" in caplog.text and "Hồ sơ đã có kết quả" in caplog.text
