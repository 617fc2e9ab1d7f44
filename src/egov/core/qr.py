"""QR codes (segno) for receipt slips, results and receipts: SVG for pages and PDFs, PNG for
download and e-mail.

Always a full QR code, never a Micro QR (many phone readers cannot read those); error
correction at least M, raised by segno when the version allows. Four modules of quiet zone
(ISO/IEC 18004) surround the symbol so that it scans when printed next to text.
"""

from __future__ import annotations

import io

import segno

DEFAULT_ERROR = "m"
QUIET_ZONE = 4


def make(data: str | bytes, *, error: str = DEFAULT_ERROR) -> segno.QRCode:
    """The QR code of ``data`` (text is UTF-8 encoded when it is not Latin-1)."""
    if data in ("", b"", None):
        raise ValueError("QR payload is empty")
    return segno.make(data, error=error, micro=False, boost_error=True)


def qr_svg(
    data: str | bytes,
    *,
    scale: int = 4,
    title: str | None = None,
    error: str = DEFAULT_ERROR,
    dark: str = "#000",
    light: str | None = "#fff",
) -> str:
    """An ``<svg>`` element (no XML declaration, with the SVG namespace) to put inline in an
    HTML page or template; ``title`` is read by screen readers."""
    buf = io.BytesIO()
    make(data, error=error).save(
        buf,
        kind="svg",
        scale=scale,
        border=QUIET_ZONE,
        dark=dark,
        light=light,
        xmldecl=False,
        nl=False,
        title=title,
        svgclass="egov-qr",
        lineclass=None,
    )
    return buf.getvalue().decode("utf-8")


def qr_png(data: str | bytes, scale: int = 8, *, error: str = DEFAULT_ERROR) -> bytes:
    """A black-on-white PNG; each module is ``scale`` pixels wide."""
    buf = io.BytesIO()
    make(data, error=error).save(
        buf, kind="png", scale=scale, border=QUIET_ZONE, dark="#000", light="#fff"
    )
    return buf.getvalue()


def qr_data_uri(
    data: str | bytes, *, kind: str = "svg", scale: int = 4, error: str = DEFAULT_ERROR
) -> str:
    """A ``data:`` URI for ``<img src>``: SVG by default (sharp at any print size, which is
    what a PDF wants), or ``kind="png"``."""
    qr = make(data, error=error)
    if kind == "svg":
        return qr.svg_data_uri(scale=scale, border=QUIET_ZONE, dark="#000", light="#fff")
    if kind == "png":
        return qr.png_data_uri(scale=scale, border=QUIET_ZONE, dark="#000", light="#fff")
    raise ValueError(f"unknown QR image kind {kind!r}: 'svg' or 'png'")
