"""The outgoing document as a PDF with the layout of NĐ 30/2020 Phụ lục I (template
``documents/pdf/outgoing.html`` over ``core/pdf_base.html``), rendered by ``core.pdf``.

The signature block is laid out so that :func:`egov.signing.signers.find_signature_box` finds
the box between the position line and the signer's name: the signer's blue image goes there,
the agency seal over its left third (Phụ lục I, II.7.d and II.8).
"""

from __future__ import annotations

import datetime as dt

from . import doctypes, numbering
from .models import OutgoingDocument

AUTHORITY_PREFIXES = ("TM.", "Q.", "KT.", "TL.", "TUQ.")


def place_date_line(place: str, day: dt.date | None) -> str:
    """ "Thanh Ba, ngày 05 tháng 01 năm 2026": day below 10 and months 1, 2 with a leading 0
    (Phụ lục I, II.4); blank before issue."""
    if day is None:
        return f"{place}, ngày      tháng      năm {dt.date.today().year}"
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def _place(agency) -> str:
    name = agency.government().short_name or agency.government().name
    for prefix in ("UBND ", "Ủy ban nhân dân ", "huyện ", "xã ", "tỉnh ", "phường ", "thị trấn "):
        if name.startswith(prefix):
            name = name[len(prefix) :]
    return name.strip()


#: the text fields of a document signed before issue, filled by the clerk at issue
NUMBER_FIELD, DATE_FIELD = "so_ky_hieu", "ngay_ban_hanh"


def date_words(day: dt.date) -> str:
    """ "ngày 05 tháng 01 năm 2026" (the date part of the place-and-date line)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def render_outgoing(
    doc: OutgoingDocument, *, number_symbol: str = "", issued_date=None, form_fields: bool = False
) -> bytes:
    """The document as a PDF. ``form_fields``: the number-and-symbol and the date are empty
    text fields (the leader signs this; the clerk fills them at issue without breaking the
    leader's signature: signing.services.fill_form_fields)."""
    from egov.core.pdf import render_pdf

    agency = doc.agency
    t = doctypes.get(doc.doc_type)
    symbol = numbering.format_symbol(
        doc.doc_type, agency.abbreviation, doc.drafting_unit.abbreviation
    )
    parent = agency.parent.name if agency.parent_id else ""
    position = doc.signer_position or "Chủ tịch"
    context = {
        "doc": doc,
        "issuer_parent": parent,
        "issuer_name": agency.name,
        "symbol": symbol,
        "number_symbol": number_symbol,
        "is_cong_van": not t.abbreviation,
        "place_date": place_date_line(_place(agency), issued_date),
        "place": _place(agency),
        "form_fields": form_fields,
        "number_field": NUMBER_FIELD,
        "date_field": DATE_FIELD,
        "paragraphs": [p.strip() for p in (doc.body or "").split("\n") if p.strip()],
        "recipients": [r.name for r in doc.recipients.all()]
        or [x.strip() for x in doc.recipients_text.split(";") if x.strip()],
        "unit_abbreviation": doc.drafting_unit.abbreviation
        if doc.drafting_unit_id != doc.agency_id
        else "",
        "authority": doc.authority,
        "position": position,
        "signer_name": doc.signer_name,
        "pdf_title": f"{doc.type_name} {number_symbol}".strip(),
        "pdf_author": agency.name,
    }
    return render_pdf("documents/pdf/outgoing.html", context, forms=form_fields)
