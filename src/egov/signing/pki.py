"""A demo public-key infrastructure: a root CA and PKCS#12 certificates for people and agencies.

Everything here is for the demo and for tests. Every subject carries "DEMO" so a demo
signature can never be mistaken for a real one. Real signers use certificates from a licensed
CA (the government CA or a commercial CA) on a token, an HSM or a remote-signing service.

Functions take a folder so tests can build a throw-away CA in ``tmp_path``; the management
command ``make_demo_pki`` writes to ``settings.EGOV_SIGNING_PKI_DIR``. Writing is idempotent:
an existing CA or certificate file is loaded, not replaced.

Revocation: with a ``crl_base_url`` the issued certificates carry a CRL distribution point
``<crl_base_url>/demo-root-ca.crl`` (and, with ``ocsp_url``, an OCSP responder in the
authority information access); :func:`make_crl` builds the CA's CRL from a list of revoked
serials. The reference CA repository (``reference_servers.ca_repository``) serves both.
:func:`ensure_tsa_certificate` issues the certificate of the reference timestamp server
(``reference_servers.tsa``): extended key usage timeStamping, critical (RFC 3161 §2.3).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

ROOT_CN = "egov DEMO Root CA (không dùng thật)"
DEMO_OU = "DEMO - không có giá trị pháp lý"
CA_FILE = "demo-root-ca.p12"
CA_CERT_FILE = "demo-root-ca.pem"
#: file name of the CA's CRL under the CRL base URL (the CRL distribution point)
CRL_FILE = "demo-root-ca.crl"
TSA_CN = "egov DEMO Time-Stamping Authority (không dùng thật)"
TSA_FILE = "tsa.p12"
KINDS = ("person", "agency", "tsa")


@dataclass(frozen=True)
class Issued:
    """A key and its certificate (with the chain above it)."""

    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    cert: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()
    path: Path | None = None

    def pkcs12_bytes(self, password: str, name: str = "") -> bytes:
        enc = (
            serialization.BestAvailableEncryption(password.encode())
            if password
            else serialization.NoEncryption()
        )
        return pkcs12.serialize_key_and_certificates(
            (name or self.cert.subject.rfc4514_string()).encode(),
            self.key,
            self.cert,
            list(self.chain) or None,
            enc,
        )

    def key_pem(self) -> bytes:
        """The private key as unencrypted PKCS#8 PEM (for importing into a token)."""
        return self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def cert_pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def slug(text: str) -> str:
    """An ASCII file-name stem for a Vietnamese name ("Nguyễn Thị Hằng" → "nguyen-thi-hang")."""
    text = text.replace("đ", "d").replace("Đ", "D")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^a-zA-Z0-9]+", "-", ascii_text).strip("-").lower()
    return stem or hashlib.sha256(text.encode()).hexdigest()[:12]


def make_root_ca(common_name: str = ROOT_CN, *, years: int = 10) -> Issued:
    """A self-signed root CA (not written anywhere)."""
    key = _new_key()
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "egov DEMO"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, DEMO_OU),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Issued(key, cert)


def _fit(text: str, limit: int = 64) -> str:
    """X.509 limits CN and O to 64 (RFC 5280 ub-common-name, ub-organization-name), and the
    cryptography library counts UTF-8 bytes; long Vietnamese agency names are cut to fit."""
    return text.encode("utf-8")[:limit].decode("utf-8", errors="ignore").rstrip()


def crl_url(crl_base_url: str) -> str:
    """The CRL distribution point of the demo CA under ``crl_base_url`` ("" when none)."""
    return f"{crl_base_url.rstrip('/')}/{CRL_FILE}" if crl_base_url else ""


def issue(
    ca: Issued,
    common_name: str,
    *,
    organization: str = "",
    kind: str = "person",
    years: int = 3,
    crl_base_url: str = "",
    ocsp_url: str = "",
) -> Issued:
    """A certificate issued by ``ca``.

    ``kind`` is "person" (CN = full name, O = agency) or "agency" (CN = agency name): key usage
    digitalSignature + nonRepudiation, EKU emailProtection; or "tsa" (a time-stamping
    authority): key usage digitalSignature, EKU timeStamping only and critical (RFC 3161).
    ``crl_base_url`` adds a CRL distribution point (see :func:`crl_url`), ``ocsp_url`` an OCSP
    responder (authority information access); empty strings add nothing.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    key = _new_key()
    common_name = _fit(common_name)
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")]
    org = _fit(organization or (common_name if kind == "agency" else ""))
    if org:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
    attrs += [
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, DEMO_OU),
        x509.NameAttribute(NameOID.TITLE, "DEMO"),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ]
    tsa = kind == "tsa"
    now = _now()
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name(attrs))
        .issuer_name(ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=not tsa,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.TIME_STAMPING if tsa else ExtendedKeyUsageOID.EMAIL_PROTECTION]
            ),
            critical=tsa,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()),
            critical=False,
        )
    )
    if crl_base_url:
        point = x509.DistributionPoint(
            full_name=[x509.UniformResourceIdentifier(crl_url(crl_base_url))],
            relative_name=None,
            reasons=None,
            crl_issuer=None,
        )
        builder = builder.add_extension(x509.CRLDistributionPoints([point]), critical=False)
    if ocsp_url:
        builder = builder.add_extension(
            x509.AuthorityInformationAccess(
                [
                    x509.AccessDescription(
                        x509.oid.AuthorityInformationAccessOID.OCSP,
                        x509.UniformResourceIdentifier(ocsp_url),
                    )
                ]
            ),
            critical=False,
        )
    cert = builder.sign(ca.key, hashes.SHA256())
    return Issued(key, cert, (ca.cert,))


@dataclass(frozen=True)
class Revoked:
    """An entry of the CA's revocation list."""

    serial_number: int
    revoked_at: dt.datetime
    reason: x509.ReasonFlags = x509.ReasonFlags.unspecified


def make_crl(
    ca: Issued,
    revoked: Iterable[Revoked] = (),
    *,
    number: int = 1,
    this_update: dt.datetime | None = None,
    validity: dt.timedelta = dt.timedelta(days=7),
) -> bytes:
    """The CA's complete CRL (DER, RFC 5280 §5), signed with SHA-256, listing ``revoked``
    with their revocation time and reason; valid ``validity`` from ``this_update`` (now)."""
    this_update = (this_update or _now()).replace(microsecond=0)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca.cert.subject)
        .last_update(this_update)
        .next_update(this_update + validity)
        .add_extension(x509.CRLNumber(number), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()),
            critical=False,
        )
    )
    for entry in revoked:
        item = (
            x509.RevokedCertificateBuilder()
            .serial_number(entry.serial_number)
            .revocation_date(entry.revoked_at.replace(microsecond=0))
        )
        if entry.reason != x509.ReasonFlags.unspecified:
            item = item.add_extension(x509.CRLReason(entry.reason), critical=False)
        builder = builder.add_revoked_certificate(item.build())
    crl = builder.sign(ca.key, hashes.SHA256())
    return crl.public_bytes(serialization.Encoding.DER)


def load_pkcs12(path: Path, password: str) -> Issued:
    key, cert, extra = pkcs12.load_key_and_certificates(
        Path(path).read_bytes(), password.encode() if password else None
    )
    return Issued(key, cert, tuple(extra or ()), Path(path))


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    tmp.chmod(0o600)
    tmp.replace(path)


def ensure_root_ca(folder: Path, password: str) -> Issued:
    """Load the demo root CA from ``folder``, creating it the first time."""
    folder = Path(folder)
    path = folder / CA_FILE
    if path.exists():
        return load_pkcs12(path, password)
    ca = make_root_ca()
    _write(path, ca.pkcs12_bytes(password, "egov demo root"))
    (folder / CA_CERT_FILE).write_bytes(ca.cert_pem())
    return Issued(ca.key, ca.cert, (), path)


def ensure_certificate(
    folder: Path,
    password: str,
    ca: Issued,
    common_name: str,
    *,
    organization: str = "",
    kind: str = "person",
    filename: str | None = None,
    crl_base_url: str = "",
    ocsp_url: str = "",
) -> Issued:
    """Load or create ``<folder>/<kind>-<slug>.p12`` for this signer (an existing file is kept
    as it is, whatever ``crl_base_url`` / ``ocsp_url`` say)."""
    folder = Path(folder)
    stem = (
        filename
        or f"{kind}-{slug(common_name if kind == 'agency' else f'{organization}-{common_name}')}"
    )
    path = folder / f"{stem}.p12"
    if path.exists():
        return load_pkcs12(path, password)
    issued = issue(
        ca,
        common_name,
        organization=organization,
        kind=kind,
        crl_base_url=crl_base_url,
        ocsp_url=ocsp_url,
    )
    _write(path, issued.pkcs12_bytes(password, common_name))
    return Issued(issued.key, issued.cert, issued.chain, path)


def ensure_tsa_certificate(
    folder: Path,
    password: str,
    ca: Issued | None = None,
    *,
    crl_base_url: str = "",
    ocsp_url: str = "",
) -> Issued:
    """Load or create ``<folder>/tsa.p12``: the certificate of the reference timestamp server,
    issued by the demo root CA of ``folder`` (or ``ca``), EKU timeStamping (critical)."""
    folder = Path(folder)
    path = folder / TSA_FILE
    if path.exists():
        return load_pkcs12(path, password)
    ca = ca or ensure_root_ca(folder, password)
    issued = issue(
        ca,
        TSA_CN,
        organization="egov DEMO",
        kind="tsa",
        years=5,
        crl_base_url=crl_base_url,
        ocsp_url=ocsp_url,
    )
    _write(path, issued.pkcs12_bytes(password, "egov demo tsa"))
    return Issued(issued.key, issued.cert, issued.chain, path)


def person_p12_path(folder: Path, full_name: str, agency_name: str) -> Path:
    return Path(folder) / f"person-{slug(f'{agency_name}-{full_name}')}.p12"


def agency_p12_path(folder: Path, agency_name: str) -> Path:
    return Path(folder) / f"agency-{slug(agency_name)}.p12"
