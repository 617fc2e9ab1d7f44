"""API errors speak Vietnamese by default, including the REST framework's own messages."""

import pytest


@pytest.mark.django_db
def test_framework_messages_are_in_vietnamese(client):
    body = client.get("/api/users/me/").json()
    assert body["error"] == {
        "code": "not_authenticated",
        "message": "Chưa đăng nhập: thiếu thông tin xác thực.",
        "fields": {},
    }
    body = client.post("/api/token/", {}, content_type="application/json").json()
    assert body["error"]["fields"]["username"] == ["Trường này bắt buộc."]
