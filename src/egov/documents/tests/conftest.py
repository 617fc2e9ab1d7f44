"""A small world for the document tests: a district (UBND) with two departments (VX, TP), a
commune that receives internal dispatches, and officers for every role. Built with the
factories; documents go through the real services."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core.files.base import ContentFile

from egov.accounts.tests.factories import MembershipFactory, UserFactory
from egov.documents import services
from egov.organizations.models import Agency
from egov.organizations.tests.factories import AgencyFactory

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def vn(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=VN)


@pytest.fixture(scope="session")
def pdf_bytes() -> bytes:
    from weasyprint import HTML

    return HTML(
        string="<p>QUYẾT ĐỊNH về việc phê duyệt kế hoạch phòng chống lụt bão năm 2026</p>"
    ).write_pdf()


def pdf_file(data: bytes, name: str = "van-ban.pdf") -> ContentFile:
    return ContentFile(data, name=name)


def officer(agency, role, name):
    user = UserFactory(full_name=name)
    MembershipFactory(user=user, agency=agency, role=role)
    return user


@pytest.fixture
def world(db):
    district = AgencyFactory(
        kind=Agency.Kind.DISTRICT,
        name="UBND huyện Thanh Ba",
        short_name="Thanh Ba",
        abbreviation="UBND",
        code="000.00.25.H42",
    )
    vx = AgencyFactory(
        kind=Agency.Kind.DEPARTMENT,
        name="Phòng Văn hóa - Xã hội",
        abbreviation="VX",
        code="000.01.25.H42",
        parent=district,
    )
    tp = AgencyFactory(
        kind=Agency.Kind.DEPARTMENT,
        name="Phòng Tư pháp",
        abbreviation="TP",
        code="000.02.25.H42",
        parent=district,
    )
    commune = AgencyFactory(
        kind=Agency.Kind.COMMUNE,
        name="UBND xã Đông Thành",
        abbreviation="UBND",
        code="001.00.25.H42",
        parent=district,
    )
    w = SimpleNamespace(district=district, vx=vx, tp=tp, commune=commune)
    w.clerk = officer(district, "clerk", "Lê Thị Văn Thư")
    w.clerk2 = officer(district, "clerk", "Phạm Văn Thư Hai")
    w.leader = officer(district, "leader", "Nguyễn Thị Hằng")
    w.vx_head = officer(vx, "leader", "Trần Văn Trưởng")
    w.vx_spec = officer(vx, "specialist", "Hoàng Văn Chuyên")
    w.vx_other = officer(vx, "specialist", "Đỗ Thị Khác")
    w.tp_head = officer(tp, "leader", "Vũ Văn Pháp")
    w.tp_spec = officer(tp, "specialist", "Bùi Thị Luật")
    w.district_spec = officer(district, "specialist", "Ngô Văn Ngoài")
    w.commune_clerk = officer(commune, "clerk", "Mai Thị Xã")
    w.commune_leader = officer(commune, "leader", "Đinh Văn Xã")
    return w


def incoming_data(**kw) -> services.IncomingData:
    base = dict(
        issuer_name="UBND tỉnh Phú Thọ",
        issuer_code="000.00.00.H42",
        number_symbol="1234/UBND-KGVX",
        issued_date=dt.date(2026, 3, 2),
        doc_type="cong_van",
        subject="Về việc tăng cường phòng chống dịch bệnh mùa hè",
        signer_name="Nguyễn Văn Tỉnh",
        signer_position="Phó Chủ tịch",
    )
    base.update(kw)
    return services.IncomingData(**base)


def register(w, pdf, *, at=None, **kw):
    confirm = kw.pop("confirm_duplicate", False)
    source = kw.pop("source", "upload")
    with services.simulated_clock(at or vn(2026, 3, 3, 9, 0)):
        return services.register_incoming(
            w.district,
            incoming_data(**kw),
            source=source,
            main_file=pdf_file(pdf),
            by=w.clerk,
            confirm_duplicate=confirm,
        )


def draft_data(**kw) -> services.DraftData:
    base = dict(
        doc_type="quyet_dinh",
        subject="Phê duyệt kế hoạch phòng chống lụt bão năm 2026",
        body="Căn cứ Luật Tổ chức chính quyền địa phương;\nQuyết định phê duyệt kế hoạch.",
        signer_position="Chủ tịch",
        authority="TM. ỦY BAN NHÂN DÂN",
    )
    base.update(kw)
    return services.DraftData(**base)


def approved(w, *, data=None, unit=None, at=None):
    """A draft taken through review and signature by the real services."""
    unit = unit or w.vx
    drafter = w.vx_spec if unit == w.vx else w.tp_spec
    head = w.vx_head if unit == w.vx else w.tp_head
    with services.simulated_clock(at or vn(2026, 3, 3, 9, 0)):
        doc = services.create_draft(unit, data or draft_data(), by=drafter)
        services.send_for_review(doc, by=drafter)
        services.approve_review(doc, by=head)
        services.approve_and_sign(doc, by=w.leader)
    doc.refresh_from_db()
    return doc


@pytest.fixture(autouse=True)
def _no_pdf_by_default(settings):
    """Rendering and signing PDFs is tested in test_signing.py; elsewhere it only costs time."""
    settings.EGOV_DOCUMENTS_SIGNING = "off"


PKI_PASSWORD = "test-pw"


@pytest.fixture(scope="session")
def pki_dir(tmp_path_factory):
    from egov.signing import pki
    from egov.signing.signers import seal_png, signature_png

    folder = tmp_path_factory.mktemp("doc-pki")
    ca = pki.ensure_root_ca(folder, PKI_PASSWORD)
    person = pki.ensure_certificate(
        folder, PKI_PASSWORD, ca, "Nguyễn Thị Hằng", organization="UBND huyện Thanh Ba"
    )
    agency = pki.ensure_certificate(folder, PKI_PASSWORD, ca, "UBND huyện Thanh Ba", kind="agency")
    (folder / "sig.png").write_bytes(signature_png("Nguyễn Thị Hằng"))
    (folder / "seal.png").write_bytes(seal_png("UBND huyện Thanh Ba"))
    return SimpleNamespace(dir=folder, ca=ca, person=person, agency=agency)


@pytest.fixture(scope="session")
def signed_pdf(pki_dir, pdf_bytes) -> bytes:
    from egov.signing.backends import pkcs12_backend
    from egov.signing.services import sign_pdf

    return sign_pdf(pdf_bytes, pkcs12_backend(pki_dir.person.path, PKI_PASSWORD), kind="person")


@pytest.fixture
def keys(world, pki_dir, settings):
    """The leader's and the district's keys, with their images, and the demo CA trusted."""
    from egov.signing.models import SignerKey, TrustedRoot

    settings.EGOV_SIGNING_PKCS12_PASSWORD = PKI_PASSWORD
    settings.EGOV_DOCUMENTS_SIGNING = "required"
    TrustedRoot.objects.create(name="demo", pem=pki_dir.ca.cert_pem().decode())
    SignerKey.objects.create(
        kind="person",
        user=world.leader,
        agency=world.district,
        backend="pkcs12",
        pkcs12_path=str(pki_dir.person.path),
        image_path=str(pki_dir.dir / "sig.png"),
    )
    SignerKey.objects.create(
        kind="agency",
        agency=world.district,
        backend="pkcs12",
        pkcs12_path=str(pki_dir.agency.path),
        image_path=str(pki_dir.dir / "seal.png"),
    )
    return pki_dir
