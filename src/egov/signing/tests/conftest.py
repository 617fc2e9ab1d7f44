from __future__ import annotations

import pytest

from egov.signing import pki
from egov.signing.backends import clear_cache, pkcs12_backend

PASSWORD = "test-pw"


@pytest.fixture(scope="session")
def sample_pdf() -> bytes:
    from egov.core.pdf import render_pdf

    return render_pdf("core/pdf_sample.html", {"qr_uri": ""})


@pytest.fixture(scope="session")
def pki_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pki")
    ca = pki.ensure_root_ca(folder, PASSWORD)
    person = pki.ensure_certificate(
        folder, PASSWORD, ca, "Nguyễn Thị Hằng", organization="UBND huyện Thanh Ba"
    )
    agency = pki.ensure_certificate(folder, PASSWORD, ca, "UBND huyện Thanh Ba", kind="agency")
    return {"dir": folder, "ca": ca, "person": person, "agency": agency}


@pytest.fixture
def person_backend(pki_dir):
    return pkcs12_backend(pki_dir["person"].path, PASSWORD)


@pytest.fixture
def agency_backend(pki_dir):
    return pkcs12_backend(pki_dir["agency"].path, PASSWORD)


@pytest.fixture(autouse=True, scope="session")
def _clear_backends():
    yield
    clear_cache()


# --- reference servers (real sockets on 127.0.0.1) --------------------------------------------


@pytest.fixture(scope="session")
def ca_repository(pki_dir):
    """The demo CA's CRL distribution point (reference server)."""
    from reference_servers.ca_repository import start_ca_repository

    repo, _url = start_ca_repository(pki_dir["ca"])
    yield repo
    repo.stop()


@pytest.fixture(scope="session")
def tsa(pki_dir, ca_repository):
    """The reference RFC 3161 timestamp server; its certificate has a CRL distribution point
    at :func:`ca_repository`."""
    from reference_servers.tsa import start_tsa

    issued = pki.ensure_tsa_certificate(
        pki_dir["dir"], PASSWORD, pki_dir["ca"], crl_base_url=ca_repository.url
    )
    server, _url = start_tsa(issued)
    yield server
    server.stop()


def dead_url(path: str = "/") -> str:
    """A loopback URL where nothing listens (a port just freed)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"


def issue_backend(pki_dir, folder, common_name: str, *, crl_base_url: str = ""):
    """A new person certificate of the test CA (PKCS#12 in ``folder``) and its backend."""
    issued = pki.ensure_certificate(
        folder,
        PASSWORD,
        pki_dir["ca"],
        common_name,
        organization="UBND huyện Thanh Ba",
        crl_base_url=crl_base_url,
    )
    return issued, pkcs12_backend(issued.path, PASSWORD)
