"""The demo catalog of administrative procedures (TTHC), as the 2021 article describes it
(context/thanh-ba-e-government-2021.txt): 277 district-level procedures, 70 of them partly
online (DVCTT một phần, the article's "mức độ 3"), and 155 commune-level procedures, 65 of them
partly online, the rest level 2. Loaded by both presets (``egov.demo.loader``).

- :data:`REALISTIC`: a few dozen procedures written out by hand, with real-world names, fields,
  papers, fees and internal steps in the usual shape (tiếp nhận → thẩm định → ký → trả kết
  quả). They are **illustrative**: national codes are invented in the national ``1.00xxxx``
  format (any match with a real code is chance), and fees follow common national or provincial
  levels without claiming to be Phú Thọ's. Two of them have a second version from 01/07/2025
  (a fee change, marked "minh họa") to show versioning.
- the rest are generated plainly (:func:`generated`): "Thủ tục hành chính cấp huyện số 123
  (minh họa)", codes ``1.091xxx`` (district) and ``1.092xxx`` (commune), fields cycled over
  :data:`FIELDS`, 1–3 papers and 4 plain steps.

Department abbreviations are those of the ``thanh_ba_2021`` preset (TP, KTHT, TCKH, TNMT,
LĐTBXH, NV, NN, VHTT, GDĐT, YT, TTr). A commune step with unit ``department`` and no
abbreviation resolves to the commune committee itself (its civil servants).

:func:`load` is idempotent: procedures whose national code exists are skipped. The hand-written
procedures go through ``procedures.services.save_version`` (audited one by one); the generated
ones are written in bulk with one audit event, so that ``make run`` stays fast.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

#: Article figures (2021): total and partly-online procedures per level.
DISTRICT_TOTAL, DISTRICT_PARTIAL = 277, 70
COMMUNE_TOTAL, COMMUNE_PARTIAL = 155, 65

#: Every first version starts here (before any demo dossier).
BASE_DATE = dt.date(2020, 1, 1)
#: The fee change of the versioned demo procedures.
CHANGE_DATE = dt.date(2025, 7, 1)

#: Lĩnh vực: code → name. The codes are illustrative (not the TT 03/2025 code list).
FIELDS: dict[str, str] = {
    "HT": "Hộ tịch",
    "CT": "Chứng thực",
    "NCN": "Nuôi con nuôi",
    "BTXH": "Bảo trợ xã hội",
    "NCC": "Người có công",
    "DD": "Đất đai",
    "XD": "Hoạt động xây dựng",
    "HKD": "Thành lập và hoạt động của hộ kinh doanh",
    "LTHH": "Lưu thông hàng hóa trong nước",
    "ATTP": "An toàn thực phẩm",
    "GDDT": "Giáo dục và Đào tạo",
    "TDKT": "Thi đua - Khen thưởng",
    "KNTC": "Giải quyết khiếu nại, tố cáo",
    "TG": "Tín ngưỡng, tôn giáo",
    "VHCS": "Văn hóa cơ sở",
    "HGCS": "Hòa giải ở cơ sở",
    "MT": "Môi trường",
    "TNN": "Tài nguyên nước",
    "DB": "Đường bộ",
    "NNPTNT": "Nông nghiệp và phát triển nông thôn",
    "PCTT": "Phòng, chống thiên tai",
    "YT": "Y tế",
}

#: Which district department handles a field (abbreviations of the thanh_ba_2021 preset).
FIELD_DEPARTMENT = {
    "HT": "TP",
    "CT": "TP",
    "NCN": "TP",
    "HGCS": "TP",
    "BTXH": "LĐTBXH",
    "NCC": "LĐTBXH",
    "DD": "TNMT",
    "MT": "TNMT",
    "TNN": "TNMT",
    "XD": "KTHT",
    "LTHH": "KTHT",
    "DB": "KTHT",
    "HKD": "TCKH",
    "ATTP": "NN",
    "NNPTNT": "NN",
    "PCTT": "NN",
    "GDDT": "GDĐT",
    "TDKT": "NV",
    "TG": "NV",
    "KNTC": "TTr",
    "VHCS": "VHTT",
    "YT": "YT",
}

#: Fields cycled over by the generated procedures, per level.
DISTRICT_FIELDS = [
    "XD", "DD", "HKD", "LTHH", "HT", "CT", "BTXH", "NCC", "GDDT", "TDKT", "KNTC", "ATTP",
    "MT", "TNN", "DB", "NNPTNT", "VHCS", "YT",
]  # fmt: skip
COMMUNE_FIELDS = [
    "HT", "CT", "BTXH", "NCC", "DD", "TG", "VHCS", "HGCS", "NNPTNT", "PCTT", "MT", "TDKT",
]  # fmt: skip

D = Decimal


def step(name: str, unit: str, role: str, duration, abbreviation: str = "") -> dict:
    return {
        "name": name,
        "unit": unit,
        "department_abbreviation": abbreviation,
        "role": role,
        "duration": D(str(duration)),
    }


def _split(total) -> tuple[Decimal, Decimal, Decimal]:
    """(reception, signing, return) of a process of ``total`` days."""
    total = D(str(total))
    if total <= 1:
        return D("0.1"), D("0.3"), D("0.1")
    if total <= 5:
        return D("0.5"), D("0.5"), D("0.5")
    return D("0.5"), D("1"), D("0.5")


def district_process(department: str, total, work: str = "Thẩm định hồ sơ, trình ký") -> list:
    """1. Tiếp nhận (one-stop) → 2. Thẩm định (department) → 3. Ký (UBND leader) → 4. Trả."""
    receive, sign, give = _split(total)
    return [
        step("Tiếp nhận hồ sơ", "onestop", "onestop", receive),
        step(work, "department", "specialist", D(str(total)) - receive - sign - give, department),
        step("Phê duyệt, ký kết quả", "government", "leader", sign),
        step("Trả kết quả", "onestop", "onestop", give),
    ]


def commune_process(total, work: str = "Công chức chuyên môn kiểm tra, xử lý hồ sơ") -> list:
    """The same four steps inside a commune committee (department "" = the committee itself)."""
    receive, sign, give = _split(total)
    return [
        step("Tiếp nhận hồ sơ", "onestop", "onestop", receive),
        step(work, "department", "specialist", D(str(total)) - receive - sign - give),
        step("Chủ tịch/Phó Chủ tịch UBND xã ký", "government", "leader", sign),
        step("Trả kết quả", "onestop", "onestop", give),
    ]


def paper(name, kind="original", count=1, template_name="", required=True) -> dict:
    return {
        "name": name,
        "kind": kind,
        "count": count,
        "template_name": template_name,
        "required": required,
    }


def fee(name, amount, kind="charge", note="") -> dict:
    return {"name": name, "kind": kind, "amount": amount, "note": note}


ID_PAPER = paper(
    "Giấy tờ tùy thân (CCCD/hộ chiếu) để đối chiếu hoặc thông tin từ CSDL quốc gia về dân cư",
    "copy",
    required=False,
)
HT_BASIS = (
    "Luật Hộ tịch số 60/2014/QH13; Nghị định 123/2015/NĐ-CP; Thông tư 04/2020/TT-BTP; "
    "Thông tư 85/2019/TT-BTC"
)
CT_BASIS = "Nghị định 23/2015/NĐ-CP; Thông tư 01/2020/TT-BTP; Thông tư 226/2016/TT-BTC"

#: Online forms (JSON Schema, the subset of docs/portal.md) of a few partly-online procedures.
_ID12 = {"pattern": "^[0-9]{12}$", "x-message": "Số định danh cá nhân gồm đúng 12 chữ số."}
_SEX = {"enum": ["nam", "nu"], "enumNames": ["Nam", "Nữ"]}
_PROMISE = {
    "type": "boolean",
    "title": "Tôi cam đoan những nội dung khai trên đây là đúng sự thật",
}
BIRTH_SCHEMA = {
    "type": "object",
    "properties": {
        "ho_ten": {
            "type": "string",
            "title": "Họ, chữ đệm, tên người được khai sinh",
            "maxLength": 100,
        },
        "ngay_sinh": {"type": "string", "format": "date", "title": "Ngày, tháng, năm sinh"},
        "gioi_tinh": {"type": "string", "title": "Giới tính", **_SEX},
        "noi_sinh": {"type": "string", "title": "Nơi sinh", "maxLength": 255},
        "quoc_tich": {"type": "string", "title": "Quốc tịch", "maxLength": 50},
        "ho_ten_me": {"type": "string", "title": "Họ, chữ đệm, tên người mẹ", "maxLength": 100},
        "cccd_me": {"type": "string", "title": "Số định danh cá nhân của người mẹ", **_ID12},
        "ho_ten_cha": {"type": "string", "title": "Họ, chữ đệm, tên người cha", "maxLength": 100},
        "cccd_cha": {"type": "string", "title": "Số định danh cá nhân của người cha", **_ID12},
        "quan_he": {
            "type": "string",
            "title": "Quan hệ của người đi khai với người được khai sinh",
            "enum": ["me", "cha", "ong_ba", "khac"],
            "enumNames": ["Mẹ", "Cha", "Ông, bà", "Người thân thích khác"],
        },
        "cam_doan": _PROMISE,
    },
    "required": [
        "ho_ten",
        "ngay_sinh",
        "gioi_tinh",
        "noi_sinh",
        "ho_ten_me",
        "quan_he",
        "cam_doan",
    ],
}
MARRIAGE_SCHEMA = {
    "type": "object",
    "properties": {
        "ho_ten_nam": {"type": "string", "title": "Họ, chữ đệm, tên bên nam", "maxLength": 100},
        "ngay_sinh_nam": {"type": "string", "format": "date", "title": "Ngày sinh bên nam"},
        "cccd_nam": {"type": "string", "title": "Số định danh cá nhân bên nam", **_ID12},
        "ho_ten_nu": {"type": "string", "title": "Họ, chữ đệm, tên bên nữ", "maxLength": 100},
        "ngay_sinh_nu": {"type": "string", "format": "date", "title": "Ngày sinh bên nữ"},
        "cccd_nu": {"type": "string", "title": "Số định danh cá nhân bên nữ", **_ID12},
        "lan_ket_hon": {"type": "integer", "title": "Kết hôn lần thứ", "minimum": 1, "maximum": 10},
        "cam_doan": _PROMISE,
    },
    "required": [
        "ho_ten_nam",
        "ngay_sinh_nam",
        "cccd_nam",
        "ho_ten_nu",
        "ngay_sinh_nu",
        "cccd_nu",
        "cam_doan",
    ],
}
DEATH_SCHEMA = {
    "type": "object",
    "properties": {
        "ho_ten": {"type": "string", "title": "Họ, chữ đệm, tên người đã chết", "maxLength": 100},
        "cccd": {"type": "string", "title": "Số định danh cá nhân của người đã chết", **_ID12},
        "ngay_chet": {"type": "string", "format": "date", "title": "Ngày chết"},
        "noi_chet": {"type": "string", "title": "Nơi chết", "maxLength": 255},
        "nguyen_nhan": {"type": "string", "title": "Nguyên nhân chết", "maxLength": 255},
        "quan_he": {"type": "string", "title": "Quan hệ với người đã chết", "maxLength": 50},
        "cam_doan": _PROMISE,
    },
    "required": ["ho_ten", "ngay_chet", "noi_chet", "quan_he", "cam_doan"],
}

#: national code → online form of the demo (see :func:`load_online_forms`)
ONLINE_FORMS = {"1.001193": BIRTH_SCHEMA, "1.000894": MARRIAGE_SCHEMA, "1.000656": DEATH_SCHEMA}

#: Commune-level procedures written out by hand (illustrative codes).
COMMUNE_REALISTIC: list[dict] = [
    {
        "code": "1.001193",
        "name": "Đăng ký khai sinh",
        "field": "HT",
        "online_level": "partial",
        "processing_time": 1,
        "cutoff_time": dt.time(15, 0),
        "legal_basis": HT_BASIS,
        "result_type": "Giấy khai sinh (bản chính), trích lục khai sinh (bản sao nếu có yêu cầu)",
        "papers": [
            paper("Tờ khai đăng ký khai sinh", template_name="Tờ khai đăng ký khai sinh"),
            paper("Giấy chứng sinh hoặc văn bản xác nhận của người làm chứng"),
            ID_PAPER,
        ],
        "fees": [fee("Lệ phí đăng ký khai sinh", 0, note="Miễn lệ phí khi đăng ký đúng hạn")],
        "steps": commune_process(1, "Công chức Tư pháp - Hộ tịch kiểm tra, ghi sổ hộ tịch"),
    },
    {
        "code": "1.000894",
        "name": "Đăng ký kết hôn",
        "field": "HT",
        "online_level": "partial",
        "processing_time": 1,
        "cutoff_time": dt.time(15, 0),
        "legal_basis": HT_BASIS,
        "result_type": "Giấy chứng nhận kết hôn (02 bản chính)",
        "papers": [
            paper("Tờ khai đăng ký kết hôn", template_name="Tờ khai đăng ký kết hôn"),
            paper(
                "Giấy xác nhận tình trạng hôn nhân (nếu đăng ký tại nơi không thường trú)",
                required=False,
            ),
            ID_PAPER,
        ],
        "fees": [fee("Lệ phí đăng ký kết hôn", 0, note="Miễn lệ phí đăng ký kết hôn trong nước")],
        "steps": commune_process(1, "Công chức Tư pháp - Hộ tịch kiểm tra, ghi sổ hộ tịch"),
    },
    {
        "code": "1.000656",
        "name": "Đăng ký khai tử",
        "field": "HT",
        "online_level": "partial",
        "processing_time": 1,
        "cutoff_time": dt.time(15, 0),
        "legal_basis": HT_BASIS,
        "result_type": "Trích lục khai tử (bản chính)",
        "papers": [
            paper("Tờ khai đăng ký khai tử", template_name="Tờ khai đăng ký khai tử"),
            paper("Giấy báo tử hoặc giấy tờ thay thế Giấy báo tử"),
            ID_PAPER,
        ],
        "fees": [fee("Lệ phí đăng ký khai tử", 0, note="Miễn lệ phí khi đăng ký đúng hạn")],
        "steps": commune_process(1, "Công chức Tư pháp - Hộ tịch kiểm tra, ghi sổ hộ tịch"),
    },
    {
        "code": "1.004884",
        "name": "Đăng ký lại khai sinh",
        "field": "HT",
        "online_level": "partial",
        "processing_time": 5,
        "legal_basis": HT_BASIS,
        "result_type": "Giấy khai sinh (bản chính)",
        "papers": [
            paper("Tờ khai đăng ký lại khai sinh", template_name="Tờ khai đăng ký lại khai sinh"),
            paper("Bản sao Giấy khai sinh hoặc giấy tờ có thông tin về nội dung khai sinh", "copy"),
            ID_PAPER,
        ],
        "fees": [fee("Lệ phí đăng ký lại khai sinh", 5000)],
        "steps": commune_process(5, "Công chức Tư pháp - Hộ tịch xác minh, kiểm tra hồ sơ"),
    },
    {
        "code": "1.004859",
        "name": "Cấp bản sao trích lục hộ tịch",
        "field": "HT",
        "online_level": "partial",
        "processing_time": 1,
        "cutoff_time": dt.time(15, 0),
        "legal_basis": HT_BASIS + "; Thông tư 281/2016/TT-BTC",
        "result_type": "Bản sao trích lục hộ tịch",
        "papers": [
            paper(
                "Tờ khai cấp bản sao trích lục hộ tịch",
                template_name="Tờ khai cấp bản sao trích lục hộ tịch",
            ),
            ID_PAPER,
        ],
        "fees": [fee("Phí cấp bản sao trích lục hộ tịch", 8000, "fee", "8.000 đ/bản")],
        "steps": commune_process(1, "Công chức Tư pháp - Hộ tịch tra cứu sổ, in trích lục"),
        "versions": [
            {
                "effective_from": CHANGE_DATE,
                "fees": [
                    fee(
                        "Phí cấp bản sao trích lục hộ tịch",
                        4000,
                        "fee",
                        "4.000 đ/bản (mức giảm 50%, minh họa)",
                    )
                ],
                "note": "Phiên bản minh họa: thay đổi mức phí từ 01/07/2025.",
            }
        ],
    },
    {
        "code": "1.004873",
        "name": "Xác nhận tình trạng hôn nhân",
        "field": "HT",
        "online_level": "partial",
        "processing_time": 3,
        "legal_basis": HT_BASIS,
        "result_type": "Giấy xác nhận tình trạng hôn nhân",
        "papers": [
            paper(
                "Tờ khai cấp Giấy xác nhận tình trạng hôn nhân",
                template_name="Tờ khai cấp Giấy xác nhận tình trạng hôn nhân",
            ),
            paper("Bản án, quyết định ly hôn hoặc giấy chứng tử (nếu có)", "copy", required=False),
            ID_PAPER,
        ],
        "fees": [fee("Lệ phí cấp Giấy xác nhận tình trạng hôn nhân", 3000)],
        "steps": commune_process(3, "Công chức Tư pháp - Hộ tịch xác minh tình trạng hôn nhân"),
    },
    {
        "code": "1.004827",
        "name": "Đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch",
        "field": "HT",
        "online_level": "partial",
        "processing_time": 3,
        "legal_basis": HT_BASIS,
        "result_type": "Trích lục thay đổi, cải chính, bổ sung hộ tịch",
        "papers": [
            paper(
                "Tờ khai đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch",
                template_name="Tờ khai thay đổi, cải chính hộ tịch",
            ),
            paper("Giấy tờ liên quan làm căn cứ thay đổi, cải chính", "copy"),
            ID_PAPER,
        ],
        "fees": [fee("Lệ phí thay đổi, cải chính hộ tịch", 15000)],
        "steps": commune_process(3, "Công chức Tư pháp - Hộ tịch kiểm tra, ghi sổ hộ tịch"),
    },
    {
        "code": "1.001022",
        "name": "Đăng ký nhận cha, mẹ, con",
        "field": "HT",
        "online_level": "2",
        "processing_time": 3,
        "legal_basis": HT_BASIS,
        "result_type": "Trích lục đăng ký nhận cha, mẹ, con",
        "papers": [
            paper(
                "Tờ khai đăng ký nhận cha, mẹ, con",
                template_name="Tờ khai đăng ký nhận cha, mẹ, con",
            ),
            paper("Văn bản của cơ quan y tế hoặc giám định xác nhận quan hệ cha, mẹ, con"),
            ID_PAPER,
        ],
        "fees": [fee("Lệ phí đăng ký nhận cha, mẹ, con", 15000)],
        "steps": commune_process(3, "Công chức Tư pháp - Hộ tịch kiểm tra, niêm yết"),
    },
    {
        "code": "1.003583",
        "name": "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan có thẩm quyền "
        "của Việt Nam cấp",
        "field": "CT",
        "online_level": "2",
        "processing_time": 8,
        "time_unit": "hours",
        "cutoff_time": dt.time(15, 0),
        "legal_basis": CT_BASIS,
        "result_type": "Bản sao được chứng thực từ bản chính",
        "papers": [
            paper("Bản chính giấy tờ, văn bản làm cơ sở chứng thực bản sao"),
            paper("Bản sao cần chứng thực", "copy"),
        ],
        "fees": [
            fee(
                "Phí chứng thực bản sao từ bản chính",
                2000,
                "fee",
                "2.000 đ/trang; từ trang thứ ba 1.000 đ/trang, tối đa 200.000 đ/bản",
            )
        ],
        "steps": [
            step("Tiếp nhận, kiểm tra bản chính", "onestop", "onestop", 1),
            step(
                "Công chức Tư pháp - Hộ tịch đối chiếu, chứng thực", "department", "specialist", 4
            ),
            step("Chủ tịch/Phó Chủ tịch UBND xã ký chứng thực", "government", "leader", 2),
            step("Trả kết quả, thu phí", "onestop", "onestop", 1),
        ],
    },
    {
        "code": "1.003596",
        "name": "Chứng thực chữ ký trong các giấy tờ, văn bản",
        "field": "CT",
        "online_level": "2",
        "processing_time": 1,
        "cutoff_time": dt.time(15, 0),
        "legal_basis": CT_BASIS,
        "result_type": "Giấy tờ, văn bản đã được chứng thực chữ ký",
        "papers": [paper("Giấy tờ, văn bản cần chứng thực chữ ký"), ID_PAPER],
        "fees": [fee("Phí chứng thực chữ ký", 10000, "fee", "10.000 đ/trường hợp")],
        "steps": commune_process(1, "Công chức Tư pháp - Hộ tịch kiểm tra, ghi sổ chứng thực"),
    },
    {
        "code": "2.000913",
        "name": "Chứng thực hợp đồng, giao dịch liên quan đến tài sản là động sản",
        "field": "CT",
        "online_level": "2",
        "processing_time": 2,
        "legal_basis": CT_BASIS,
        "result_type": "Hợp đồng, giao dịch được chứng thực",
        "papers": [
            paper("Dự thảo hợp đồng, giao dịch", count=3),
            paper("Bản sao giấy tờ chứng minh quyền sở hữu tài sản", "copy"),
            ID_PAPER,
        ],
        "fees": [fee("Phí chứng thực hợp đồng, giao dịch", 50000, "fee")],
        "steps": commune_process(2, "Công chức Tư pháp - Hộ tịch kiểm tra, chứng thực"),
    },
    {
        "code": "2.000942",
        "name": "Chứng thực hợp đồng, giao dịch liên quan đến thực hiện quyền của người sử dụng đất",
        "field": "CT",
        "online_level": "2",
        "processing_time": 3,
        "legal_basis": CT_BASIS + "; Luật Đất đai",
        "result_type": "Hợp đồng, giao dịch về quyền sử dụng đất được chứng thực",
        "papers": [
            paper("Dự thảo hợp đồng, giao dịch", count=3),
            paper("Bản sao Giấy chứng nhận quyền sử dụng đất (kèm bản chính để đối chiếu)", "copy"),
            ID_PAPER,
        ],
        "fees": [fee("Phí chứng thực hợp đồng, giao dịch", 50000, "fee")],
        "steps": commune_process(3, "Công chức Tư pháp - Hộ tịch kiểm tra, chứng thực"),
    },
    {
        "code": "1.001199",
        "name": "Đăng ký việc nuôi con nuôi trong nước",
        "field": "NCN",
        "online_level": "2",
        "processing_time": 30,
        "legal_basis": "Luật Nuôi con nuôi 2010; Nghị định 19/2011/NĐ-CP; Nghị định 24/2019/NĐ-CP",
        "result_type": "Giấy chứng nhận nuôi con nuôi",
        "papers": [
            paper("Đơn xin nhận con nuôi", template_name="Đơn xin nhận con nuôi"),
            paper("Phiếu lý lịch tư pháp của người nhận con nuôi"),
            paper("Giấy khám sức khỏe của người nhận con nuôi"),
            paper("Giấy khai sinh của người được nhận làm con nuôi", "copy"),
        ],
        "fees": [fee("Lệ phí đăng ký nuôi con nuôi trong nước", 400000)],
        "steps": commune_process(30, "Công chức Tư pháp - Hộ tịch lấy ý kiến, xác minh"),
    },
    {
        "code": "1.001731",
        "name": "Hỗ trợ chi phí mai táng cho đối tượng bảo trợ xã hội",
        "field": "BTXH",
        "online_level": "partial",
        "processing_time": 8,
        "legal_basis": "Nghị định 20/2021/NĐ-CP",
        "result_type": "Quyết định hỗ trợ chi phí mai táng của Chủ tịch UBND cấp huyện",
        "papers": [
            paper("Tờ khai đề nghị hỗ trợ chi phí mai táng", template_name="Mẫu số 04"),
            paper("Giấy chứng tử hoặc trích lục khai tử", "copy"),
        ],
        "fees": [],
        "steps": [
            step("Tiếp nhận hồ sơ", "onestop", "onestop", D("0.5")),
            step(
                "Công chức Lao động - Thương binh và Xã hội xác minh", "department", "specialist", 2
            ),
            step("Chủ tịch UBND xã ký văn bản đề nghị", "government", "leader", D("0.5")),
            step(
                "Phòng LĐTBXH huyện thẩm định, Chủ tịch UBND huyện quyết định (liên thông)",
                "higher",
                "specialist",
                D("4.5"),
            ),
            step("Trả kết quả", "onestop", "onestop", D("0.5")),
        ],
    },
    {
        "code": "2.002165",
        "name": "Hòa giải tranh chấp đất đai",
        "field": "DD",
        "online_level": "2",
        "processing_time": 30,
        "legal_basis": "Luật Đất đai; Nghị định 43/2014/NĐ-CP",
        "result_type": "Biên bản hòa giải thành hoặc không thành",
        "papers": [paper("Đơn yêu cầu hòa giải tranh chấp đất đai"), ID_PAPER],
        "fees": [],
        "steps": commune_process(30, "Công chức Địa chính thẩm tra, tổ chức hòa giải"),
    },
    {
        "code": "1.001055",
        "name": "Đăng ký hoạt động tín ngưỡng",
        "field": "TG",
        "online_level": "2",
        "processing_time": 15,
        "legal_basis": "Luật Tín ngưỡng, tôn giáo 2016; Nghị định 162/2017/NĐ-CP",
        "result_type": "Văn bản chấp thuận hoặc không chấp thuận",
        "papers": [
            paper("Văn bản đăng ký hoạt động tín ngưỡng", template_name="Mẫu B1"),
            paper("Danh mục hoạt động tín ngưỡng hằng năm"),
        ],
        "fees": [],
        "steps": commune_process(15, "Công chức Văn hóa - Xã hội kiểm tra"),
    },
    {
        "code": "1.000954",
        "name": "Xét tặng danh hiệu Gia đình văn hóa hằng năm",
        "field": "VHCS",
        "online_level": "partial",
        "processing_time": 5,
        "legal_basis": "Nghị định 122/2018/NĐ-CP",
        "result_type": "Giấy khen Gia đình văn hóa",
        "papers": [paper("Biên bản họp xét của thôn, tổ dân phố"), paper("Danh sách đề nghị")],
        "fees": [],
        "steps": commune_process(5, "Công chức Văn hóa - Xã hội tổng hợp, thẩm định"),
    },
    {
        "code": "2.000930",
        "name": "Công nhận hòa giải viên",
        "field": "HGCS",
        "online_level": "partial",
        "processing_time": 5,
        "legal_basis": "Luật Hòa giải ở cơ sở 2013; Nghị định 15/2014/NĐ-CP",
        "result_type": "Quyết định công nhận hòa giải viên",
        "papers": [
            paper("Văn bản đề nghị của Trưởng ban công tác Mặt trận"),
            paper("Biên bản bầu"),
        ],
        "fees": [],
        "steps": commune_process(5, "Công chức Tư pháp - Hộ tịch kiểm tra"),
    },
]

#: District-level procedures written out by hand (illustrative codes).
DISTRICT_REALISTIC: list[dict] = [
    {
        "code": "1.009994",
        "name": "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ",
        "field": "XD",
        "online_level": "partial",
        "processing_time": 15,
        "legal_basis": "Luật Xây dựng 2014, sửa đổi 2020; Nghị định 15/2021/NĐ-CP",
        "result_type": "Giấy phép xây dựng",
        "papers": [
            paper(
                "Đơn đề nghị cấp giấy phép xây dựng",
                template_name="Mẫu số 01 Phụ lục II Nghị định 15/2021/NĐ-CP",
            ),
            paper("Bản sao giấy tờ chứng minh quyền sử dụng đất", "certified_copy"),
            paper("Bản vẽ thiết kế xây dựng", count=2),
        ],
        "fees": [fee("Lệ phí cấp giấy phép xây dựng nhà ở riêng lẻ", 75000)],
        "steps": district_process("KTHT", 15, "Thẩm định hồ sơ, kiểm tra thực địa"),
    },
    {
        "code": "1.009995",
        "name": "Cấp giấy phép xây dựng sửa chữa, cải tạo đối với nhà ở riêng lẻ",
        "field": "XD",
        "online_level": "partial",
        "processing_time": 15,
        "legal_basis": "Luật Xây dựng 2014, sửa đổi 2020; Nghị định 15/2021/NĐ-CP",
        "result_type": "Giấy phép xây dựng sửa chữa, cải tạo",
        "papers": [
            paper(
                "Đơn đề nghị cấp giấy phép sửa chữa, cải tạo",
                template_name="Mẫu số 01 Phụ lục II Nghị định 15/2021/NĐ-CP",
            ),
            paper("Bản sao giấy tờ chứng minh quyền sở hữu công trình", "certified_copy"),
            paper("Bản vẽ, ảnh chụp hiện trạng công trình", count=2),
        ],
        "fees": [fee("Lệ phí cấp giấy phép xây dựng", 75000)],
        "steps": district_process("KTHT", 15, "Thẩm định hồ sơ, kiểm tra thực địa"),
    },
    {
        "code": "1.009996",
        "name": "Gia hạn giấy phép xây dựng đối với nhà ở riêng lẻ",
        "field": "XD",
        "online_level": "partial",
        "processing_time": 5,
        "legal_basis": "Nghị định 15/2021/NĐ-CP",
        "result_type": "Giấy phép xây dựng được gia hạn",
        "papers": [
            paper("Đơn đề nghị gia hạn giấy phép xây dựng"),
            paper("Bản chính giấy phép xây dựng đã được cấp"),
        ],
        "fees": [fee("Lệ phí gia hạn giấy phép xây dựng", 15000)],
        "steps": district_process("KTHT", 5),
    },
    {
        "code": "2.000720",
        "name": "Đăng ký thành lập hộ kinh doanh",
        "field": "HKD",
        "online_level": "partial",
        "processing_time": 3,
        "legal_basis": "Nghị định 01/2021/NĐ-CP; Thông tư 01/2021/TT-BKHĐT",
        "result_type": "Giấy chứng nhận đăng ký hộ kinh doanh",
        "papers": [
            paper(
                "Giấy đề nghị đăng ký hộ kinh doanh",
                template_name="Phụ lục III-1 Thông tư 01/2021/TT-BKHĐT",
            ),
            paper("Bản sao giấy tờ pháp lý của cá nhân các thành viên hộ gia đình", "copy"),
            paper("Biên bản họp thành viên hộ gia đình (nếu có)", required=False),
        ],
        "fees": [fee("Lệ phí đăng ký hộ kinh doanh", 100000)],
        "steps": [
            step("Tiếp nhận hồ sơ", "onestop", "onestop", D("0.5")),
            step("Thẩm định hồ sơ, cấp mã số", "department", "specialist", 1, "TCKH"),
            step("Phê duyệt, ký kết quả", "government", "leader", 1),
            step("Trả kết quả", "onestop", "onestop", D("0.5")),
        ],
        "versions": [
            {
                "effective_from": CHANGE_DATE,
                "fees": [
                    fee(
                        "Lệ phí đăng ký hộ kinh doanh",
                        50000,
                        note="Mức giảm 50% (minh họa)",
                    )
                ],
                "note": "Phiên bản minh họa: thay đổi mức lệ phí từ 01/07/2025.",
            }
        ],
    },
    {
        "code": "2.000719",
        "name": "Đăng ký thay đổi nội dung đăng ký hộ kinh doanh",
        "field": "HKD",
        "online_level": "partial",
        "processing_time": 3,
        "legal_basis": "Nghị định 01/2021/NĐ-CP",
        "result_type": "Giấy chứng nhận đăng ký hộ kinh doanh (cấp đổi)",
        "papers": [
            paper("Thông báo thay đổi nội dung đăng ký hộ kinh doanh"),
            paper("Bản gốc Giấy chứng nhận đăng ký hộ kinh doanh"),
        ],
        "fees": [fee("Lệ phí đăng ký thay đổi hộ kinh doanh", 50000)],
        "steps": district_process("TCKH", 3, "Thẩm định hồ sơ"),
    },
    {
        "code": "1.003003",
        "name": "Đăng ký, cấp Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản "
        "khác gắn liền với đất lần đầu",
        "field": "DD",
        "online_level": "2",
        "processing_time": 30,
        "legal_basis": "Luật Đất đai 2013; Nghị định 43/2014/NĐ-CP; Nghị định 148/2020/NĐ-CP",
        "result_type": "Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác "
        "gắn liền với đất",
        "papers": [
            paper("Đơn đăng ký, cấp Giấy chứng nhận", template_name="Mẫu số 04a/ĐK"),
            paper("Giấy tờ về quyền sử dụng đất (nếu có)", "copy"),
            paper("Chứng từ thực hiện nghĩa vụ tài chính (nếu có)", "copy", required=False),
        ],
        "fees": [fee("Lệ phí cấp Giấy chứng nhận", 100000)],
        "steps": district_process("TNMT", 30, "Thẩm tra, đo đạc, niêm yết công khai"),
    },
    {
        "code": "1.002253",
        "name": "Chuyển mục đích sử dụng đất phải được phép của cơ quan nhà nước có thẩm quyền "
        "đối với hộ gia đình, cá nhân",
        "field": "DD",
        "online_level": "2",
        "processing_time": 15,
        "legal_basis": "Luật Đất đai 2013; Nghị định 43/2014/NĐ-CP",
        "result_type": "Quyết định cho phép chuyển mục đích sử dụng đất",
        "papers": [
            paper("Đơn xin chuyển mục đích sử dụng đất", template_name="Mẫu số 01"),
            paper("Giấy chứng nhận quyền sử dụng đất"),
        ],
        "fees": [],
        "steps": district_process("TNMT", 15, "Thẩm tra hồ sơ, xác minh thực địa"),
    },
    {
        "code": "2.000620",
        "name": "Cấp Giấy phép bán lẻ rượu",
        "field": "LTHH",
        "online_level": "partial",
        "processing_time": 10,
        "legal_basis": "Nghị định 105/2017/NĐ-CP; Nghị định 17/2020/NĐ-CP; Thông tư 168/2016/TT-BTC",
        "result_type": "Giấy phép bán lẻ rượu",
        "papers": [
            paper("Đơn đề nghị cấp Giấy phép bán lẻ rượu", template_name="Mẫu số 01"),
            paper("Bản sao Giấy chứng nhận đăng ký hộ kinh doanh", "copy"),
            paper("Bản sao hợp đồng thuê hoặc giấy tờ chứng minh quyền sử dụng cơ sở", "copy"),
        ],
        "fees": [
            fee(
                "Phí thẩm định cấp Giấy phép bán lẻ rượu",
                600000,
                "fee",
                "Khu vực ngoài thành phố trực thuộc trung ương",
            )
        ],
        "steps": district_process("KTHT", 10, "Thẩm định hồ sơ, kiểm tra điều kiện kinh doanh"),
    },
    {
        "code": "2.000633",
        "name": "Cấp Giấy phép bán lẻ sản phẩm thuốc lá",
        "field": "LTHH",
        "online_level": "partial",
        "processing_time": 10,
        "legal_basis": "Nghị định 67/2013/NĐ-CP; Nghị định 106/2017/NĐ-CP",
        "result_type": "Giấy phép bán lẻ sản phẩm thuốc lá",
        "papers": [
            paper("Đơn đề nghị cấp Giấy phép bán lẻ sản phẩm thuốc lá"),
            paper("Bản sao Giấy chứng nhận đăng ký hộ kinh doanh", "copy"),
        ],
        "fees": [fee("Phí thẩm định kinh doanh thuốc lá", 600000, "fee")],
        "steps": district_process("KTHT", 10, "Thẩm định hồ sơ"),
    },
    {
        "code": "1.000893",
        "name": "Đăng ký kết hôn có yếu tố nước ngoài",
        "field": "HT",
        "online_level": "2",
        "processing_time": 15,
        "legal_basis": HT_BASIS,
        "result_type": "Giấy chứng nhận kết hôn",
        "papers": [
            paper("Tờ khai đăng ký kết hôn", template_name="Tờ khai đăng ký kết hôn"),
            paper("Giấy xác nhận tình trạng hôn nhân của người nước ngoài (đã hợp pháp hóa)"),
            paper("Giấy xác nhận của tổ chức y tế về tâm thần"),
            paper("Bản sao hộ chiếu của người nước ngoài", "copy"),
        ],
        "fees": [fee("Lệ phí đăng ký kết hôn có yếu tố nước ngoài", 1000000)],
        "steps": district_process("TP", 15, "Thẩm tra hồ sơ, phỏng vấn (nếu cần)"),
    },
    {
        "code": "2.000815",
        "name": "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan, tổ chức có thẩm "
        "quyền của nước ngoài cấp",
        "field": "CT",
        "online_level": "2",
        "processing_time": 1,
        "cutoff_time": dt.time(15, 0),
        "legal_basis": CT_BASIS,
        "result_type": "Bản sao được chứng thực từ bản chính",
        "papers": [
            paper("Bản chính giấy tờ do nước ngoài cấp (đã hợp pháp hóa lãnh sự)"),
            paper("Bản sao cần chứng thực", "copy"),
        ],
        "fees": [
            fee(
                "Phí chứng thực bản sao từ bản chính",
                2000,
                "fee",
                "2.000 đ/trang; từ trang thứ ba 1.000 đ/trang, tối đa 200.000 đ/bản",
            )
        ],
        "steps": district_process("TP", 1, "Phòng Tư pháp đối chiếu, chứng thực"),
    },
    {
        "code": "2.000843",
        "name": "Chứng thực chữ ký người dịch mà người dịch là cộng tác viên dịch thuật",
        "field": "CT",
        "online_level": "2",
        "processing_time": 1,
        "cutoff_time": dt.time(15, 0),
        "legal_basis": CT_BASIS,
        "result_type": "Bản dịch được chứng thực chữ ký người dịch",
        "papers": [paper("Bản dịch và giấy tờ cần dịch"), ID_PAPER],
        "fees": [fee("Phí chứng thực chữ ký người dịch", 10000, "fee", "10.000 đ/trường hợp")],
        "steps": district_process("TP", 1, "Phòng Tư pháp kiểm tra, chứng thực"),
    },
    {
        "code": "1.001776",
        "name": "Thực hiện, điều chỉnh, thôi hưởng trợ cấp xã hội hằng tháng",
        "field": "BTXH",
        "online_level": "partial",
        "processing_time": 15,
        "legal_basis": "Nghị định 20/2021/NĐ-CP",
        "result_type": "Quyết định hưởng trợ cấp xã hội hằng tháng",
        "papers": [
            paper("Tờ khai đề nghị trợ cấp xã hội", template_name="Mẫu số 1a"),
            paper("Bản sao giấy khai sinh hoặc CCCD", "copy"),
            paper("Giấy xác nhận khuyết tật (nếu có)", "copy", required=False),
        ],
        "fees": [],
        "steps": district_process("LĐTBXH", 15, "Thẩm định hồ sơ, trình Chủ tịch UBND huyện"),
    },
    {
        "code": "1.010938",
        "name": "Giải quyết chế độ trợ cấp một lần đối với người có công với cách mạng",
        "field": "NCC",
        "online_level": "2",
        "processing_time": 20,
        "legal_basis": "Pháp lệnh Ưu đãi người có công với cách mạng 2020; Nghị định 131/2021/NĐ-CP",
        "result_type": "Quyết định trợ cấp một lần",
        "papers": [
            paper("Bản khai cá nhân", template_name="Mẫu số 09"),
            paper("Giấy tờ liên quan"),
        ],
        "fees": [],
        "steps": district_process("LĐTBXH", 20),
    },
    {
        "code": "2.002154",
        "name": "Giải quyết khiếu nại lần đầu tại cấp huyện",
        "field": "KNTC",
        "online_level": "2",
        "processing_time": 30,
        "legal_basis": "Luật Khiếu nại 2011; Nghị định 124/2020/NĐ-CP",
        "result_type": "Quyết định giải quyết khiếu nại",
        "papers": [
            paper("Đơn khiếu nại hoặc bản ghi lời khiếu nại"),
            paper("Tài liệu, chứng cứ kèm theo (nếu có)", "copy", required=False),
        ],
        "fees": [],
        "steps": district_process("TTr", 30, "Thanh tra huyện xác minh, kết luận"),
    },
    {
        "code": "1.005108",
        "name": "Chuyển trường đối với học sinh trung học cơ sở",
        "field": "GDDT",
        "online_level": "partial",
        "processing_time": 3,
        "legal_basis": "Thông tư 50/2021/TT-BGDĐT",
        "result_type": "Giấy giới thiệu chuyển trường",
        "papers": [
            paper("Đơn xin chuyển trường của cha mẹ học sinh"),
            paper("Học bạ (bản chính)"),
            paper("Giấy chứng nhận trúng tuyển vào lớp 6 (nếu có)", "copy", required=False),
        ],
        "fees": [],
        "steps": district_process("GDĐT", 3, "Phòng Giáo dục và Đào tạo xem xét"),
    },
    {
        "code": "1.004555",
        "name": "Cho phép trường tiểu học hoạt động giáo dục",
        "field": "GDDT",
        "online_level": "2",
        "processing_time": 20,
        "legal_basis": "Nghị định 46/2017/NĐ-CP; Nghị định 135/2018/NĐ-CP",
        "result_type": "Quyết định cho phép hoạt động giáo dục",
        "papers": [
            paper("Tờ trình đề nghị cho phép hoạt động giáo dục"),
            paper("Quyết định thành lập trường", "copy"),
            paper("Danh sách cán bộ quản lý, giáo viên"),
        ],
        "fees": [],
        "steps": district_process("GDĐT", 20, "Thẩm định, kiểm tra thực tế"),
    },
    {
        "code": "1.000775",
        "name": "Tặng Giấy khen của Chủ tịch UBND cấp huyện về thực hiện nhiệm vụ chính trị",
        "field": "TDKT",
        "online_level": "2",
        "processing_time": 20,
        "legal_basis": "Luật Thi đua, khen thưởng; Nghị định 91/2017/NĐ-CP",
        "result_type": "Quyết định khen thưởng, Giấy khen",
        "papers": [paper("Tờ trình đề nghị khen thưởng"), paper("Báo cáo thành tích")],
        "fees": [],
        "steps": district_process("NV", 20, "Phòng Nội vụ thẩm định, trình Hội đồng"),
    },
    {
        "code": "1.001621",
        "name": "Cấp Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm",
        "field": "ATTP",
        "online_level": "partial",
        "processing_time": 15,
        "legal_basis": "Luật An toàn thực phẩm 2010; Nghị định 15/2018/NĐ-CP; "
        "Thông tư 44/2018/TT-BTC",
        "result_type": "Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm",
        "papers": [
            paper("Đơn đề nghị cấp Giấy chứng nhận"),
            paper("Bản thuyết minh về cơ sở vật chất, trang thiết bị"),
            paper("Giấy xác nhận đủ sức khỏe của chủ cơ sở", "copy"),
        ],
        "fees": [fee("Phí thẩm định cấp Giấy chứng nhận", 500000, "fee", "Cơ sở sản xuất nhỏ lẻ")],
        "steps": district_process("NN", 15, "Thẩm định hồ sơ, kiểm tra thực tế cơ sở"),
    },
]

REALISTIC = [
    *({**p, "level": "commune"} for p in COMMUNE_REALISTIC),
    *({**p, "level": "district"} for p in DISTRICT_REALISTIC),
]

#: National codes other parts of the demo (dossiers) refer to.
CODES = {
    "khai_sinh": "1.001193",
    "ket_hon": "1.000894",
    "khai_tu": "1.000656",
    "trich_luc": "1.004859",
    "chung_thuc_ban_sao": "1.003583",
    "chung_thuc_chu_ky": "1.003596",
    "mai_tang_phi": "1.001731",
    "giay_phep_xay_dung": "1.009994",
    "ho_kinh_doanh": "2.000720",
    "giay_chung_nhan_qsdd": "1.003003",
    "ban_le_ruou": "2.000620",
    "tro_cap_xa_hoi": "1.001776",
}

GENERATED_PAPERS = [
    paper("Đơn đề nghị (theo mẫu)", template_name="Mẫu đơn đề nghị"),
    paper("Bản sao giấy tờ chứng minh nhân thân hoặc tư cách pháp lý", "copy"),
    paper("Giấy tờ khác có liên quan (nếu có)", "copy", required=False),
]
DISTRICT_TIMES = [3, 5, 7, 10, 15, 20, 30]
COMMUNE_TIMES = [1, 2, 3, 5, 7, 10, 15]
FEE_AMOUNTS = [10000, 20000, 50000, 100000]


def _spread(i: int, count: int, chosen: int) -> bool:
    """Whether item ``i`` of ``count`` is one of ``chosen`` spread evenly over them."""
    return (i + 1) * chosen // count != i * chosen // count


def generated(level: str) -> list[dict]:
    """The plainly generated procedures of a level, filling the article's totals."""
    if level == "district":
        total, partial, fields, times, prefix, label = (
            DISTRICT_TOTAL,
            DISTRICT_PARTIAL,
            DISTRICT_FIELDS,
            DISTRICT_TIMES,
            "1.091",
            "cấp huyện",
        )
        hand = DISTRICT_REALISTIC
    else:
        total, partial, fields, times, prefix, label = (
            COMMUNE_TOTAL,
            COMMUNE_PARTIAL,
            COMMUNE_FIELDS,
            COMMUNE_TIMES,
            "1.092",
            "cấp xã",
        )
        hand = COMMUNE_REALISTIC
    count = total - len(hand)
    partial_left = partial - sum(1 for p in hand if p["online_level"] == "partial")
    out = []
    for i in range(count):
        number = len(hand) + i + 1
        field = fields[i % len(fields)]
        processing = times[i % len(times)]
        steps = (
            district_process(FIELD_DEPARTMENT[field], processing)
            if level == "district"
            else commune_process(processing)
        )
        out.append(
            {
                "code": f"{prefix}{number:03d}",
                "name": f"Thủ tục hành chính {label} số {number} (minh họa)",
                "field": field,
                "level": level,
                "online_level": "partial" if _spread(i, count, partial_left) else "2",
                "processing_time": processing,
                "legal_basis": "Văn bản quy phạm pháp luật minh họa",
                "result_type": "Văn bản giải quyết thủ tục hành chính",
                "papers": GENERATED_PAPERS[: 1 + i % 3],
                "fees": (
                    [fee("Lệ phí giải quyết thủ tục", FEE_AMOUNTS[i // 4 % len(FEE_AMOUNTS)])]
                    if i % 4 == 0
                    else []
                ),
                "steps": steps,
                "note": "Thủ tục sinh tự động cho dữ liệu minh họa.",
            }
        )
    return out


def catalog() -> list[dict]:
    """Every demo procedure: the hand-written ones, then the generated ones."""
    return [*REALISTIC, *generated("district"), *generated("commune")]


def _version_data(entry: dict) -> dict:
    return {
        "name": entry["name"],
        "level": entry["level"],
        "online_level": entry["online_level"],
        "processing_time": D(str(entry["processing_time"])),
        "time_unit": entry.get("time_unit", "days"),
        "cutoff_time": entry.get("cutoff_time"),
        "legal_basis": entry.get("legal_basis", ""),
        "result_type": entry.get("result_type", ""),
        "note": entry.get("note", ""),
    }


def load(*, by=None) -> int:
    """Create the demo catalog; procedures that exist already are left alone. Returns how many
    procedures were created."""
    from egov.core import audit
    from egov.core.text import fold
    from egov.procedures import services
    from egov.procedures.models import (
        Fee,
        Procedure,
        ProcedureVersion,
        ProcessStep,
        RequiredPaper,
    )

    existing = set(Procedure.objects.values_list("national_code", flat=True))
    fields = {code: services.get_or_create_field(code, name) for code, name in FIELDS.items()}
    created = 0

    for entry in REALISTIC:
        if entry["code"] in existing:
            continue
        base = {
            "papers": entry["papers"],
            "fees": entry["fees"],
            "steps": entry["steps"],
            **_version_data(entry),
        }
        services.save_version(
            entry["code"], field=fields[entry["field"]], effective_from=BASE_DATE, by=by, **base
        )
        for change in entry.get("versions", []):
            data = {**base, **{k: v for k, v in change.items() if k != "effective_from"}}
            services.save_version(
                entry["code"],
                field=fields[entry["field"]],
                effective_from=change["effective_from"],
                by=by,
                **data,
            )
        created += 1

    plain = [
        e for e in [*generated("district"), *generated("commune")] if e["code"] not in existing
    ]
    if plain:
        Procedure.objects.bulk_create(
            [
                Procedure(
                    national_code=e["code"],
                    level=e["level"],
                    name=e["name"],
                    field=fields[e["field"]],
                    online_level=e["online_level"],
                    search_text=fold(f"{e['code']} {e['name']} {FIELDS[e['field']]}"),
                )
                for e in plain
            ]
        )
        ids = dict(
            Procedure.objects.filter(national_code__in=[e["code"] for e in plain]).values_list(
                "national_code", "pk"
            )
        )
        versions = ProcedureVersion.objects.bulk_create(
            [
                ProcedureVersion(
                    procedure_id=ids[e["code"]],
                    field=fields[e["field"]],
                    effective_from=BASE_DATE,
                    **_version_data(e),
                )
                for e in plain
            ]
        )
        if any(v.pk is None for v in versions):  # a back-end that does not return ids
            by_procedure = dict(
                ProcedureVersion.objects.filter(procedure_id__in=ids.values()).values_list(
                    "procedure_id", "pk"
                )
            )
            for v in versions:
                v.pk = by_procedure[v.procedure_id]
        papers, fees, steps = [], [], []
        for e, v in zip(plain, versions, strict=True):
            papers += [RequiredPaper(version_id=v.pk, order=i, **p) for i, p in enumerate(e["papers"], 1)]  # fmt: skip
            fees += [Fee(version_id=v.pk, **f) for f in e["fees"]]
            steps += [ProcessStep(version_id=v.pk, order=i, **s) for i, s in enumerate(e["steps"], 1)]  # fmt: skip
        RequiredPaper.objects.bulk_create(papers)
        Fee.objects.bulk_create(fees)
        ProcessStep.objects.bulk_create(steps)
        audit.record(
            "procedure.catalog_generated",
            actor=by,
            data={
                "count": len(plain),
                "codes": f"{plain[0]['code']}…{plain[-1]['code']}",
                "effective_from": BASE_DATE.isoformat(),
            },
        )
        created += len(plain)
    return created


def load_online_forms() -> int:
    """Give the demo's online forms (:data:`ONLINE_FORMS`) to the versions of those procedures
    that have none yet; returns how many were set. Kept apart from :func:`load` because the
    catalog's CSV/Excel import-export does not carry ``form_schema`` (yet)."""
    from egov.procedures.models import ProcedureVersion

    count = 0
    for code, schema in ONLINE_FORMS.items():
        count += ProcedureVersion.objects.filter(
            procedure__national_code=code, form_schema={}
        ).update(form_schema=schema)
    return count
