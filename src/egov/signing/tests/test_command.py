from __future__ import annotations

import pytest
from django.core.management import call_command

from egov.signing import pki
from egov.signing.models import TrustedRoot


@pytest.mark.django_db
def test_make_demo_pki_idempotent(tmp_path, settings):
    settings.EGOV_SIGNING_PKI_DIR = tmp_path
    call_command("make_demo_pki")
    ca_bytes = (tmp_path / pki.CA_FILE).read_bytes()
    call_command("make_demo_pki")
    assert (tmp_path / pki.CA_FILE).read_bytes() == ca_bytes
    assert TrustedRoot.objects.count() == 1
    root = TrustedRoot.objects.get()
    assert root.certificate().subject.rfc4514_string().endswith("C=VN")
    assert pki.ROOT_CN in root.name


def test_long_agency_names_fit_the_certificate():
    from egov.signing import pki

    ca = pki.make_root_ca()
    name = "Phòng Lao động - Thương binh và Xã hội huyện Thanh Ba, tỉnh Phú Thọ (thử)"
    assert len(name) > 64
    issued = pki.issue(ca, name, kind="agency")
    cn = issued.cert.subject.get_attributes_for_oid(pki.NameOID.COMMON_NAME)[0].value
    assert name.startswith(cn) and len(cn.encode()) <= 64
