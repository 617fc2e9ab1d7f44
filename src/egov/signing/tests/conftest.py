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
