"""The leader signs at approval, the issued document carries the number and date printed by
the NĐ 30 template and both signatures (leader's image, then the agency seal)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import storages

from egov.documents import services
from egov.documents.models import OutgoingDocument, OutState
from egov.signing.services import validate_pdf

from .conftest import draft_data, vn

pytestmark = pytest.mark.django_db


def _to_leader(world):
    doc = services.create_draft(world.vx, draft_data(), by=world.vx_spec)
    services.send_for_review(doc, by=world.vx_spec)
    services.approve_review(doc, by=world.vx_head)
    return doc


def _read(f) -> bytes:
    with storages["default"].open(f.storage_name, "rb") as fh:
        return fh.read()


def test_approve_sign_issue_with_keys(world, keys):
    doc = _to_leader(world)
    services.approve_and_sign(doc, by=world.leader)
    signed = doc.files.get(role="signed")
    report = validate_pdf(_read(signed))
    assert [s.status for s in report.signatures] == ["valid"]
    assert "Số: /QĐ-UBND" in " ".join(signed.text.split())  # the number is left blank
    with services.simulated_clock(vn(2026, 3, 5, 8, 0)):
        doc = services.issue(doc, by=world.clerk)
    issued = doc.files.get(role="issued")
    assert issued.signature_report is not None
    assert issued.signature_report.signature_count == 2
    assert issued.signature_report.status == "valid"
    text = " ".join(issued.text.split())
    assert "Số: 01/QĐ-UBND" in text
    assert "Thanh Ba, ngày 05 tháng 3 năm 2026" in text
    assert "TM. ỦY BAN NHÂN DÂN" in text and "Nguyễn Thị Hằng" in text
    names = [s.signer_name for s in validate_pdf(_read(issued)).signatures]
    assert names == ["Nguyễn Thị Hằng", "UBND huyện Thanh Ba"]
    assert "01/qd-ubnd" in doc.search_text


def test_signing_required_without_keys_changes_nothing(world, settings):
    settings.EGOV_DOCUMENTS_SIGNING = "required"
    doc = _to_leader(world)
    with pytest.raises(ValidationError) as exc:
        services.approve_and_sign(doc, by=world.leader)
    assert exc.value.code == "no_signing_key"
    doc = OutgoingDocument.objects.get(pk=doc.pk)
    assert doc.state == OutState.LEADER_REVIEW and not doc.files.exists()
