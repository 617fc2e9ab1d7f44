"""The document types of Nghị định 30/2020/NĐ-CP (Điều 7) and their abbreviations (Phụ lục III,
Mục I), as data (STANDARDS.md §1.1).

- Mixed-case abbreviations are kept exactly: ``QyĐ``, ``CTr``, ``TTr``, ``TrS``.
- A công văn and a thư công have **no** abbreviation: their symbol is the issuer's abbreviation
  plus the drafting unit's (``12/UBND-VX``). "CV" is never emitted.
- Legal normative documents (văn bản quy phạm pháp luật) are not in Điều 7; they are listed
  here because each of their types has its own number series (Điều 15.1.a). Their type list
  for local government (Luật Ban hành VBQPPL) is UNCONFIRMED in STANDARDS.md, so, like every
  abbreviation, it can be changed without code: ``EGOV_DOCUMENTS_TYPE_ABBREVIATIONS`` takes
  ``code=ABBR`` pairs that override or add abbreviations (``code=`` removes one).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class DocType:
    code: str
    name: str
    abbreviation: str  # "" = none (công văn, thư công)
    legal_normative: bool = False
    copy_form: bool = False


#: Điều 7 (29 administrative types), then copies, then legal normative types.
DOC_TYPES: tuple[DocType, ...] = (
    DocType("nghi_quyet", "Nghị quyết", "NQ"),
    DocType("quyet_dinh", "Quyết định", "QĐ"),
    DocType("chi_thi", "Chỉ thị", "CT"),
    DocType("quy_che", "Quy chế", "QC"),
    DocType("quy_dinh", "Quy định", "QyĐ"),
    DocType("thong_cao", "Thông cáo", "TC"),
    DocType("thong_bao", "Thông báo", "TB"),
    DocType("huong_dan", "Hướng dẫn", "HD"),
    DocType("chuong_trinh", "Chương trình", "CTr"),
    DocType("ke_hoach", "Kế hoạch", "KH"),
    DocType("phuong_an", "Phương án", "PA"),
    DocType("de_an", "Đề án", "ĐA"),
    DocType("du_an", "Dự án", "DA"),
    DocType("bao_cao", "Báo cáo", "BC"),
    DocType("bien_ban", "Biên bản", "BB"),
    DocType("to_trinh", "Tờ trình", "TTr"),
    DocType("hop_dong", "Hợp đồng", "HĐ"),
    DocType("cong_van", "Công văn", ""),
    DocType("cong_dien", "Công điện", "CĐ"),
    DocType("ban_ghi_nho", "Bản ghi nhớ", "BGN"),
    DocType("ban_thoa_thuan", "Bản thỏa thuận", "BTT"),
    DocType("giay_uy_quyen", "Giấy ủy quyền", "GUQ"),
    DocType("giay_moi", "Giấy mời", "GM"),
    DocType("giay_gioi_thieu", "Giấy giới thiệu", "GGT"),
    DocType("giay_nghi_phep", "Giấy nghỉ phép", "GNP"),
    DocType("phieu_gui", "Phiếu gửi", "PG"),
    DocType("phieu_chuyen", "Phiếu chuyển", "PC"),
    DocType("phieu_bao", "Phiếu báo", "PB"),
    DocType("thu_cong", "Thư công", ""),
    # copies (Phụ lục I, Phần II, II.1.c): their own series, restarting on 1 January
    DocType("ban_sao_y", "Bản sao y", "SY", copy_form=True),
    DocType("ban_trich_sao", "Bản trích sao", "TrS", copy_form=True),
    DocType("ban_sao_luc", "Bản sao lục", "SL", copy_form=True),
    # legal normative documents of local government (UNCONFIRMED list; own series each)
    DocType("qppl_nghi_quyet", "Nghị quyết (quy phạm pháp luật)", "NQ", legal_normative=True),
    DocType("qppl_quyet_dinh", "Quyết định (quy phạm pháp luật)", "QĐ", legal_normative=True),
)

_BY_CODE = {t.code: t for t in DOC_TYPES}


def _overrides() -> dict[str, str]:
    pairs = getattr(settings, "EGOV_DOCUMENTS_TYPE_ABBREVIATIONS", []) or []
    out = {}
    for item in pairs:
        code, sep, abbr = item.partition("=")
        if sep:
            out[code.strip()] = abbr.strip()
    return out


def all_types() -> list[DocType]:
    """Every type with the configured abbreviations applied (added codes are administrative)."""
    over = _overrides()
    types = [
        DocType(t.code, t.name, over.get(t.code, t.abbreviation), t.legal_normative, t.copy_form)
        for t in DOC_TYPES
    ]
    for code, abbr in over.items():
        if code not in _BY_CODE:
            types.append(DocType(code, code.replace("_", " ").capitalize(), abbr))
    return types


def get(code: str) -> DocType:
    """The type ``code``; raises a ValidationError (code ``doc_type_unknown``) otherwise."""
    for t in all_types():
        if t.code == code:
            return t
    raise ValidationError(
        _("Loại văn bản “%(code)s” không có trong danh mục của Nghị định 30/2020/NĐ-CP.")
        % {"code": code},
        code="doc_type_unknown",
    )


def abbreviation(code: str) -> str:
    return get(code).abbreviation


def choices() -> list[tuple[str, str]]:
    return [(t.code, t.name) for t in all_types()]


def by_abbreviation(abbr: str) -> DocType | None:
    """The administrative type whose abbreviation is ``abbr`` (exact case), for parsing the
    symbols of incoming documents."""
    for t in all_types():
        if t.abbreviation == abbr and not t.legal_normative:
            return t
    return None
