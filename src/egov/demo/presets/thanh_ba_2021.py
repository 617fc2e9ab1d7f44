"""Preset ``thanh-ba-2021``: huyện Thanh Ba, tỉnh Phú Thọ as described by the 2021 article
(context/thanh-ba-e-government-2021.txt): three levels of government, the district's
departments and one-stop centre, 19 communes and towns each with a one-stop unit, and 22
video-conference bridge points.

The list of the 19 communes is a demo approximation of the 2021 list, not an official one.

Agency codes (mã định danh, format ``000.00.00.H00``; the meaning of each group is
UNCONFIRMED, STANDARDS.md §2.1), read right to left:

- ``H42``: the province (Phú Thọ in the demo);
- third group: the district, ``25`` = Thanh Ba (``00`` = directly under the province);
- second group: a unit inside a government, ``00`` = the People's Committee itself;
  district departments are ``01``–``12``, the district one-stop centre ``13``, a commune's
  one-stop unit ``01``;
- first group: the commune, ``001`` = Thị trấn Thanh Ba, ``002``–``019`` = the communes in
  the order below; ``000`` = the district or province itself.
"""

from __future__ import annotations

NAME = "thanh-ba-2021"
TITLE = "Huyện Thanh Ba, tỉnh Phú Thọ (năm 2021, chính quyền ba cấp)"

PROVINCE_CODE = "000.00.00.H42"
DISTRICT_CODE = "000.00.25.H42"
DISTRICT_ONESTOP_CODE = "000.13.25.H42"
ADDRESS_SUFFIX = "huyện Thanh Ba, tỉnh Phú Thọ"

#: (unit number, name, abbreviation used in document notations)
DEPARTMENTS = [
    (1, "Văn phòng HĐND và UBND huyện Thanh Ba", "Văn phòng HĐND và UBND", "VP"),
    (2, "Phòng Nội vụ huyện Thanh Ba", "Phòng Nội vụ", "NV"),
    (3, "Phòng Tài chính - Kế hoạch huyện Thanh Ba", "Phòng Tài chính - Kế hoạch", "TCKH"),
    (4, "Phòng Tư pháp huyện Thanh Ba", "Phòng Tư pháp", "TP"),
    (5, "Phòng Tài nguyên và Môi trường huyện Thanh Ba", "Phòng Tài nguyên và Môi trường", "TNMT"),
    (6, "Phòng Kinh tế - Hạ tầng huyện Thanh Ba", "Phòng Kinh tế - Hạ tầng", "KTHT"),
    (7, "Phòng Nông nghiệp và PTNT huyện Thanh Ba", "Phòng Nông nghiệp và PTNT", "NN"),
    (
        8,
        "Phòng Lao động - Thương binh và Xã hội huyện Thanh Ba",
        "Phòng Lao động - Thương binh và Xã hội",
        "LĐTBXH",
    ),
    (9, "Phòng Văn hóa và Thông tin huyện Thanh Ba", "Phòng Văn hóa và Thông tin", "VHTT"),
    (10, "Phòng Giáo dục và Đào tạo huyện Thanh Ba", "Phòng Giáo dục và Đào tạo", "GDĐT"),
    (11, "Phòng Y tế huyện Thanh Ba", "Phòng Y tế", "YT"),
    (12, "Thanh tra huyện Thanh Ba", "Thanh tra huyện", "TTr"),
]

#: (commune number, kind, name without the "UBND xã" prefix). Demo approximation.
COMMUNES = [
    (1, "town", "Thanh Ba"),
    (2, "commune", "Đỗ Sơn"),
    (3, "commune", "Đỗ Xuyên"),
    (4, "commune", "Lương Lỗ"),
    (5, "commune", "Hanh Cù"),
    (6, "commune", "Yển Khê"),
    (7, "commune", "Vân Lĩnh"),
    (8, "commune", "Đông Lĩnh"),
    (9, "commune", "Quảng Yên"),
    (10, "commune", "Ninh Dân"),
    (11, "commune", "Đông Thành"),
    (12, "commune", "Chí Tiên"),
    (13, "commune", "Sơn Cương"),
    (14, "commune", "Thanh Hà"),
    (15, "commune", "Khải Xuân"),
    (16, "commune", "Võ Lao"),
    (17, "commune", "Đại An"),
    (18, "commune", "Năng Yên"),
    (19, "commune", "Hoàng Cương"),
]

_LEVEL = {"town": "thị trấn", "commune": "xã"}


def commune_code(number: int) -> str:
    return f"{number:03d}.00.25.H42"


def commune_onestop_code(number: int) -> str:
    return f"{number:03d}.01.25.H42"


#: name → code of the 19 communes and towns (used by the 2025 reform)
COMMUNE_CODES = {name: commune_code(number) for number, _kind, name in COMMUNES}

AGENCIES: list[dict] = [
    {
        "code": PROVINCE_CODE,
        "kind": "province",
        "name": "UBND tỉnh Phú Thọ",
        "short_name": "Tỉnh Phú Thọ",
        "abbreviation": "UBND",
        "address": "Thành phố Việt Trì, tỉnh Phú Thọ",
        "parent": None,
    },
    {
        "code": DISTRICT_CODE,
        "kind": "district",
        "name": "UBND huyện Thanh Ba",
        "short_name": "Huyện Thanh Ba",
        "abbreviation": "UBND",
        "address": "Thị trấn Thanh Ba, huyện Thanh Ba, tỉnh Phú Thọ",
        "parent": PROVINCE_CODE,
    },
    *[
        {
            "code": f"000.{number:02d}.25.H42",
            "kind": "department",
            "name": name,
            "short_name": short_name,
            "abbreviation": abbreviation,
            "address": "Thị trấn Thanh Ba, huyện Thanh Ba, tỉnh Phú Thọ",
            "parent": DISTRICT_CODE,
        }
        for number, name, short_name, abbreviation in DEPARTMENTS
    ],
    {
        "code": DISTRICT_ONESTOP_CODE,
        "kind": "onestop",
        "name": "Bộ phận Tiếp nhận và Trả kết quả huyện Thanh Ba",
        "short_name": "Bộ phận một cửa huyện",
        "abbreviation": "BPMC",
        "address": "Trụ sở UBND huyện, thị trấn Thanh Ba, huyện Thanh Ba, tỉnh Phú Thọ",
        "parent": DISTRICT_CODE,
    },
]
for _number, _kind, _name in COMMUNES:
    AGENCIES += [
        {
            "code": commune_code(_number),
            "kind": _kind,
            "name": f"UBND {_LEVEL[_kind]} {_name}",
            "short_name": f"{_LEVEL[_kind].capitalize()} {_name}",
            "abbreviation": "UBND",
            "address": f"{_LEVEL[_kind].capitalize()} {_name}, {ADDRESS_SUFFIX}",
            "parent": DISTRICT_CODE,
        },
        {
            "code": commune_onestop_code(_number),
            "kind": "onestop",
            "name": f"Bộ phận một cửa {_LEVEL[_kind]} {_name}",
            "short_name": f"Một cửa {_LEVEL[_kind]} {_name}",
            "abbreviation": "BPMC",
            "address": f"Trụ sở UBND {_LEVEL[_kind]} {_name}, {ADDRESS_SUFFIX}",
            "parent": commune_code(_number),
        },
    ]

#: Equipment status of the communes' halls, in the order of COMMUNES (a mix for the demo).
_HALL_STATUS = [
    "ready", "ready", "ready", "degraded", "ready", "ready", "broken", "ready", "ready", "unknown",
    "ready", "degraded", "ready", "ready", "ready", "ready", "broken", "ready", "ready",
]  # fmt: skip
_NOTES = {
    "degraded": "Micro phòng họp rè, đã báo VNPT kiểm tra",
    "broken": "Hỏng bộ mã hóa (codec), chờ thay thế",
    "unknown": "Chưa kiểm tra định kỳ quý này",
}

#: 22 bridge points: the district hall, the 19 communes' and town's halls and 2 more.
BRIDGE_POINTS: list[dict] = [
    {
        "agency": DISTRICT_CODE,
        "name": "Hội trường UBND huyện Thanh Ba",
        "location": "Trụ sở UBND huyện, thị trấn Thanh Ba",
        "equipment_status": "ready",
    },
    *[
        {
            "agency": commune_code(number),
            "name": f"Hội trường UBND {_LEVEL[kind]} {name}",
            "location": f"Trụ sở UBND {_LEVEL[kind]} {name}",
            "equipment_status": status,
            "equipment_note": _NOTES.get(status, ""),
        }
        for (number, kind, name), status in zip(COMMUNES, _HALL_STATUS, strict=True)
    ],
    {
        "agency": DISTRICT_CODE,
        "name": "Phòng họp trực tuyến Huyện ủy Thanh Ba",
        "location": "Trụ sở Huyện ủy Thanh Ba, thị trấn Thanh Ba",
        "equipment_status": "ready",
    },
    {
        "agency": DISTRICT_CODE,
        "name": "Điểm cầu Trung tâm Y tế huyện Thanh Ba",
        "location": "Trung tâm Y tế huyện Thanh Ba",
        "equipment_status": "degraded",
        "equipment_note": "Đường truyền chập chờn giờ cao điểm",
    },
]

DOSON_CODE = COMMUNE_CODES["Đỗ Sơn"]
DOSON_ONESTOP_CODE = commune_onestop_code(2)

#: Demo officers: one per role at the district (and the head of Phòng Tư pháp, who reviews
#: its specialist's drafts), three at xã Đỗ Sơn. ``roles`` = (agency code,
#: role). ``vanthu`` is the clerk of UBND huyện itself (registers belong to the committee).
OFFICERS: list[dict] = [
    {
        "username": "vanthu",
        "full_name": "Nguyễn Thị Thu Hà",
        "position": "Văn thư, Văn phòng HĐND và UBND huyện",
        "roles": [(DISTRICT_CODE, "clerk")],
    },
    {
        "username": "lanhdao",
        "full_name": "Trần Văn Hùng",
        "position": "Chủ tịch UBND huyện",
        "roles": [(DISTRICT_CODE, "leader")],
    },
    {
        "username": "chuyenvien",
        "full_name": "Lê Thị Mai",
        "position": "Chuyên viên Phòng Tư pháp",
        "roles": [("000.04.25.H42", "specialist")],
    },
    {
        "username": "truongphong.tuphap",
        "full_name": "Đặng Văn Minh",
        "position": "Trưởng phòng Tư pháp huyện Thanh Ba",
        "roles": [("000.04.25.H42", "leader")],
    },
    {
        "username": "motcua",
        "full_name": "Phạm Minh Tuấn",
        "position": "Công chức Bộ phận Tiếp nhận và Trả kết quả huyện",
        "roles": [(DISTRICT_ONESTOP_CODE, "onestop")],
    },
    {
        "username": "thuphi",
        "full_name": "Hoàng Thị Lan",
        "position": "Kế toán, thu phí và lệ phí",
        "roles": [(DISTRICT_ONESTOP_CODE, "fee")],
    },
    {
        "username": "quantri",
        "full_name": "Đỗ Quang Huy",
        "position": "Quản trị hệ thống, Văn phòng HĐND và UBND huyện",
        "roles": [(DISTRICT_CODE, "admin")],
        "totp": True,
    },
    {
        "username": "motcua.doson",
        "full_name": "Nguyễn Văn Bình",
        "position": "Công chức Văn phòng - Thống kê, bộ phận một cửa xã Đỗ Sơn",
        "roles": [(DOSON_ONESTOP_CODE, "onestop")],
    },
    {
        "username": "lanhdao.doson",
        "full_name": "Bùi Văn Thắng",
        "position": "Chủ tịch UBND xã Đỗ Sơn",
        "roles": [(DOSON_CODE, "leader")],
    },
    {
        "username": "vanthu.doson",
        "full_name": "Vũ Thị Hương",
        "position": "Văn thư UBND xã Đỗ Sơn",
        "roles": [(DOSON_CODE, "clerk")],
    },
]
for _officer in OFFICERS:
    _officer.setdefault("email", f"{_officer['username']}@thanhba.example.vn")

CITIZENS: list[dict] = [
    {
        "full_name": "Đinh Văn Nam",
        "phone": "0912345678",
        "email": "dan@example.vn",
        "citizen_id": "025090000123",
        "address": "Khu 3, xã Đỗ Sơn, huyện Thanh Ba, tỉnh Phú Thọ",
    },
]

REFORMS: list[dict] = []
