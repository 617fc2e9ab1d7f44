"""Signing and validation speed: signatures per second per core with a cached PKCS#12 key.

Run: .venv/bin/python bench/bench_signing.py [--n 200]
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov.settings")

import django  # noqa: E402

django.setup()

from PIL import Image  # noqa: E402

from egov.core.pdf import render_pdf  # noqa: E402
from egov.signing import pki  # noqa: E402
from egov.signing.backends import pkcs12_backend  # noqa: E402
from egov.signing.services import sign_pdf, validate_pdf  # noqa: E402
from reference_servers.tsa import start_tsa  # noqa: E402


def signature_png() -> bytes:
    img = Image.new("RGBA", (300, 120), (0, 0, 0, 0))
    for x in range(30, 270):
        img.putpixel((x, 60), (0, 0, 255, 255))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def timed(fn, n: int) -> float:
    fn()  # warm up
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100)
    args = parser.parse_args()
    pdf = render_pdf("core/pdf_sample.html", {"qr_uri": ""})
    with tempfile.TemporaryDirectory() as tmp:
        ca = pki.ensure_root_ca(tmp, "bench")
        person = pki.ensure_certificate(tmp, "bench", ca, "Nguyễn Văn A", organization="UBND")
        backend = pkcs12_backend(person.path, "bench")  # loaded once, cached
        tsa, tsa_url = start_tsa(pki.ensure_tsa_certificate(tmp, "bench", ca))  # loopback HTTP
        image = signature_png()
        signed = sign_pdf(pdf, backend)
        rows = [
            ("sign B-B invisible", timed(lambda: sign_pdf(pdf, backend), args.n)),
            (
                "sign B-T invisible (ref. TSA)",
                timed(lambda: sign_pdf(pdf, backend, timestamp_url=tsa_url), args.n),
            ),
            (
                "sign B-B visible (PNG)",
                timed(
                    lambda: sign_pdf(pdf, backend, box=(330, 120, 480, 180), image=image), args.n
                ),
            ),
            (
                "validate 1 signature",
                timed(lambda: validate_pdf(signed, trust_roots=[ca.cert]), args.n),
            ),
        ]
        tsa.stop()
    print(f"PDF {len(pdf)} bytes, RSA 2048, SHA-256, n={args.n}, 1 core (single process)")
    print(f"{'operation':30} {'ms/op':>8} {'ops/s':>8}")
    for name, seconds in rows:
        print(f"{name:30} {seconds * 1000:8.1f} {1 / seconds:8.1f}")


if __name__ == "__main__":
    main()
