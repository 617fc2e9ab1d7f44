"""Which regulation's set of forms applies to a dossier, by its date of receipt.

The forms of the one-stop shop are defined by a circular: TT 01/2018/TT-VPCP until
30/06/2025, then TT 03/2025/TT-VPCP (with NĐ 118/2025/NĐ-CP, from 01/07/2025; STANDARDS.md
§0, §3.3). This is data with effective dates, not a constant; a new circular adds a row and a
template folder ``dossiers/forms/<code>/``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Regulation:
    code: str
    title: str
    effective_from: dt.date
    #: form number → title, as the circular names them
    forms: dict[str, str]


REGULATIONS: tuple[Regulation, ...] = (
    Regulation(
        code="tt01-2018",
        title="Thông tư 01/2018/TT-VPCP",
        effective_from=dt.date(2018, 8, 21),
        forms={
            "01": "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
            "02": "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
            "03": "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
            "04": "Phiếu xin lỗi và hẹn lại ngày trả kết quả",
            "05": "Thông báo dừng giải quyết hồ sơ",
            "06": "Phiếu kiểm soát quá trình giải quyết hồ sơ",
            "07": "Sổ theo dõi hồ sơ",
        },
    ),
    Regulation(
        code="tt03-2025",
        title="Thông tư 03/2025/TT-VPCP",
        effective_from=dt.date(2025, 7, 1),
        forms={
            "01": "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
            "02": "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
            "03": "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
            "04": "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết",
            "05": "Thông báo dừng giải quyết hồ sơ",
            "06": "Phiếu kiểm soát quá trình giải quyết hồ sơ",
            "07": "Sổ theo dõi hồ sơ",
        },
    ),
)


def regulation_on(day: dt.date) -> Regulation:
    """The regulation in force on ``day`` (the latest one that started on or before it)."""
    chosen = REGULATIONS[0]
    for regulation in REGULATIONS:
        if regulation.effective_from <= day:
            chosen = regulation
    return chosen


def by_code(code: str) -> Regulation:
    for regulation in REGULATIONS:
        if regulation.code == code:
            return regulation
    raise KeyError(code)
