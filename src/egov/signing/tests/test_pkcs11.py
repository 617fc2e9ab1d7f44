"""Signing through PKCS#11 with a SoftHSM2 token made in a temporary folder.

SOFTHSM2_CONF must be set before the module is loaded, so the signing runs in a subprocess.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from egov.core.testing import require_program

MODULES = ["/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"]

CHILD = r"""
import os, sys, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov.settings")
django.setup()
from egov.signing.backends import SigningError, pkcs11_backend
from egov.signing.services import sign_pdf
module, cert_file, src, dst = sys.argv[1:5]
try:
    pkcs11_backend(module, "egov-test", "9999", key_label="signer", cert_file=cert_file)
except SigningError as exc:
    print("WRONG-PIN:", exc)
try:
    pkcs11_backend(module, "no-such-token", "1234", key_label="signer", cert_file=cert_file)
except SigningError as exc:
    print("NO-TOKEN:", exc)
backend = pkcs11_backend(module, "egov-test", "1234", key_label="signer", cert_file=cert_file)
assert pkcs11_backend(module, "egov-test", "1234", key_label="signer", cert_file=cert_file) is backend
data = open(src, "rb").read()
open(dst, "wb").write(sign_pdf(data, backend, reason="PKCS#11"))
print("SIGNED")
"""


def test_sign_with_softhsm(sample_pdf, pki_dir, tmp_path):
    util = require_program("softhsm2-util", "softhsm2")
    module = next((m for m in MODULES if Path(m).exists()), None)
    if module is None:
        pytest.skip("libsofthsm2.so not installed: apt-get install softhsm2")
    tokens = tmp_path / "tokens"
    tokens.mkdir()
    conf = tmp_path / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\n")
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}

    def run(*args):
        subprocess.run([util, *args], env=env, check=True, capture_output=True, timeout=60)

    run("--init-token", "--free", "--label", "egov-test", "--so-pin", "1234", "--pin", "1234")
    person = pki_dir["person"]
    key_pem = tmp_path / "key.pem"
    key_pem.write_bytes(person.key_pem())
    cert_pem = tmp_path / "cert.pem"
    cert_pem.write_bytes(person.cert_pem())
    run(
        "--import",
        str(key_pem),
        "--token",
        "egov-test",
        "--label",
        "signer",
        "--id",
        "01",
        "--pin",
        "1234",
    )
    src, dst = tmp_path / "in.pdf", tmp_path / "out.pdf"
    src.write_bytes(sample_pdf)
    result = subprocess.run(
        [sys.executable, "-c", CHILD, module, str(cert_pem), str(src), str(dst)],
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "WRONG-PIN: Mã PIN" in result.stdout, result.stdout
    assert "NO-TOKEN: Không tìm thấy thiết bị ký số" in result.stdout, result.stdout
    assert "SIGNED" in result.stdout

    from egov.signing.services import validate_pdf

    signed = dst.read_bytes()
    report = validate_pdf(signed, trust_roots=[pki_dir["ca"].cert])
    assert report.status == "valid", report.as_dict()
    pdfsig = require_program("pdfsig", "poppler-utils")
    out = subprocess.run([pdfsig, str(dst)], capture_output=True, timeout=60, check=False).stdout
    assert b"Signature is Valid." in out and b"Total document signed" in out, out
