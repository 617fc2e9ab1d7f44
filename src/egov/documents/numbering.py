"""Numbers and symbols of official documents (Nghị định 30/2020/NĐ-CP; STANDARDS.md §1.2, §1.3).

Format (Phụ lục I, Phần I, Mục II.3):

- the number is the document's place in the agency's series for the year, in Arabic digits,
  with a leading 0 below 10: ``05``, ``12``, ``105``;
- the symbol is the type abbreviation plus the issuer's abbreviation (``QĐ-UBND``); a công
  văn has no type abbreviation: issuer plus drafting unit (``UBND-VX``);
- "/" between number and symbol, "-" between the groups of the symbol, no spaces.

Series (Điều 15, 22.2), each a :func:`egov.core.numbering.next_number` sequence whose period
is the year, so every series starts again from 01 on 1 January:

- số đến: one sequence per receiving agency per year, shared by paper and electronic
  documents (scope ``doc-in:<agency id>``);
- outgoing: one series per agency per year by default (``doc-out:<agency id>:default``);
  the administrator may add :class:`~egov.documents.models.NumberSeries` rows for separate
  series (e.g. one per legal normative type, Điều 15.1.a, or for copies); secret documents
  always get their own series (Điều 15.2), whether or not a row is configured.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from egov.core import numbering as core_numbering

from . import doctypes

_BAD_GROUP = re.compile(r"[\s/\-]")


def format_number(n: int) -> str:
    """``5`` → ``"05"``; ``12`` → ``"12"`` (leading zero below 10, Phụ lục I II.3)."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"a document number is a positive integer, got {n!r}")
    return f"{n:02d}"


def _group(value: str, what: str) -> str:
    value = (value or "").strip()
    if not value or _BAD_GROUP.search(value):
        raise ValidationError(
            _(
                "Chữ viết tắt %(what)s “%(value)s” không hợp lệ: không được trống, không chứa "
                "dấu cách, “/” hoặc “-”."
            )
            % {"what": what, "value": value},
            code="invalid_abbreviation",
        )
    return value


def format_symbol(doc_type: str, issuer_abbreviation: str, unit_abbreviation: str = "") -> str:
    """The ký hiệu: ``QĐ-UBND`` for a decision; ``UBND-VX`` for a công văn of unit VX.

    A type without an abbreviation (công văn, thư công) needs the drafting unit's abbreviation.
    Other types may carry the unit too when the head of the agency decides so (``QĐ-UBND-VP``
    is not in the decree's examples, so the unit is added only for types without
    abbreviation)."""
    abbr = doctypes.abbreviation(doc_type)
    issuer = _group(issuer_abbreviation, _("của cơ quan ban hành"))
    if abbr:
        return f"{abbr}-{issuer}"
    unit = _group(unit_abbreviation, _("của đơn vị soạn thảo"))
    return f"{issuer}-{unit}"


def number_symbol(n: int, symbol: str) -> str:
    """``"05/QĐ-UBND"``: "/" between number and symbol, no spaces."""
    return f"{format_number(n)}/{symbol}"


_PARSE = re.compile(r"^\s*(?:s[ốo]\s*:?\s*)?(\d{1,11})\s*/\s*(\S+(?:\s*-\s*\S+)*)\s*$", re.I)


def parse_number_symbol(text: str) -> tuple[str, str]:
    """Split a written number and symbol (``"Số: 05/QĐ-UBND"``, ``"12/UBND-VX"``) into
    (CodeNumber, CodeNotation) as Phụ lục VI stores them. Spaces around the separators,
    as typed by people, are removed. Raises ValidationError ``invalid_number_symbol``."""
    match = _PARSE.match(text or "")
    if not match:
        raise ValidationError(
            _("Số, ký hiệu “%(text)s” không đúng dạng số/ký hiệu (ví dụ 05/QĐ-UBND).")
            % {"text": text},
            code="invalid_number_symbol",
        )
    notation = re.sub(r"\s*-\s*", "-", match.group(2))
    return match.group(1), notation


# --- series ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    scope: str
    name: str


def arrival_scope(agency_id: int) -> str:
    return f"doc-in:{agency_id}"


def next_arrival_number(agency_id: int, year: int) -> int:
    """The next số đến of the agency for ``year`` (call inside the registering transaction)."""
    return core_numbering.next_number(arrival_scope(agency_id), str(year))


def series_for(agency_id: int, doc_type: str, secrecy: int) -> Series:
    """Which series numbers an outgoing document: a configured series that names its type
    (and matches its secrecy), else the secret series for secret documents, else the default
    series of the agency."""
    from .models import NumberSeries

    secret = secrecy > 0
    rows = list(NumberSeries.objects.filter(agency_id=agency_id, is_active=True))
    for row in rows:
        if row.secret == secret and doc_type in (row.doc_types or []):
            return Series(f"doc-out:{agency_id}:{row.key}", row.name)
    if secret:
        row = next((r for r in rows if r.secret and not r.doc_types), None)
        if row is not None:
            return Series(f"doc-out:{agency_id}:{row.key}", row.name)
        return Series(f"doc-out:{agency_id}:secret", _("Sổ văn bản mật"))
    t = doctypes.get(doc_type)
    if t.legal_normative or t.copy_form:
        # Điều 15.1.a and Phụ lục I II.1.c: always their own series, per type
        return Series(f"doc-out:{agency_id}:{t.code}", t.name)
    row = next((r for r in rows if not r.secret and not r.doc_types), None)
    if row is not None:
        return Series(f"doc-out:{agency_id}:{row.key}", row.name)
    return Series(f"doc-out:{agency_id}:default", _("Sổ văn bản đi"))


def next_outgoing_number(series: Series, year: int) -> int:
    return core_numbering.next_number(series.scope, str(year))
