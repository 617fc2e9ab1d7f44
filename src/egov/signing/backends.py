"""Key backends: where the private key of a signer lives.

Three kinds, behind one small protocol (:class:`KeyBackend`): a PKCS#12 file, a PKCS#11 token
or HSM, and a remote-signing service (ký số từ xa) that signs a digest and returns the
signature. Each backend gives pyHanko a :class:`pyhanko.sign.signers.Signer`.

Keys are loaded once per configuration and cached in the process (:func:`pkcs12_backend`,
:func:`pkcs11_backend`); PINs and passwords are passed in (from the environment or a prompt)
and never stored in the database. Every failure a user can cause (wrong PIN, wrong password,
missing token or file) becomes a :class:`SigningError` with a Vietnamese message.
"""

from __future__ import annotations

import abc
import hashlib
import threading
from pathlib import Path
from typing import Protocol, runtime_checkable

from asn1crypto import algos
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore


class SigningError(Exception):
    """A document could not be signed; ``str(error)`` is a Vietnamese message for the user."""


@runtime_checkable
class KeyBackend(Protocol):
    """Something that can sign for one signer."""

    def get_signer(self) -> signers.Signer: ...

    @property
    def certificate(self) -> x509.Certificate: ...


def _to_asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


# --- PKCS#12 file ---------------------------------------------------------------------------


class Pkcs12Backend:
    """A key and certificate in a PKCS#12 (.p12/.pfx) file, loaded once."""

    def __init__(self, path: str | Path, password: str | None):
        self.path = Path(path)
        if not self.path.is_file():
            raise SigningError(f"Không tìm thấy tệp khóa ký số (PKCS#12): {self.path}")
        data = self.path.read_bytes()
        pw = password.encode() if password else None
        try:
            _key, cert, _extra = pkcs12.load_key_and_certificates(data, pw)
        except ValueError:
            raise SigningError(
                "Mật khẩu tệp khóa ký số không đúng hoặc tệp bị hỏng "
                f"(không mở được tệp PKCS#12 {self.path.name})."
            ) from None
        if cert is None or _key is None:
            raise SigningError(f"Tệp {self.path.name} không chứa khóa và chứng thư số.")
        self._cert = cert
        signer = signers.SimpleSigner.load_pkcs12_data(data, other_certs=None, passphrase=pw)
        if signer is None:  # pragma: no cover - cryptography accepted it above
            raise SigningError(f"Không mở được tệp PKCS#12 {self.path.name}.")
        if isinstance(_key, rsa.RSAPrivateKey):
            # pyHanko's SimpleSigner parses (and checks) the private key on every signature,
            # which costs ~35 ms for RSA; keep the parsed key instead.
            signer.__class__ = _CachedRsaSigner
            signer._crypto_key = _key
        self._signer = signer

    def get_signer(self) -> signers.Signer:
        return self._signer

    @property
    def certificate(self) -> x509.Certificate:
        return self._cert


class _CachedRsaSigner(signers.SimpleSigner):
    """A SimpleSigner that signs RSA PKCS#1 v1.5 with an already parsed key."""

    _crypto_key: rsa.RSAPrivateKey
    _HASHES = {"sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run=False) -> bytes:
        mech = self.get_signature_mechanism_for_digest(digest_algorithm)
        algo = mech.signature_algo
        if algo != "rsassa_pkcs1v15" or digest_algorithm not in self._HASHES:
            return await super().async_sign_raw(data, digest_algorithm, dry_run)
        if dry_run:
            return bytes(self._crypto_key.key_size // 8)
        return self._crypto_key.sign(data, padding.PKCS1v15(), self._HASHES[digest_algorithm]())


# --- PKCS#11 token / HSM --------------------------------------------------------------------


class Pkcs11Backend:
    """A key on a PKCS#11 token or HSM (USB tokens of the CAs, SoftHSM2 in tests).

    The session is opened once (with the PIN given, which is not kept) and reused. When the
    token holds no certificate object, pass ``cert_file`` (PEM or DER).
    """

    def __init__(
        self,
        module_path: str,
        token_label: str,
        pin: str,
        *,
        key_label: str | None = None,
        cert_label: str | None = None,
        cert_file: str | Path | None = None,
    ):
        if not Path(module_path).is_file():
            raise SigningError(f"Không tìm thấy thư viện PKCS#11 của thiết bị ký số: {module_path}")
        from pkcs11 import exceptions as p11exc
        from pyhanko.config.pkcs11 import TokenCriteria
        from pyhanko.sign import pkcs11 as hk11

        try:
            self._session = hk11.open_pkcs11_session(
                module_path, token_criteria=TokenCriteria(label=token_label), user_pin=pin
            )
        except (p11exc.PinIncorrect, p11exc.PinInvalid, p11exc.PinLenRange):
            raise SigningError("Mã PIN của thiết bị ký số không đúng.") from None
        except p11exc.PinLocked:
            raise SigningError("Thiết bị ký số đã bị khóa do nhập sai mã PIN nhiều lần.") from None
        except hk11.PKCS11Error as exc:
            if "No token" in str(exc):
                raise SigningError(
                    f"Không tìm thấy thiết bị ký số (token) có nhãn “{token_label}”. "
                    "Hãy cắm thiết bị và thử lại."
                ) from None
            raise SigningError(f"Lỗi thiết bị ký số: {exc}") from None
        except Exception as exc:  # module load errors and the like
            raise SigningError(f"Không mở được thiết bị ký số: {exc}") from None
        cert = None
        if cert_file is not None:
            raw = Path(cert_file).read_bytes()
            cert = (
                x509.load_pem_x509_certificate(raw)
                if b"-----BEGIN" in raw
                else x509.load_der_x509_certificate(raw)
            )
        try:
            self._signer = hk11.PKCS11Signer(
                self._session,
                cert_label=cert_label or (None if cert else key_label),
                key_label=key_label,
                signing_cert=_to_asn1(cert) if cert else None,
            )
            asn1_cert = self._signer.signing_cert
        except Exception as exc:
            raise SigningError(
                f"Không tìm thấy khóa hoặc chứng thư số trên thiết bị: {exc}"
            ) from None
        self._cert = cert or x509.load_der_x509_certificate(asn1_cert.dump())

    def get_signer(self) -> signers.Signer:
        return self._signer

    @property
    def certificate(self) -> x509.Certificate:
        return self._cert

    def close(self) -> None:
        self._session.close()


# --- Remote signing (ký số từ xa) -----------------------------------------------------------


class RemoteSigner(abc.ABC):
    """A remote-signing service: it receives a digest and returns the raw signature.

    Providers implement :meth:`sign_digest` (an HTTPS call to the CA's service, with the
    user's confirmation on their phone, …) and :attr:`certificate`. The document never
    leaves egov; only the digest of the CMS signed attributes is sent.
    """

    #: the signature algorithm the provider produces: "rsassa_pkcs1v15" or "ecdsa"
    algorithm: str = "rsassa_pkcs1v15"

    @property
    @abc.abstractmethod
    def certificate(self) -> x509.Certificate: ...

    @property
    def chain(self) -> list[x509.Certificate]:
        return []

    @abc.abstractmethod
    def sign_digest(self, digest: bytes, algorithm: str) -> bytes:
        """Sign ``digest`` (computed with hash ``algorithm``, e.g. "sha256"); return the
        raw signature (PKCS#1 v1.5 for RSA, DER for ECDSA)."""


class _RemoteDigestSigner(signers.Signer):
    """A pyHanko signer that hashes the signed attributes locally and asks the remote service
    to sign the digest (interrupted / external signing)."""

    def __init__(self, remote: RemoteSigner):
        cert = _to_asn1(remote.certificate)
        mech = "sha256_rsa" if remote.algorithm == "rsassa_pkcs1v15" else "sha256_ecdsa"
        super().__init__(
            signing_cert=cert,
            cert_registry=SimpleCertificateStore.from_certs(
                [cert, *(_to_asn1(c) for c in remote.chain)]
            ),
            signature_mechanism=algos.SignedDigestAlgorithm({"algorithm": mech}),
        )
        self._remote = remote

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run=False) -> bytes:
        digest = hashlib.new(digest_algorithm, data).digest()
        if dry_run:
            size = self._remote.certificate.public_key().key_size
            return bytes(size // 8 + (16 if self._remote.algorithm == "ecdsa" else 0))
        try:
            return self._remote.sign_digest(digest, digest_algorithm)
        except SigningError:
            raise
        except Exception as exc:
            raise SigningError(f"Dịch vụ ký số từ xa không ký được: {exc}") from None


class RemoteBackend:
    """Signs through a :class:`RemoteSigner` provider."""

    def __init__(self, remote: RemoteSigner):
        self.remote = remote
        self._signer = _RemoteDigestSigner(remote)

    def get_signer(self) -> signers.Signer:
        return self._signer

    @property
    def certificate(self) -> x509.Certificate:
        return self.remote.certificate


class LocalKeyRemoteSigner(RemoteSigner):
    """A :class:`RemoteSigner` that signs with a local key: for tests and demos of the remote
    flow (it receives only a digest, like a real service)."""

    _HASHES = {"sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}

    def __init__(self, key, cert: x509.Certificate, chain=()):
        self._key = key
        self._cert = cert
        self._chain = list(chain)
        self.algorithm = (
            "ecdsa" if isinstance(key, ec.EllipticCurvePrivateKey) else "rsassa_pkcs1v15"
        )
        self.calls = 0

    @property
    def certificate(self) -> x509.Certificate:
        return self._cert

    @property
    def chain(self) -> list[x509.Certificate]:
        return self._chain

    def sign_digest(self, digest: bytes, algorithm: str) -> bytes:
        self.calls += 1
        prehashed = utils.Prehashed(self._HASHES[algorithm]())
        if isinstance(self._key, rsa.RSAPrivateKey):
            return self._key.sign(digest, padding.PKCS1v15(), prehashed)
        return self._key.sign(digest, ec.ECDSA(prehashed))


# --- Cache ----------------------------------------------------------------------------------

_cache: dict[tuple, KeyBackend] = {}
_lock = threading.Lock()


def pkcs12_backend(path: str | Path, password: str | None) -> Pkcs12Backend:
    """The cached PKCS#12 backend for this file (the password is part of the cache key only
    as a hash, so a wrong password is not served from the cache)."""
    p = Path(path).resolve()
    st = p.stat() if p.exists() else None
    key = (
        "p12",
        str(p),
        st.st_mtime_ns if st else None,
        hashlib.sha256((password or "").encode()).hexdigest(),
    )
    with _lock:
        backend = _cache.get(key)
        if backend is None:
            backend = _cache[key] = Pkcs12Backend(p, password)
    return backend  # type: ignore[return-value]


def pkcs11_backend(
    module_path: str,
    token_label: str,
    pin: str,
    *,
    key_label: str | None = None,
    cert_label: str | None = None,
    cert_file: str | Path | None = None,
) -> Pkcs11Backend:
    """The cached PKCS#11 backend (one open session per module, token and key)."""
    key = (
        "p11",
        module_path,
        token_label,
        key_label,
        cert_label,
        str(cert_file),
        hashlib.sha256(pin.encode()).hexdigest(),
    )
    with _lock:
        backend = _cache.get(key)
        if backend is None:
            backend = _cache[key] = Pkcs11Backend(
                module_path,
                token_label,
                pin,
                key_label=key_label,
                cert_label=cert_label,
                cert_file=cert_file,
            )
    return backend  # type: ignore[return-value]


def clear_cache() -> None:
    with _lock:
        for backend in _cache.values():
            close = getattr(backend, "close", None)
            if close:
                try:
                    close()
                except Exception:  # noqa: S110 - best effort on shutdown
                    pass
        _cache.clear()
