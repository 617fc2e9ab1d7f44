"""The demo documents: created once through the real services, quick, and every demo officer's
inbox shows something to do."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from egov.accounts.models import User
from egov.documents.models import IncomingDocument, OutgoingDocument, OutState


@pytest.mark.django_db(transaction=True)
def test_demo_documents_are_idempotent_and_fill_the_inboxes(client, settings, tmp_path, capsys):
    settings.EGOV_SIGNING_PKI_DIR = tmp_path
    call_command("load_demo", "thanh-ba-2021", "--quiet", "--dossiers", "0")
    call_command("make_demo_pki")
    capsys.readouterr()
    call_command("load_demo_documents")
    assert "16 incoming, 10 outgoing documents created" in capsys.readouterr().out
    call_command("load_demo_documents")
    assert "0 incoming, 0 outgoing" in capsys.readouterr().out
    assert IncomingDocument.objects.count() == 17  # + the copy waiting at xã Đỗ Sơn
    states = set(OutgoingDocument.objects.values_list("state", flat=True))
    assert {OutState.DRAFT, OutState.ISSUED, OutState.APPROVED, OutState.RETURNED} <= states
    signed = OutgoingDocument.objects.filter(
        files__role="issued", files__signature_report__status="valid"
    )
    assert signed.exists()
    for username, tab, expected in [
        ("vanthu", "to_issue", "Quyết định thành lập Hội đồng"),
        ("lanhdao", "to_direct", "Sở Nội vụ"),
        ("lanhdao", "to_sign", "Báo cáo công tác tư pháp năm 2026"),
        ("chuyenvien", "to_process", "Phòng Tư pháp"),
        ("chuyenvien", "my_drafts", "Ngày Pháp luật Việt Nam"),
        ("truongphong.tuphap", "to_review", "rà soát văn bản quy phạm"),
        ("vanthu.doson", "to_register", "UBND-TP"),
    ]:
        client.force_login(User.objects.get(username=username))
        page = client.get(reverse("documents:inbox"), {"tab": tab}).content.decode()
        assert expected in page, (username, tab)
